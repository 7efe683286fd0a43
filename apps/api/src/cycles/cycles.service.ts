import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { In, type Repository } from 'typeorm';
import { v5 as uuidv5 } from 'uuid';
import {
  DomainError,
  ErrorCode,
  CONTRIBUTING_UNIT_KINDS,
  cycleWorkflowId,
  majorityOf,
  planYears,
  Role,
  UnitKind,
  validatePlan,
  type Actor,
  type CancelCycleRequest,
  type CloseCycleRequest,
  type PlanContent,
  type ListCyclesQuery,
  type StartCycleRequest,
} from '@rollplan/domain';
import { CycleEntity, OrgUnitEntity, TaskEntity, activeCommitteeMembers } from '@rollplan/db';
import {
  Procedure,
  SearchAttribute,
  WorkflowType,
  cancelCycleUpdate,
  closeCycleUpdate,
  startAdjustmentUpdate,
  cycleStatusQuery,
  extendContributionUpdate,
  submitDraftUpdate,
  proposeChangeUpdate,
  submitRolledPlanUpdate,
  backfillPeriodUpdate,
  waiveContributionUpdate,
  type CycleSetup,
  type CycleStatus,
  CODE_BASELINE,
  type PlanningCycleInput,
} from '@rollplan/workflows';
import { API_CONFIG, type ApiConfig } from '../config';
import { toDomainError } from '../common/temporal-errors';
import { StartGate } from '../infra/start-gate';

/** Namespace of the UUIDv5 cycle ids derived from idempotency keys. Persisted: never change. */
const IDEMPOTENT_CYCLE_NAMESPACE = '6f1d4a53-2f0b-4a8e-9a55-2c1f3f3b9d11';

export interface CycleView {
  id: string;
  workflowId: string;
  title: string;
  startYear: number;
  horizonYears: number;
  planYears: number[];
  phase: CycleStatus['phase'];
  phaseSince: string;
  round?: number;
  versions?: number[];
  effectiveVersion?: number;
  contributions?: CycleStatus['contributions'];
  pending?: CycleStatus['pending'];
  rejection?: CycleStatus['rejection'];
  schedule?: CycleStatus['schedule'];
  currentPeriod?: string;
  lastClosedPeriod?: string;
  change?: CycleStatus['change'];
  /** The plan year of the month under review (or last reviewed). */
  planYear?: number;
  run?: number;
  closure?: CycleStatus['closure'];
  adjustment?: CycleStatus['adjustment'];
  adjustments?: CycleStatus['adjustments'];
  /** The newest approved plan: its version and years (a change amends it; the next adjustment rolls it on). */
  planInForce?: { version: number; startYear: number; planYears: number[] };
  monitoring?: CycleStatus['monitoring'];
  /** The committee round under way or last held: who votes, who is recused, votes needed. */
  committeeRound?: CycleStatus['committeeRound'];
  startedBy?: string;
  cancellation?: CycleStatus['cancellation'];
  createdAt?: string;
}

@Injectable()
export class CyclesService {
  constructor(
    private readonly temporal: Client,
    @InjectRepository(CycleEntity) private readonly cycles: Repository<CycleEntity>,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly startGate: StartGate,
  ) {}

  /**
   * Starts a cycle's workflow. With an idempotency key the cycle id is derived from it,
   * so a retried request finds the workflow it started (`created: false`); the same key
   * with a different body is refused.
   */
  async start(request: StartCycleRequest, actor: Actor, idempotencyKey?: string): Promise<{ cycle: CycleView; created: boolean }> {
    // Keys are scoped per user: two admins choosing the same key start two cycles.
    const cycleId = idempotencyKey ? uuidv5(`${actor.userId}:${idempotencyKey}`, IDEMPOTENT_CYCLE_NAMESPACE) : randomUUID();
    const requestHash = hashRequest(request);
    const input: PlanningCycleInput = {
      cycleId,
      title: request.title,
      startYear: request.startYear,
      horizonYears: request.horizonYears,
      startedBy: actor,
      setup: await this.resolveSetup(request),
      baseline: CODE_BASELINE,
    };
    const workflowId = cycleWorkflowId(cycleId);
    await this.startGate.admit();
    try {
      await this.temporal.workflow.start(WorkflowType.PlanningCycle, {
        workflowId,
        taskQueue: this.config.TEMPORAL_TASK_QUEUE,
        args: [input],
        // A cycle's id is never reused, even after its workflow has closed.
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        memo: { requestHash },
        typedSearchAttributes: [
          { key: SearchAttribute.CycleId, value: cycleId },
          { key: SearchAttribute.Procedure, value: Procedure.PlanningCycle },
          { key: SearchAttribute.PlanYear, value: request.startYear },
          // The units that take part, so auditors can find a unit's cycles.
          { key: SearchAttribute.Units, value: [...new Set([...(input.setup?.contributors.map((c) => c.unitId) ?? []), ...(input.setup?.internalReviewUnitIds ?? [])])] },
        ],
      });
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError) || !idempotencyKey) toDomainError(error, 'cycle');
      const description = await this.temporal.workflow.getHandle(workflowId).describe();
      if (description.memo?.requestHash !== requestHash) {
        throw new DomainError(
          ErrorCode.IdempotencyKeyReused,
          'this Idempotency-Key was already used for a different request',
        );
      }
      return { cycle: await this.get(cycleId), created: false };
    }
    return { cycle: toView({ ...input, phase: 'starting', phaseSince: new Date().toISOString() }, workflowId), created: true };
  }

  /** Who contributes and who reviews, from the request and the org structure. */
  private async resolveSetup(request: StartCycleRequest): Promise<CycleSetup> {
    const units = this.cycles.manager.getRepository(OrgUnitEntity);
    const contributorUnits = request.contributingUnitIds
      ? await units.findBy({ id: In(request.contributingUnitIds) })
      : await units.find({ where: { kind: UnitKind.FunctionalCenter }, order: { code: 'ASC' } });
    const missing = (request.contributingUnitIds ?? []).filter((id) => !contributorUnits.some((u) => u.id === id));
    if (missing.length > 0 || contributorUnits.length === 0) {
      throw new DomainError(ErrorCode.ValidationFailed, 'unknown contributing units', [{ path: 'contributingUnitIds', message: missing.length ? `no such org units: ${missing.join(', ')}` : 'there are no functional centers' }]);
    }
    // Only functional centers and subsidiaries analyse an area; the office drafts, the committee reviews.
    const notContributing = (request.contributingUnitIds ?? []).flatMap((id, i) => {
      const unit = contributorUnits.find((u) => u.id === id)!;
      return CONTRIBUTING_UNIT_KINDS.includes(unit.kind) ? [] : [{ path: `contributingUnitIds.${i}`, message: `${id} (${unit.name}) is a ${unit.kind}: only functional centers and subsidiaries contribute` }];
    });
    if (notContributing.length > 0) throw new DomainError(ErrorCode.ValidationFailed, 'these units cannot contribute to a plan', notContributing);
    const reviewUnits = await units.findBy({ id: In(request.internalReviewUnitIds) });
    if (reviewUnits.length !== new Set(request.internalReviewUnitIds).size) {
      throw new DomainError(ErrorCode.ValidationFailed, 'unknown internal review units', [{ path: 'internalReviewUnitIds', message: 'no such org unit' }]);
    }
    const members = await activeCommitteeMembers(this.cycles.manager);
    const chair = members.find((m) => m.user!.roles.includes(Role.Chair));
    if (!chair) throw new DomainError(ErrorCode.Conflict, 'the decision committee has no active chair');
    const memberIds = members.filter((m) => m !== chair).map((m) => m.userId);
    const office = await units.findOneBy({ kind: UnitKind.PlanningOffice });
    return {
      contributors: contributorUnits.map((u) => ({ unitId: u.id, area: u.area ?? 'subsidiary', name: u.name })),
      contributionDueAt: request.contributionDueAt ? new Date(request.contributionDueAt).toISOString() : new Date(Date.now() + 14 * 86_400_000).toISOString(),
      ...(office ? { planningOfficeUnitId: office.id } : {}),
      internalReviewUnitIds: request.internalReviewUnitIds,
      actualsWorkingDay: request.actualsWorkingDay,
      timeZone: this.config.ORG_TIME_ZONE,
      adjustmentLeadMonths: request.rollingAdjustment.leadMonths,
      autoAdjustment: request.rollingAdjustment.auto,
      monitoring: request.monitoring,
      committee: {
        // Members vote; the chair gives the final approval. Default rule: a majority of the members.
        memberIds: memberIds.length > 0 ? memberIds : [chair.userId],
        chairId: chair.userId,
        rule: request.committee.rule ?? majorityOf(memberIds.length),
        reviewDays: request.committee.reviewDays,
        maxRounds: request.committee.maxRounds,
      },
    };
  }

  /** A plan's problems against the plan rules for `years` and the org structure. */
  private async checkPlan(content: PlanContent, years: { startYear: number; horizonYears: number }) {
    const unitIds = new Set((await this.cycles.manager.getRepository(OrgUnitEntity).find({ select: { id: true } })).map((u) => u.id));
    return validatePlan(content, years, unitIds);
  }

  /** Submits a draft: checked against the org structure here, against the plan rules in the workflow too. */
  async submitDraft(cycleId: string, content: PlanContent, actor: Actor, idempotencyKey?: string): Promise<{ version: number }> {
    const status = await this.get(cycleId);
    const problems = await this.checkPlan(content, status);
    if (problems.length > 0) throw new DomainError(ErrorCode.ValidationFailed, 'the draft is not valid', problems);
    try {
      return await this.temporal.workflow.getHandle(cycleWorkflowId(cycleId)).executeUpdate(submitDraftUpdate, {
        args: [{ content, actor }],
        updateId: idempotencyKey ? `draft:${actor.userId}:${idempotencyKey}` : randomUUID(),
      });
    } catch (error) {
      return toDomainError(error, 'cycle');
    }
  }

  /** Proposes a change to the newest approved plan (or revises one sent back): checked, then a new version for the committee. */
  async proposeChange(cycleId: string, body: { content: PlanContent; reason: string }, actor: Actor, idempotencyKey?: string): Promise<{ version: number }> {
    const status = await this.get(cycleId);
    if (status.adjustment) {
      throw new DomainError(ErrorCode.Conflict, `the ${status.adjustment.year} rolling adjustment is open: the plan changes through its rolled plan (POST /cycles/${cycleId}/adjustments/${status.adjustment.year}/plans)`);
    }
    // A change keeps the years of the plan it amends (after a rolling adjustment, the rolled plan's).
    const years = { startYear: status.planInForce?.startYear ?? status.startYear, horizonYears: status.horizonYears };
    const problems = (await this.checkPlan(body.content, years)).map((p) => ({ ...p, path: `content.${p.path}` }));
    if (problems.length > 0) throw new DomainError(ErrorCode.ValidationFailed, 'the change is not a valid plan', problems);
    try {
      return await this.temporal.workflow.getHandle(cycleWorkflowId(cycleId)).executeUpdate(proposeChangeUpdate, {
        args: [{ ...body, actor }],
        updateId: idempotencyKey ? `change.${actor.userId}.${idempotencyKey}` : randomUUID(),
      });
    } catch (error) {
      return toDomainError(error, 'cycle');
    }
  }

  /**
   * Submits the rolled plan of the open rolling adjustment for `year` (or its revision): a plan
   * for year … year + horizon − 1, reviewed by the committee like a draft.
   */
  async submitRolledPlan(cycleId: string, year: number, content: PlanContent, actor: Actor, idempotencyKey?: string): Promise<{ version: number }> {
    const status = await this.get(cycleId);
    if (!status.adjustment) throw new DomainError(ErrorCode.Conflict, 'no rolling adjustment is open; open one with POST /cycles/:id/adjustments');
    if (status.adjustment.year !== year) throw new DomainError(ErrorCode.Conflict, `the open rolling adjustment rolls the plan to ${status.adjustment.year}, not ${year}`);
    const problems = await this.checkPlan(content, { startYear: year, horizonYears: status.horizonYears });
    if (problems.length > 0) throw new DomainError(ErrorCode.ValidationFailed, 'the rolled plan is not valid', problems);
    try {
      return await this.temporal.workflow.getHandle(cycleWorkflowId(cycleId)).executeUpdate(submitRolledPlanUpdate, {
        args: [{ year, content, actor }],
        updateId: idempotencyKey ? `rolled.${actor.userId}.${idempotencyKey}` : randomUUID(),
      });
    } catch (error) {
      return toDomainError(error, 'cycle');
    }
  }

  /** Opens a skipped past month now, with fresh due dates, so its actuals can be entered late. */
  async backfillPeriod(cycleId: string, period: string, actor: Actor): Promise<CycleView> {
    try {
      await this.temporal.workflow.getHandle(cycleWorkflowId(cycleId)).executeUpdate(backfillPeriodUpdate, { args: [{ period, actor }], updateId: `backfill.${period}` });
    } catch (error) {
      toDomainError(error, 'cycle');
    }
    return this.get(cycleId);
  }

  async changeContribution(cycleId: string, unitId: string, change: { reason: string; dueAt?: string }, actor: Actor) {
    const update = change.dueAt ? extendContributionUpdate : waiveContributionUpdate;
    try {
      return await this.temporal.workflow.getHandle(cycleWorkflowId(cycleId)).executeUpdate(update, { args: [{ unitId, ...change, actor }] });
    } catch (error) {
      return toDomainError(error, 'cycle');
    }
  }

  /** A cycle as its workflow reports it, with the read model's creation time. */
  async get(cycleId: string): Promise<CycleView> {
    const [row, status] = await Promise.all([
      this.cycles.findOne({ select: { id: true, createdAt: true }, where: { id: cycleId } }),
      this.temporal.workflow
        .getHandle(cycleWorkflowId(cycleId))
        .query(cycleStatusQuery)
        .catch((error: unknown) => toDomainError(error, 'cycle')),
    ]);
    return toView(status, cycleWorkflowId(cycleId), row?.createdAt);
  }

  /** Cycles from the read model, newest first. */
  async list(query: ListCyclesQuery): Promise<{ items: CycleView[]; total: number; limit: number; offset: number }> {
    const [rows, total] = await this.cycles.findAndCount({
      where: query.phase ? { phase: query.phase } : {},
      order: { createdAt: 'DESC', id: 'ASC' },
      take: query.limit,
      skip: query.offset,
    });
    const items = rows.map((row) =>
      toView(
        {
          cycleId: row.id,
          title: row.title,
          startYear: row.startYear,
          horizonYears: row.horizonYears,
          phase: row.phase,
          phaseSince: row.phaseSince.toISOString(),
          ...(row.cancelReason ? { cancellation: { reason: row.cancelReason, at: row.phaseSince.toISOString() } } : {}),
        },
        row.workflowId,
        row.createdAt,
      ),
    );
    return { items, total, limit: query.limit, offset: query.offset };
  }

  /**
   * Closes a cycle in execution. Corrective actions still open (read model) block it with a 409
   * listing them, unless forced with a reason: then they are cancelled with the running month.
   */
  async close(cycleId: string, request: CloseCycleRequest, actor: Actor, idempotencyKey?: string): Promise<CycleView> {
    const open = await this.cycles.manager.getRepository(TaskEntity).find({
      where: { cycleId, kind: In(['monthly.action', 'monthly.cause_analysis']), status: In(['open', 'claimed']) },
      order: { openedAt: 'ASC' },
    });
    if (open.length > 0 && !request.force) {
      throw new DomainError(
        ErrorCode.Conflict,
        `${open.length} corrective action(s) or cause analyses are still open; close them, or force the closure with a reason`,
        open.map((t) => ({ path: `tasks.${t.id}`, message: `${t.kind === 'monthly.action' ? 'action' : 'cause analysis'}: ${t.title} (due ${t.dueAt.toISOString().slice(0, 10)})` })),
      );
    }
    try {
      await this.temporal.workflow.getHandle(cycleWorkflowId(cycleId)).executeUpdate(closeCycleUpdate, {
        args: [{ ...(request.reason ? { reason: request.reason } : {}), force: request.force, openActions: open.map((t) => t.id), by: actor }],
        updateId: idempotencyKey ? `close.${actor.userId}.${idempotencyKey}` : randomUUID(),
      });
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) {
        const { phase } = await this.get(cycleId);
        throw new DomainError(ErrorCode.Conflict, `cycle is already ${phase}`);
      }
      toDomainError(error, 'cycle');
    }
    return this.get(cycleId);
  }

  /** Opens the yearly rolling adjustment by hand; 409 when one is open. */
  async startAdjustment(cycleId: string, actor: Actor): Promise<CycleView> {
    try {
      await this.temporal.workflow.getHandle(cycleWorkflowId(cycleId)).executeUpdate(startAdjustmentUpdate, { args: [{ actor }] });
    } catch (error) {
      toDomainError(error, 'cycle');
    }
    return this.get(cycleId);
  }

  /** Cancels through the workflow's update; the update id makes a retried request a no-op. */
  async cancel(cycleId: string, request: CancelCycleRequest, actor: Actor, idempotencyKey?: string): Promise<CycleView> {
    const handle = this.temporal.workflow.getHandle(cycleWorkflowId(cycleId));
    try {
      await handle.executeUpdate(cancelCycleUpdate, {
        args: [{ ...request, by: actor }],
        updateId: idempotencyKey ? `${actor.userId}:${idempotencyKey}` : randomUUID(),
      });
    } catch (error) {
      // An update to a closed workflow fails as "not found"; the cycle exists, it is just over.
      if (error instanceof WorkflowNotFoundError) {
        const { phase } = await this.get(cycleId);
        throw new DomainError(ErrorCode.Conflict, `cycle is already ${phase}`);
      }
      toDomainError(error, 'cycle');
    }
    return this.get(cycleId);
  }

}

function toView(status: CycleStatus, workflowId: string, createdAt?: Date): CycleView {
  return {
    id: status.cycleId,
    workflowId,
    title: status.title,
    startYear: status.startYear,
    horizonYears: status.horizonYears,
    planYears: planYears(status.startYear, status.horizonYears),
    phase: status.phase,
    phaseSince: status.phaseSince,
    ...(status.round !== undefined ? { round: status.round } : {}),
    ...(status.versions ? { versions: status.versions } : {}),
    ...(status.effectiveVersion !== undefined ? { effectiveVersion: status.effectiveVersion } : {}),
    ...(status.contributions ? { contributions: status.contributions } : {}),
    ...(status.pending ? { pending: status.pending } : {}),
    ...(status.rejection ? { rejection: status.rejection } : {}),
    ...(status.schedule ? { schedule: status.schedule } : {}),
    ...(status.currentPeriod ? { currentPeriod: status.currentPeriod } : {}),
    ...(status.lastClosedPeriod ? { lastClosedPeriod: status.lastClosedPeriod } : {}),
    ...(status.change ? { change: status.change } : {}),
    ...(status.currentPeriod || status.lastClosedPeriod ? { planYear: Number((status.currentPeriod ?? status.lastClosedPeriod)!.slice(0, 4)) } : {}),
    ...(status.run ? { run: status.run } : {}),
    ...(status.closure ? { closure: status.closure } : {}),
    ...(status.adjustment ? { adjustment: status.adjustment } : {}),
    ...(status.adjustments ? { adjustments: status.adjustments } : {}),
    ...(status.schedule?.length ? { planInForce: planInForce(status) } : {}),
    ...(status.monitoring ? { monitoring: status.monitoring } : {}),
    ...(status.committeeRound ? { committeeRound: status.committeeRound } : {}),
    ...(status.startedBy ? { startedBy: status.startedBy.userId } : {}),
    ...(status.cancellation ? { cancellation: status.cancellation } : {}),
    ...(createdAt ? { createdAt: createdAt.toISOString() } : {}),
  };
}

/** The newest approved plan: the latest plan year start in the schedule, in its version now in force. */
function planInForce(status: CycleStatus): NonNullable<CycleView['planInForce']> {
  const startYear = Math.max(...status.schedule!.map((entry) => entry.startYear ?? status.startYear));
  return { version: status.effectiveVersion ?? status.schedule!.at(-1)!.version, startYear, planYears: planYears(startYear, status.horizonYears) };
}

/** Canonical JSON (keys sorted at every depth) hashed: equal bodies hash equal whatever their key order. */
function hashRequest(request: StartCycleRequest): string {
  return createHash('sha256').update(canonicalJson(request)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
