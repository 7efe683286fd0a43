import type { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import { monthTargets, parsePeriod, type KpiEvaluation } from '@rollplan/domain';
import { KpiActualEntity, PeriodReviewEntity, PlanVersionEntity, TaskEntity, UnitEvaluationEntity, appendAudit, loadBusinessCalendar } from '@rollplan/db';
import type { MonitoringActivities } from '@rollplan/workflows';
import { activityKey } from './activity-key';

export interface ReportJobData {
  cycleId: string;
  period: string;
}

/** The monthly loop's read model; the report request goes to BullMQ (rendered by the report processor). */
export function createMonitoringActivities({ dataSource, reportQueue }: { dataSource: DataSource; reportQueue: Queue<ReportJobData> }): MonitoringActivities {
  const subject = (cycleId: string, period: string) => ({ subjectType: 'period', subjectId: `${cycleId}/${period}` });

  return {
    async loadMonthTargets({ cycleId, version, period }) {
      const row = await dataSource.getRepository(PlanVersionEntity).findOneByOrFail({ cycleId, version });
      return monthTargets(row.content, parsePeriod(period));
    },

    loadBusinessCalendar({ timeZone, years }) {
      return loadBusinessCalendar(dataSource.manager, timeZone, years);
    },

    async loadEarlierAttainments({ cycleId, period }) {
      const rows = await dataSource
        .getRepository(PeriodReviewEntity)
        .createQueryBuilder('p')
        .where('p.cycle_id = :cycleId AND p.period < :period', { cycleId, period })
        .orderBy('p.period', 'ASC')
        .getMany();
      const earlier: Record<string, number[]> = {};
      for (const row of rows) {
        for (const e of row.evaluations as KpiEvaluation[]) {
          if (e.attainment !== null && Number.isFinite(e.attainment)) (earlier[e.kpiId] ??= []).push(e.attainment);
        }
      }
      return earlier;
    },

    async recordPeriodOpened({ cycleId, period, version, workflowId, targets, actualsDueAt, closesAt }) {
      await dataSource.transaction(async (manager) => {
        await manager
          .createQueryBuilder()
          .insert()
          .into(PeriodReviewEntity)
          .values({ cycleId, period, version, workflowId, status: 'collecting', targets: targets as never, actualsDueAt: new Date(actualsDueAt), closesAt: new Date(closesAt) })
          .orIgnore()
          .execute();
        await appendAudit(manager, { actor: null, action: 'period.opened', ...subject(cycleId, period), data: { version, actualsDueAt, closesAt }, dedupeKey: activityKey() });
      });
    },

    async recordActuals({ cycleId, period, values, actor, source, importId, at }) {
      await dataSource.transaction(async (manager) => {
        await manager
          .createQueryBuilder()
          .insert()
          .into(KpiActualEntity)
          .values(values.map((v) => ({ cycleId, period, kpiId: v.kpiId, value: v.value, ownerUnitId: v.ownerUnitId, submittedBy: actor.userId, source: source as never, importId: importId ?? null, recordedAt: new Date(at) })))
          // A correction replaces the earlier value; the audit log keeps both.
          .orUpdate(['value', 'submitted_by', 'source', 'import_id', 'recorded_at'], ['cycle_id', 'period', 'kpi_id'])
          .execute();
        await appendAudit(manager, {
          actor,
          action: 'period.actuals_recorded',
          ...subject(cycleId, period),
          data: { kpiIds: values.map((v) => v.kpiId), values: Object.fromEntries(values.map((v) => [v.kpiId, v.value])), source, ...(importId ? { importId } : {}) },
          dedupeKey: activityKey(),
        });
      });
    },

    async recordEvaluations({ cycleId, period, evaluations }) {
      // Infinity (a zero actual on a lower-is-better KPI) has no JSON form: stored as null.
      const stored = evaluations.map((e) => ({ ...e, attainment: e.attainment !== null && Number.isFinite(e.attainment) ? e.attainment : null }));
      await dataSource.getRepository(PeriodReviewEntity).update({ cycleId, period }, { evaluations: stored as never, status: 'analysed', updatedAt: new Date() });
    },

    async recordPeriodEvent({ cycleId, period, event, at, actor, reason, closesAt }) {
      await dataSource.transaction(async (manager) => {
        const reviews = manager.getRepository(PeriodReviewEntity);
        if (event === 'closed') await reviews.update({ cycleId, period }, { status: 'closed', closedAt: new Date(at), updatedAt: new Date() });
        if (event === 'closed_early') await reviews.update({ cycleId, period }, { closedAt: new Date(at), closedBy: actor?.userId ?? null, updatedAt: new Date() });
        if (event === 'extended') await reviews.update({ cycleId, period }, { closesAt: new Date(closesAt!), closedAt: null, closedBy: null, updatedAt: new Date() });
        await appendAudit(manager, { actor: actor ?? null, action: `period.${event}`, ...subject(cycleId, period), data: { at, ...(reason ? { reason } : {}), ...(closesAt ? { closesAt } : {}) }, dedupeKey: activityKey() });
      });
    },

    async loadAdjustmentContext({ cycleId, unitId, year }) {
      const last = await dataSource
        .getRepository(TaskEntity)
        .createQueryBuilder('t')
        .where(`t.cycle_id = :cycleId AND t.kind = 'plan.contribution' AND t.status = 'completed' AND t.links->>'unitId' = :unitId`, { cycleId, unitId })
        .orderBy('t.decided_at', 'DESC')
        .getOne();
      const reviews = await dataSource
        .getRepository(PeriodReviewEntity)
        .createQueryBuilder('p')
        .where('p.cycle_id = :cycleId AND p.period LIKE :year', { cycleId, year: `${year - 1}-%` })
        .orderBy('p.period', 'ASC')
        .getMany();
      const actuals = reviews.flatMap((review) =>
        (review.evaluations as KpiEvaluation[])
          .filter((e) => e.ownerUnitId === unitId)
          .map((e) => ({ period: review.period, kpiId: e.kpiId, target: e.target, actual: e.actual, status: e.status })),
      );
      // The unit's latest signed-off evaluation: last year's annual one when there is one, else its latest quarter.
      const evaluations = await dataSource.getRepository(UnitEvaluationEntity).find({ where: { cycleId, unitId, status: 'signed_off' }, order: { signedOffAt: 'DESC' } });
      const latest = evaluations.find((e) => e.span === String(year - 1)) ?? evaluations[0];
      const evaluation = latest ? { span: latest.span, score: latest.adjustedScore ?? latest.score, grade: latest.finalGrade ?? latest.grade, kpiScore: latest.kpiScore, milestoneScore: latest.milestoneScore, budgetScore: latest.budgetScore, note: latest.note } : null;
      return { lastAnalysis: last?.payload ?? null, lastAnalysisTaskId: last?.id ?? null, actualsYear: year - 1, actuals, evaluation };
    },

    async requestMonthlyReport({ cycleId, period, requestId }) {
      // The job id makes a retried activity add nothing.
      await reportQueue.add('render', { cycleId, period }, { jobId: requestId, attempts: 5, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: 1000 });
    },
  };
}
