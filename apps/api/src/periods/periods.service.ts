import { createHash } from 'node:crypto';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from '@temporalio/client';
import { Queue } from 'bullmq';
import { redisOptions } from '@rollplan/config';
import { queueTelemetry } from '@rollplan/telemetry';
import type { DataSource } from 'typeorm';
import { DomainError, ErrorCode, type Actor, type ReportLanguage, type ReportSpendRequest, type SubmitActualsRequest } from '@rollplan/domain';
import { ActualImportEntity, CycleEntity, DocumentEntity, PeriodReviewEntity, buildMonthlyReport } from '@rollplan/db';
import { QueueName, importJob, closePeriodUpdate, extendPeriodUpdate, periodStatusQuery, reportSpendUpdate, submitActualsUpdate, type ControlsStatus, type PeriodStatus } from '@rollplan/workflows';
import { API_CONFIG, type ApiConfig } from '../config';
import { requireCycle } from '../common/require-cycle';
import { toDomainError } from '../common/temporal-errors';

/** The monthly loop's periods: actuals in (by API or CSV), status, reports, early close and extension. */
@Injectable()
export class PeriodsService implements OnApplicationShutdown {
  private readonly imports: Queue<{ importId: string }>;

  constructor(
    private readonly temporal: Client,
    @InjectDataSource() private readonly db: DataSource,
    @Inject(API_CONFIG) config: ApiConfig,
  ) {
    this.imports = new Queue(QueueName.Imports, {
      connection: redisOptions(config.REDIS_URL, 'failFast'),
      prefix: config.QUEUE_PREFIX,
      telemetry: queueTelemetry(),
    });
    this.imports.on('error', () => undefined); // reported by /health
  }

  async onApplicationShutdown(): Promise<void> {
    await this.imports.close();
  }

  async list(cycleId: string) {
    await requireCycle(this.db, cycleId);
    const rows = await this.db.getRepository(PeriodReviewEntity).find({ where: { cycleId }, order: { period: 'ASC' } });
    return rows.map((r) => ({ period: r.period, version: r.version, status: r.status, workflowId: r.workflowId, actualsDueAt: r.actualsDueAt.toISOString(), closesAt: r.closesAt.toISOString(), closedAt: r.closedAt?.toISOString() ?? null }));
  }

  /** Targets, actuals, deviations, causes, actions and decisions of one month, with its dates. */
  async get(cycleId: string, period: string) {
    const review = await this.review(cycleId, period);
    const report = (await buildMonthlyReport(this.db.manager, cycleId, period))!;
    const live = await this.liveStatus(review.workflowId);
    return {
      ...report,
      workflowId: review.workflowId,
      actualsDueAt: (live?.actualsDueAt ?? review.actualsDueAt.toISOString()),
      closesAt: live?.closesAt ?? review.closesAt.toISOString(),
      closedAt: review.closedAt?.toISOString() ?? null,
      frozen: live ? live.frozen : true,
      ...(live?.closedEarly ? { closedEarly: live.closedEarly } : {}),
      extensions: live?.extensions ?? [],
    };
  }

  async report(cycleId: string, period: string) {
    await this.review(cycleId, period);
    return (await buildMonthlyReport(this.db.manager, cycleId, period))!;
  }

  /**
   * A rendered report in a language, and the language it is in: reports rendered before v0.8
   * exist only in English (format `html`/`xlsx`) and are served as they are.
   */
  async document(cycleId: string, period: string, format: 'html' | 'xlsx', language: ReportLanguage): Promise<{ content: Buffer; language: ReportLanguage }> {
    await this.review(cycleId, period);
    const documents = this.db.getRepository(DocumentEntity);
    const doc = await documents.findOneBy({ cycleId, period, kind: 'monthly_report', format: `${format}.${language}` });
    if (doc) return { content: doc.content, language };
    const legacy = await documents.findOneBy({ cycleId, period, kind: 'monthly_report', format });
    if (!legacy) throw new DomainError(ErrorCode.NotFound, 'the report is rendered when the period closes; not yet');
    return { content: legacy.content, language: 'en' };
  }

  async submitActuals(cycleId: string, period: string, body: SubmitActualsRequest, actor: Actor, idempotencyKey?: string): Promise<PeriodStatus> {
    const review = await this.review(cycleId, period);
    try {
      return await this.temporal.workflow.getHandle(review.workflowId).executeUpdate(submitActualsUpdate, {
        args: [{ values: body.values, source: actor.via === 'api_token' ? 'token' : 'api', actor }],
        ...(idempotencyKey ? { updateId: `actuals.${actor.userId}.${idempotencyKey}` } : {}),
      });
    } catch (error) {
      return this.periodError(error, period);
    }
  }

  /** A unit's spend for the month (an admin names the unit; anyone else reports their own unit's). */
  async reportSpend(cycleId: string, period: string, body: ReportSpendRequest, actor: Actor, idempotencyKey?: string): Promise<ControlsStatus> {
    const review = await this.review(cycleId, period);
    const unitId = body.unitId ?? actor.unitId;
    if (!unitId) throw new DomainError(ErrorCode.ValidationFailed, 'name the unit whose spend this is', [{ path: 'unitId', message: 'required: you belong to no unit' }]);
    try {
      return await this.temporal.workflow.getHandle(review.workflowId).executeUpdate(reportSpendUpdate, {
        args: [{ unitId, entries: body.entries, source: actor.via === 'api_token' ? 'token' : 'api', actor }],
        ...(idempotencyKey ? { updateId: `spend.${actor.userId}.${idempotencyKey}` } : {}),
      });
    } catch (error) {
      return this.periodError(error, period, `the month ${period} was opened before the cost budget was tracked`);
    }
  }

  /**
   * Stores a CSV file and queues its import. The id is the hash of cycle, period and bytes: the
   * same file again finds the first import (and its result) and changes nothing.
   */
  async importCsv(cycleId: string, period: string, content: Buffer, fileName: string, actor: Actor, kind: 'actuals' | 'spend' = 'actuals'): Promise<{ created: boolean; import: ReturnType<PeriodsService['importView']> }> {
    const review = await this.review(cycleId, period);
    const live = await this.liveStatus(review.workflowId);
    if (!live || live.frozen) throw new DomainError(ErrorCode.Conflict, `the period ${period} is closed; the planning office can reopen it`);
    // Actuals' ids are as they were before spend could be imported too.
    const id = createHash('sha256').update(`${cycleId}\n${period}\n${kind === 'spend' ? 'spend\n' : ''}`).update(content).digest('hex');
    const repository = this.db.getRepository(ActualImportEntity);
    const inserted = await repository.createQueryBuilder().insert().values({ id, cycleId, period, kind, fileName, content, status: 'queued', createdBy: actor.userId }).orIgnore().execute();
    const created = (inserted.identifiers.length > 0 && inserted.raw.length > 0) || false;
    // The stored row is the import's outbox entry: with Redis down, the worker's sweeper queues it later.
    const row = await repository.findOneByOrFail({ id });
    if (row.status === 'queued') {
      const { name, data, opts } = importJob(id);
      await this.imports.add(name, data, opts).catch(() => undefined);
    }
    return { created, import: this.importView(row) };
  }

  async importStatus(cycleId: string, period: string, importId: string) {
    const row = await this.db.getRepository(ActualImportEntity).findOneBy({ id: importId, cycleId, period });
    if (!row) throw new DomainError(ErrorCode.NotFound, 'import not found');
    return this.importView(row);
  }

  /** Through the month's update: its validator decides, so two closes at once give one 202 and one 409. */
  async close(cycleId: string, period: string, reason: string | undefined, actor: Actor) {
    const review = await this.review(cycleId, period);
    try {
      await this.temporal.workflow.getHandle(review.workflowId).executeUpdate(closePeriodUpdate, { args: [{ actor, ...(reason ? { reason } : {}) }] });
    } catch (error) {
      return this.periodError(error, period);
    }
    return { period, closing: true };
  }

  async extend(cycleId: string, period: string, closesAt: string, reason: string, actor: Actor) {
    const review = await this.review(cycleId, period);
    const at = new Date(closesAt).toISOString();
    try {
      await this.temporal.workflow.getHandle(review.workflowId).executeUpdate(extendPeriodUpdate, { args: [{ closesAt: at, reason, actor }] });
    } catch (error) {
      return this.periodError(error, period);
    }
    return { period, closesAt: at };
  }

  private importView(row: ActualImportEntity) {
    return { id: row.id, period: row.period, kind: row.kind, fileName: row.fileName, status: row.status, rows: row.rowCount, errors: row.errors, createdAt: row.createdAt.toISOString(), finishedAt: row.finishedAt?.toISOString() ?? null };
  }

  /** The running execution's status; undefined once it has ended. */
  private async liveStatus(workflowId: string): Promise<PeriodStatus | undefined> {
    const handle = this.temporal.workflow.getHandle(workflowId);
    const { status } = await handle.describe();
    if (status.name !== 'RUNNING') return undefined;
    return handle.query(periodStatusQuery);
  }

  private periodError(error: unknown, period: string, notTaken?: string): never {
    const message = (error as { message?: string })?.message ?? '';
    // The execution has ended: the update cannot reach it.
    if (/workflow execution already completed|not found/i.test(message) && !(error as { cause?: unknown }).cause) {
      throw new DomainError(ErrorCode.Conflict, `the period ${period} is closed`);
    }
    return toDomainError(error, 'period', notTaken);
  }

  private async review(cycleId: string, period: string): Promise<PeriodReviewEntity> {
    await requireCycle(this.db, cycleId);
    const review = await this.db.getRepository(PeriodReviewEntity).findOneBy({ cycleId, period });
    if (!review) throw new DomainError(ErrorCode.NotFound, `the period ${period} has not started (a month is reviewed once it has ended)`);
    return review;
  }
}
