import { In, type DataSource, type EntityManager } from 'typeorm';
import {
  budgetLines,
  budgetVariance,
  evaluateUnit,
  evaluationSpans,
  gradeOf,
  isEvaluable,
  milestoneRecord,
  milestonesToReport,
  parsePeriod,
  planControls,
  riskLevel,
  trackedMilestones,
  type RiskLevel,
  type SpendEntry,
  type UnitEvaluation,
  type UnitEvaluationInput,
} from '@rollplan/domain';
import { MilestoneReportEntity, PeriodReviewEntity, PlanVersionEntity, RiskAssessmentEntity, RiskEntity, SpendActualEntity, UnitEvaluationEntity, UserEntity, appendAudit } from '@rollplan/db';
import type { ControlsActivities, RiskSummary } from '@rollplan/workflows';
import { activityKey } from './activity-key';

/** Who decided, as the audit log names an actor: their roles as they are now. */
async function actorOf(manager: EntityManager, userId: string | null) {
  if (!userId) return null;
  const user = await manager.findOne(UserEntity, { where: { id: userId }, select: { id: true, roles: true } });
  return { userId, roles: user?.roles ?? [] };
}

const summaryOf = (risk: RiskEntity): RiskSummary => ({ riskId: risk.id, title: risk.title, ownerUnitId: risk.ownerUnitId, level: risk.level as RiskLevel, status: risk.status });

/** The operating controls' read model (issue 18): milestone reports, spend, the risk register, the meeting. */
export function createControlsActivities({ dataSource }: { dataSource: DataSource }): ControlsActivities {
  const subject = (cycleId: string, period: string) => ({ subjectType: 'period', subjectId: `${cycleId}/${period}` });

  return {
    async loadMonthControls({ cycleId, version, period }) {
      // A month run on its own (tests, tools) may have no stored plan: nothing to ask but the risks.
      const plan = (await dataSource.getRepository(PlanVersionEntity).findOneBy({ cycleId, version }))?.content ?? { milestones: [], initiatives: [], allocations: [], budget: [], controls: undefined };
      // Done once is done: a milestone reported done in an earlier month is not asked about again.
      const done = await dataSource.getRepository(MilestoneReportEntity).find({ where: { cycleId, status: 'done' }, select: { milestoneId: true } });
      const { year } = parsePeriod(period);
      const units = new Map<string, (string | null)[]>();
      for (const line of budgetLines(plan).filter((l) => l.year === year)) units.set(line.unitId, [...(units.get(line.unitId) ?? []), line.initiativeId]);
      const risks = await dataSource.getRepository(RiskEntity).find({ where: { cycleId, status: 'open' }, order: { raisedAt: 'ASC' } });
      const milestones = milestonesToReport(plan, period, new Set(done.map((d) => d.milestoneId)));
      // Kept with the month, for its report.
      await dataSource.getRepository(PeriodReviewEntity).update({ cycleId, period }, { milestones: milestones as never });
      return {
        milestones,
        spendUnits: [...units].map(([unitId, initiativeIds]) => ({ unitId, initiativeIds })),
        tolerance: planControls(plan).overspendTolerance,
        risks: risks.map(summaryOf),
      };
    },

    async recordMilestoneReports({ cycleId, period, unitId, reports, decidedBy, at }) {
      await dataSource.transaction(async (manager) => {
        await manager
          .createQueryBuilder()
          .insert()
          .into(MilestoneReportEntity)
          .values(reports.map((r) => ({ cycleId, period, milestoneId: r.milestoneId, ownerUnitId: unitId, status: r.status, newDueMonth: r.newDueMonth ?? null, reason: r.reason ?? null, note: r.note ?? null, reportedBy: decidedBy, reportedAt: new Date(at) })))
          .orUpdate(['status', 'new_due_month', 'reason', 'note', 'reported_by', 'reported_at'], ['cycle_id', 'period', 'milestone_id'])
          .execute();
        await appendAudit(manager, { actor: await actorOf(manager, decidedBy), action: 'period.milestones_reported', ...subject(cycleId, period), data: { unitId, reports }, dedupeKey: activityKey() });
      });
    },

    async recordSpend({ cycleId, period, unitId, entries, actor, source, at }) {
      await dataSource.transaction(async (manager) => {
        await manager
          .createQueryBuilder()
          .insert()
          .into(SpendActualEntity)
          .values(entries.map((e) => ({ cycleId, period, unitId, initiativeId: e.initiativeId ?? '', amount: e.amount, submittedBy: actor.userId, source, recordedAt: new Date(at) })))
          // A correction replaces the earlier amount; the audit log keeps both.
          .orUpdate(['amount', 'submitted_by', 'source', 'recorded_at'], ['cycle_id', 'period', 'unit_id', 'initiative_id'])
          .execute();
        await appendAudit(manager, { actor, action: 'period.spend_recorded', ...subject(cycleId, period), data: { unitId, entries, source }, dedupeKey: activityKey() });
      });
    },

    async analyseBudget({ cycleId, version, period, tolerance }) {
      const plan = (await dataSource.getRepository(PlanVersionEntity).findOneBy({ cycleId, version }))?.content ?? { allocations: [], budget: [] };
      const { year } = parsePeriod(period);
      const rows = await dataSource
        .getRepository(SpendActualEntity)
        .createQueryBuilder('s')
        .where('s.cycle_id = :cycleId AND s.period LIKE :year AND s.period <= :period', { cycleId, year: `${year}-%`, period })
        .getMany();
      const entry = (r: SpendActualEntity): SpendEntry => ({ unitId: r.unitId, initiativeId: r.initiativeId || null, amount: r.amount });
      const earlier = new Map<string, SpendEntry>();
      for (const r of rows.filter((r) => r.period < period)) {
        const key = `${r.unitId}/${r.initiativeId}`;
        const sum = earlier.get(key);
        earlier.set(key, sum ? { ...sum, amount: sum.amount + r.amount } : entry(r));
      }
      const lines = budgetVariance(plan, period, rows.filter((r) => r.period === period).map(entry), [...earlier.values()], tolerance);
      await dataSource.getRepository(PeriodReviewEntity).update({ cycleId, period }, { budget: lines as never, updatedAt: new Date() });
      return lines;
    },

    async recordRiskRaised({ riskId, cycleId, period, risk, actor, at }) {
      return dataSource.transaction(async (manager) => {
        const found = await manager.findOneBy(RiskEntity, { id: riskId });
        if (found) return summaryOf(found);
        const level = riskLevel(risk.likelihood, risk.impact);
        const row = manager.create(RiskEntity, {
          id: riskId,
          cycleId,
          title: risk.title,
          description: risk.description,
          category: risk.category,
          ownerUnitId: risk.ownerUnitId,
          raisedBy: actor.userId,
          raisedIn: period,
          raisedAt: new Date(at),
          status: 'open',
          likelihood: risk.likelihood,
          impact: risk.impact,
          level,
          response: risk.response,
          closedAt: null,
        });
        await manager.insert(RiskEntity, row);
        await manager.insert(RiskAssessmentEntity, { riskId, period, likelihood: risk.likelihood, impact: risk.impact, level, response: risk.response, note: risk.description || null, closed: false, assessedBy: actor.userId, assessedAt: new Date(at), taskId: null });
        await appendAudit(manager, { actor, action: 'risk.raised', subjectType: 'risk', subjectId: riskId, data: { cycleId, period, title: risk.title, category: risk.category, ownerUnitId: risk.ownerUnitId, likelihood: risk.likelihood, impact: risk.impact, level, response: risk.response } });
        return summaryOf(row);
      });
    },

    async recordRiskReview({ riskId, period, taskId, review, decidedBy, at }) {
      return dataSource.transaction(async (manager) => {
        const level = riskLevel(review.likelihood, review.impact);
        const inserted = await manager
          .createQueryBuilder()
          .insert()
          .into(RiskAssessmentEntity)
          .values({ riskId, period, likelihood: review.likelihood, impact: review.impact, level, response: review.response, note: review.note || null, closed: review.closed, assessedBy: decidedBy, assessedAt: new Date(at), taskId })
          .orIgnore()
          .returning(['id'])
          .execute();
        const risk = await manager.findOneByOrFail(RiskEntity, { id: riskId });
        // A retry finds its assessment already there: the risk was updated with it.
        if (inserted.raw.length === 0) return summaryOf(risk);
        Object.assign(risk, { likelihood: review.likelihood, impact: review.impact, level, response: review.response, ...(review.closed ? { status: 'closed', closedAt: new Date(at) } : {}) });
        await manager.save(risk);
        await appendAudit(manager, { actor: await actorOf(manager, decidedBy), action: review.closed ? 'risk.closed' : 'risk.reviewed', subjectType: 'risk', subjectId: riskId, data: { period, taskId, likelihood: review.likelihood, impact: review.impact, level, response: review.response } });
        return summaryOf(risk);
      });
    },

    async prepareEvaluations({ cycleId, version, period }) {
      const spans = evaluationSpans(period);
      if (spans.length === 0) return [];
      const plan = (await dataSource.getRepository(PlanVersionEntity).findOneBy({ cycleId, version }))?.content;
      if (!plan) return [];
      const weights = planControls(plan).evaluationWeights;
      const reports = await dataSource.getRepository(MilestoneReportEntity).find({ where: { cycleId }, select: { milestoneId: true, period: true, status: true } });
      const result = [];
      for (const { span, kind, months } of spans) {
        const [reviews, spend] = await Promise.all([
          dataSource.getRepository(PeriodReviewEntity).findBy({ cycleId, period: In(months) }),
          dataSource.getRepository(SpendActualEntity).findBy({ cycleId, period: In(months) }),
        ]);
        const inputs = new Map<string, UnitEvaluationInput>();
        const of = (unitId: string) => {
          let input = inputs.get(unitId);
          if (!input) inputs.set(unitId, (input = { unitId, kpiAttainments: [], milestones: { due: 0, doneOnTime: 0, late: 0 }, budget: { budget: 0, spent: 0 } }));
          return input;
        };
        // A missing actual counts 0; an infinite attainment (stored as null: a zero actual of a lower-is-better KPI) is met.
        for (const review of reviews) for (const e of review.evaluations) of(e.ownerUnitId).kpiAttainments.push(e.status === 'missing' ? 0 : (e.attainment ?? 1));
        const due = trackedMilestones(plan).filter((m) => months.includes(m.dueMonth));
        for (const unitId of new Set(due.map((m) => m.ownerUnitId))) of(unitId).milestones = milestoneRecord(due.filter((m) => m.ownerUnitId === unitId), reports);
        for (const line of budgetLines(plan)) {
          for (const m of months) if (parsePeriod(m).year === line.year) of(line.unitId).budget.budget += line.phasing[parsePeriod(m).month - 1];
        }
        for (const row of spend) of(row.unitId).budget.spent += row.amount;
        const evaluations = [...inputs.values()].filter(isEvaluable).map((input) => ({ input, evaluation: evaluateUnit(input, weights) }));
        if (evaluations.length > 0) {
          await dataSource
            .createQueryBuilder()
            .insert()
            .into(UnitEvaluationEntity)
            .values(evaluations.map(({ input, evaluation: e }) => ({ cycleId, span, unitId: e.unitId, kind, kpiScore: e.kpiScore, milestoneScore: e.milestoneScore, budgetScore: e.budgetScore, score: e.score, grade: e.grade, inputs: { ...input, weights } })))
            .orIgnore()
            .execute();
        }
        // As stored: a retry (or a month reopened and closed again) keeps the first computation.
        const stored = await dataSource.getRepository(UnitEvaluationEntity).find({ where: { cycleId, span }, order: { unitId: 'ASC' } });
        const units: UnitEvaluation[] = stored.map((r) => ({ unitId: r.unitId, kpiScore: r.kpiScore, milestoneScore: r.milestoneScore, budgetScore: r.budgetScore, score: r.score, grade: r.grade as UnitEvaluation['grade'] }));
        result.push({ span, kind, units: stored.some((r) => r.status === 'signed_off') ? [] : units });
      }
      return result;
    },

    async signOffEvaluations({ cycleId, span, signOff, decidedBy, at }) {
      await dataSource.transaction(async (manager) => {
        const drafts = await manager.find(UnitEvaluationEntity, { where: { cycleId, span, status: 'draft' } });
        for (const row of drafts) {
          const adjustment = signOff.adjustments.find((a) => a.unitId === row.unitId);
          await manager.update(
            UnitEvaluationEntity,
            { cycleId, span, unitId: row.unitId, status: 'draft' },
            { status: 'signed_off', adjustedScore: adjustment?.score ?? null, adjustmentReason: adjustment?.reason ?? null, finalGrade: gradeOf(adjustment?.score ?? row.score), note: signOff.note || null, signedOffBy: decidedBy, signedOffAt: new Date(at) },
          );
        }
        if (drafts.length > 0) {
          await appendAudit(manager, { actor: await actorOf(manager, decidedBy), action: 'evaluation.signed_off', subjectType: 'evaluation', subjectId: `${cycleId}/${span}`, data: { units: drafts.length, adjustments: signOff.adjustments }, dedupeKey: activityKey() });
        }
      });
    },

    async recordAgenda({ cycleId, period, agenda }) {
      await dataSource.getRepository(PeriodReviewEntity).update({ cycleId, period }, { agenda: agenda as never, updatedAt: new Date() });
    },

    async recordMeetingMinutes({ cycleId, period, minutes, decidedBy, at }) {
      await dataSource.transaction(async (manager) => {
        await manager.getRepository(PeriodReviewEntity).update({ cycleId, period }, { minutes: { ...minutes, recordedAt: at, recordedBy: decidedBy } as never, updatedAt: new Date() });
        const decisions = minutes.items.reduce((n, item) => n + item.decisions.length, 0);
        await appendAudit(manager, { actor: await actorOf(manager, decidedBy), action: 'period.meeting_recorded', ...subject(cycleId, period), data: { items: minutes.items.map((i) => i.itemId), decisions }, dedupeKey: activityKey() });
      });
    },
  };
}

