import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import { queueTelemetry } from '@rollplan/telemetry';
import { REPORT_LANGUAGES, type Actor, type Role } from '@rollplan/domain';
import { ActualImportEntity, DocumentEntity, PeriodReviewEntity, UserEntity, buildMonthlyReport } from '@rollplan/db';
import { QueueName, periodStatusQuery, reportSpendUpdate, submitActualsUpdate } from '@rollplan/workflows';
import type { ReportJobData } from '../activities';
import { renderReportHtml, renderReportXlsx } from '../reports/render-report';
import { parseActualsCsv } from './import-actuals';
import { parseSpendCsv } from './import-spend';
import { ImportSweeper, type ImportJobData } from './import-sweeper';


export interface MonitoringJobsOptions {
  dataSource: DataSource;
  temporal: Client;
  connection: ConnectionOptions;
  prefix: string;
  log: (message: string, data?: Record<string, unknown>) => void;
  /** How often imports left waiting (Redis was down) are queued again. */
  sweepMs?: number;
}

/** The monthly loop's BullMQ work: CSV imports of actuals and spend, and report rendering. */
export function startMonitoringJobs({ dataSource, temporal, connection, prefix, log, sweepMs = 2000 }: MonitoringJobsOptions) {
  const telemetry = queueTelemetry();
  const reportQueue = new Queue<ReportJobData>(QueueName.Reports, { connection, prefix, telemetry });
  const reports = new Worker<ReportJobData>(
    QueueName.Reports,
    async ({ data }) => {
      const report = await buildMonthlyReport(dataSource.manager, data.cycleId, data.period);
      if (!report) return;
      // Rendered once in every language at the close, so each stays the record of that month;
      // stored as `<format>.<language>` (reports of before v0.8 are `html`/`xlsx`, in English).
      const documents: [string, Buffer][] = [];
      for (const language of REPORT_LANGUAGES) {
        documents.push([`html.${language}`, Buffer.from(renderReportHtml(report, language), 'utf8')], [`xlsx.${language}`, await renderReportXlsx(report, language)]);
      }
      for (const [format, content] of documents) {
        await dataSource
          .createQueryBuilder()
          .insert()
          .into(DocumentEntity)
          .values({ cycleId: data.cycleId, period: data.period, kind: 'monthly_report', format, content })
          .orUpdate(['content', 'created_at'], ['cycle_id', 'period', 'kind', 'format'])
          .execute();
      }
    },
    { connection, prefix, telemetry, concurrency: 2 },
  );

  const imports = new Worker<ImportJobData>(
    QueueName.Imports,
    async ({ data }) => {
      const row = await dataSource.getRepository(ActualImportEntity).createQueryBuilder('i').addSelect('i.content').where('i.id = :id', { id: data.importId }).getOne();
      if (!row || row.status !== 'queued') return;
      const finish = (status: 'imported' | 'failed', errors: { path: string; message: string }[], rowCount: number | null) =>
        dataSource.getRepository(ActualImportEntity).update({ id: row.id }, { status, errors: errors as never, rowCount, finishedAt: new Date() });
      const review = await dataSource.getRepository(PeriodReviewEntity).findOneBy({ cycleId: row.cycleId, period: row.period });
      if (!review) return finish('failed', [{ path: 'period', message: `the period ${row.period} is not open` }], null);
      const user = await dataSource.getRepository(UserEntity).findOneByOrFail({ id: row.createdBy });
      const actor: Actor = { userId: user.id, roles: user.roles as Role[], unitId: user.unitId, via: 'user' };
      const handle = temporal.workflow.getHandle(review.workflowId);
      // The import id is in the update id: a retried job, or the same file again, sends nothing twice.
      const send = async (updates: (() => Promise<unknown>)[]) => {
        try {
          for (const update of updates) await update();
        } catch (error) {
          if (error instanceof WorkflowUpdateFailedError) return error.cause?.message ?? error.message;
          throw error;
        }
        return undefined;
      };
      let rows: number;
      let refused: string | undefined;
      if (row.kind === 'spend') {
        const status = await handle.query(periodStatusQuery).catch(() => undefined);
        if (!status?.controls) return finish('failed', [{ path: 'period', message: `the period ${row.period} takes no spend (closed, or opened before the cost budget was tracked)` }], null);
        const parsed = await parseSpendCsv(row.content, status.controls.spendUnits, actor);
        if (parsed.problems.length > 0) return finish('failed', parsed.problems, parsed.rows);
        rows = parsed.rows;
        refused = await send(
          [...parsed.byUnit].map(([unitId, entries]) => () => handle.executeUpdate(reportSpendUpdate, { args: [{ unitId, entries, source: 'csv', actor }], updateId: `import.${row.id}.${unitId}` })),
        );
      } else {
        const parsed = await parseActualsCsv(row.content, review.targets, actor);
        if (parsed.problems.length > 0) return finish('failed', parsed.problems, parsed.rows);
        rows = parsed.rows;
        refused = await send([() => handle.executeUpdate(submitActualsUpdate, { args: [{ values: parsed.values, source: 'csv', importId: row.id, actor }], updateId: `import.${row.id}` })]);
      }
      if (refused) return finish('failed', [{ path: 'file', message: refused }], rows);
      return finish('imported', [], rows);
    },
    { connection, prefix, telemetry, concurrency: 2 },
  );
  for (const worker of [reports, imports]) worker.on('failed', (job, error) => log('monitoring job failed', { queue: worker.name, jobId: job?.id, error: String(error) }));
  const importQueue = new Queue<ImportJobData>(QueueName.Imports, { connection, prefix, telemetry });
  importQueue.on('error', () => undefined); // Redis down: the sweeper tries again on its next round
  const sweeper = new ImportSweeper(dataSource, importQueue, sweepMs, (error) => log('import sweep failed', { error: String(error) }));
  sweeper.start();

  return {
    reportQueue,
    async close() {
      await sweeper.stop();
      await Promise.all([reports.close(), imports.close()]);
      await Promise.all([reportQueue.close(), importQueue.close()]);
    },
  };
}
