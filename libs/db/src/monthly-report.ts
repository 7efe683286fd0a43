import { In, type EntityManager } from 'typeorm';
import { KpiStatus, Trend, evaluationSpans, milestoneDeviation, needsCommitteeAttention, type AgendaItem, type BudgetVarianceLine, type CauseCategory, type MonthlyReport, type RiskLevel, type TrackedMilestone } from '@rollplan/domain';
import { MilestoneReportEntity, RiskEntity, UnitEvaluationEntity } from './entities/controls.entities';
import { CycleEntity } from './entities/cycle.entity';
import { AuditLogEntity, OrgUnitEntity, UserEntity } from './entities/identity.entities';
import { KpiActualEntity, PeriodReviewEntity } from './entities/monitoring.entities';
import { TaskEntity } from './entities/task.entities';

/**
 * The month's summary from the read models: KPIs against targets, causes, the corrective
 * actions (those opened this month and those still open from earlier ones) and the decisions
 * taken on the period. Undefined when the period has not started.
 */
export async function buildMonthlyReport(manager: EntityManager, cycleId: string, period: string): Promise<MonthlyReport | undefined> {
  const review = await manager.getRepository(PeriodReviewEntity).findOneBy({ cycleId, period });
  if (!review) return undefined;
  const spans = evaluationSpans(period).map((s) => s.span);
  const [cycle, actuals, units, tasks, events, milestoneReports, risks, evaluations] = await Promise.all([
    manager.getRepository(CycleEntity).findOneByOrFail({ id: cycleId }),
    manager.getRepository(KpiActualEntity).findBy({ cycleId, period }),
    manager.getRepository(OrgUnitEntity).find(),
    manager
      .getRepository(TaskEntity)
      .createQueryBuilder('t')
      .where('t.cycle_id = :cycleId', { cycleId })
      .andWhere(`t.kind IN ('monthly.cause_analysis', 'monthly.action')`)
      .andWhere(`(t.links->>'period' = :period OR t.links->>'fromPeriod' = :period OR (t.kind = 'monthly.action' AND t.links->>'fromPeriod' < :period AND t.status IN ('open', 'claimed')))`, { period })
      .orderBy('t.opened_at', 'ASC')
      .getMany(),
    manager
      .getRepository(AuditLogEntity)
      .createQueryBuilder('a')
      .where(`a.subject_type = 'period' AND a.subject_id = :subject`, { subject: `${cycleId}/${period}` })
      .orderBy('a.id', 'ASC')
      .getMany(),
    manager.getRepository(MilestoneReportEntity).findBy({ cycleId, period }),
    // Open risks, and those closed this month.
    manager
      .getRepository(RiskEntity)
      .createQueryBuilder('r')
      .where(`r.cycle_id = :cycleId AND r.raised_in <= :period AND (r.status = 'open' OR to_char(r.closed_at, 'YYYY-MM') >= :period)`, { cycleId, period })
      .orderBy('r.raised_at', 'ASC')
      .getMany(),
    spans.length ? manager.getRepository(UnitEvaluationEntity).find({ where: { cycleId, span: In(spans) }, order: { span: 'ASC', unitId: 'ASC' } }) : Promise.resolve([]),
  ]);
  const unitName = new Map(units.map((u) => [u.id, u.name]));
  const actorIds = [...new Set(events.map((e) => e.actorId).filter((id): id is string => id !== null))];
  const people = new Map((actorIds.length ? await manager.getRepository(UserEntity).findBy({ id: In(actorIds) }) : []).map((u) => [u.id, u.displayName]));
  const actual = new Map(actuals.map((a) => [a.kpiId, a.value]));
  const evaluation = new Map(review.evaluations.map((e) => [e.kpiId, e]));

  return {
    cycleId,
    cycleTitle: cycle.title,
    period,
    version: review.version,
    status: review.status,
    generatedAt: new Date().toISOString(),
    kpis: review.targets.map((t) => {
      const e = evaluation.get(t.kpiId);
      const value = actual.get(t.kpiId) ?? null;
      return {
        kpiId: t.kpiId,
        name: t.name,
        unit: t.unit,
        direction: t.direction,
        ownerUnit: unitName.get(t.ownerUnitId) ?? t.ownerUnitId,
        target: t.target,
        actual: value,
        variance: e?.variance ?? (value === null ? null : value - t.target),
        variancePct: e?.variancePct ?? null,
        status: e?.status ?? KpiStatus.Missing,
        trend: e?.trend ?? Trend.New,
      };
    }),
    causes: tasks
      .filter((t) => t.kind === 'monthly.cause_analysis' && t.links.period === period)
      .map((t) => ({
        kpiId: t.links.kpiId ?? null,
        milestoneId: t.links.milestoneId ?? null,
        budgetUnit: t.links.budgetUnitId ? (unitName.get(t.links.budgetUnitId) ?? t.links.budgetUnitId) : null,
        initiativeId: t.links.initiativeId ?? null,
        ownerUnit: unitName.get(ownerOf(t)) ?? ownerOf(t),
        category: ((t.payload?.category as CauseCategory | undefined) ?? null),
        narrative: (t.payload?.narrative as string | undefined) ?? null,
        status: t.status,
      })),
    actions: tasks
      .filter((t) => t.kind === 'monthly.action')
      .map((t) => ({
        id: t.id,
        what: t.title,
        ownerUnit: unitName.get(ownerOf(t)) ?? ownerOf(t),
        dueAt: t.dueAt.toISOString(),
        kpiId: t.links.kpiId ?? null,
        initiativeId: t.links.initiativeId ?? null,
        riskId: t.links.riskId ?? null,
        meetingItem: t.links.meetingItem ?? null,
        status: t.status,
        fromPeriod: t.links.fromPeriod,
      })),
    milestones: monthMilestones(review, milestoneReports).map(({ m, report }) => ({
      milestoneId: m.milestoneId,
      title: m.title,
      ownerUnit: unitName.get(m.ownerUnitId) ?? m.ownerUnitId,
      dueMonth: m.dueMonth,
      status: report?.status ?? 'not_reported',
      newDueMonth: report?.newDueMonth ?? null,
      reason: report?.reason ?? null,
      late: milestoneDeviation(m, report ? { milestoneId: report.milestoneId, status: report.status, ...(report.newDueMonth ? { newDueMonth: report.newDueMonth } : {}) } : undefined, period),
    })),
    budget: (review.budget as BudgetVarianceLine[]).map(({ unitId, ...line }) => ({ ...line, unit: unitName.get(unitId) ?? unitId })),
    risks: risks.map((r) => ({
      riskId: r.id,
      title: r.title,
      category: r.category,
      ownerUnit: unitName.get(r.ownerUnitId) ?? r.ownerUnitId,
      likelihood: r.likelihood,
      impact: r.impact,
      level: r.level as RiskLevel,
      response: r.response,
      status: r.status,
      committeeAttention: r.status === 'open' && needsCommitteeAttention(r.level as RiskLevel),
    })),
    meeting: { agenda: review.agenda as AgendaItem[], minutes: (review.minutes as MonthlyReport['meeting']['minutes']) ?? null },
    evaluations: evaluations.map((e) => ({
      span: e.span,
      unit: unitName.get(e.unitId) ?? e.unitId,
      kpiScore: e.kpiScore,
      milestoneScore: e.milestoneScore,
      budgetScore: e.budgetScore,
      score: e.score,
      grade: e.grade,
      adjustedScore: e.adjustedScore,
      finalGrade: e.finalGrade,
      status: e.status,
    })),
    units: Object.fromEntries(units.map((u) => [u.id, u.name])),
    decisions: events.map((e) => ({
      at: e.at.toISOString(),
      by: e.actorId ? (people.get(e.actorId) ?? e.actorId) : null,
      what: describe(e.action, e.data as Record<string, unknown>),
    })),
  };
}

/** The milestones the month asked about, each with its owner's word (none in months before the operating controls). */
function monthMilestones(review: PeriodReviewEntity, reports: MilestoneReportEntity[]): { m: TrackedMilestone; report: MilestoneReportEntity | undefined }[] {
  const byId = new Map(reports.map((r) => [r.milestoneId, r]));
  return (review.milestones as TrackedMilestone[]).map((m) => ({ m, report: byId.get(m.milestoneId) }));
}

/** The unit a task was opened for (its assignee may since have escalated elsewhere). */
function ownerOf(task: TaskEntity): string {
  return task.assignee.type === 'unit' ? task.assignee.unitId : (task.links.unitId ?? '');
}

function describe(action: string, data: Record<string, unknown>): string {
  const reason = data.reason ? ` (${String(data.reason)})` : '';
  switch (action) {
    case 'period.actuals_recorded':
      return `actuals recorded for ${(data.kpiIds as string[]).join(', ')} via ${String(data.source)}`;
    case 'period.closed_early':
      return `period closed early${reason}`;
    case 'period.extended':
      return `period extended to ${String(data.closesAt)}${reason}`;
    case 'period.closed':
      return 'period closed';
    default:
      return action;
  }
}
