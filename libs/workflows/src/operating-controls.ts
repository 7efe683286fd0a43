import { ApplicationFailure, proxyActivities, setHandler, uuid4 } from '@temporalio/workflow';
import {
  BudgetStatus,
  Role,
  checkMilestoneReports,
  checkMinutes,
  checkSpend,
  evaluationSpans,
  hasAnyRole,
  meetingAgenda,
  milestoneDeviation,
  type BudgetVarianceLine,
  type EvaluationSignOff,
  type UnitEvaluation,
  type KpiEvaluation,
  type MeetingMinutes,
  type MilestoneReport,
  type MonthTarget,
  type RiskReviewPayload,
  type TrackedMilestone,
} from '@rollplan/domain/rules';
import type { ControlsActivities, MonthControls, RiskSummary } from './activities';
import type { TaskBoard } from './human-task';
import type { TaskDecision, TaskSpec } from './human-task.messages';
import { raiseRiskUpdate, reportSpendUpdate, type ControlsStatus } from './monthly-review.messages';
import { FailureType } from './names';

const activities = proxyActivities<ControlsActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

function fail(type: string, message: string, details?: unknown[]): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true, details });
}

/** What the month's execution lends the controls. */
export interface MonthContext {
  readonly cycleId: string;
  readonly period: string;
  readonly version: number;
  readonly targets: MonthTarget[];
  readonly board: TaskBoard;
  /** Whether the month still takes reports (not frozen, not closed). */
  open(): boolean;
  /** Due in `days` working days (calendar days in months without a calendar). */
  dueIn(days: number): string;
  escalation(dueAt: string): TaskSpec['escalation'];
  /** Follows a task to its decision in the background; decisions come back through `onDecided`. */
  follow(decided: Promise<TaskDecision | undefined>): void;
  /** The month's reports changed after its analysis: analyse again. */
  reanalyse(): Promise<void>;
  readonly planningOfficeUnitId?: string;
}

/**
 * The controls a planning office runs beside the KPI loop (issue 18; seed 003 §四, seed 004),
 * inside one month's execution: each owner's word on its milestones, spend against the cost
 * budget, the monthly review of each open risk, and the operations meeting whose agenda comes
 * from the month's analysis and whose decisions become tracked actions. A late milestone and an
 * overspend beyond tolerance are deviations like an off-track KPI: a cause analysis each.
 */
export class OperatingControls {
  readonly status: ControlsStatus;
  private readonly spendTasks = new Map<string, string>();
  /** Deviations already asked about this month (`milestone:<id>`, `budget:<unit>/<initiative>`). */
  private readonly causesAsked = new Set<string>();
  /** Set before the meeting task's opening is awaited: two analyses in a row open one meeting. */
  private meetingOpened = false;

  constructor(
    private readonly month: MonthContext,
    controls: MonthControls,
  ) {
    this.status = { milestones: controls.milestones, milestoneReports: {}, spendUnits: controls.spendUnits, tolerance: controls.tolerance, spend: [], budget: [], risks: controls.risks, agenda: [] };
    month.board
      .checkDecisionsWith('monthly.milestones', (task, payload) => {
        const mine = this.status.milestones.filter((m) => m.ownerUnitId === task.spec.links?.unitId);
        return checkMilestoneReports((payload.reports ?? []) as MilestoneReport[], mine, month.period, (i, field) => `payload.reports.${i}.${field}`).concat(
          mine.filter((m) => !((payload.reports ?? []) as MilestoneReport[]).some((r) => r.milestoneId === m.milestoneId)).map((m) => ({ path: 'payload.reports', message: `no word on milestone ${m.milestoneId} (${m.title})` })),
        );
      })
      .checkDecisionsWith('monthly.operations_meeting', (_task, payload) =>
        checkMinutes(payload as unknown as MeetingMinutes, this.status.agenda).map((p) => ({ ...p, path: `payload.${p.path}` })),
      )
      .checkDecisionsWith('evaluation.sign_off', (task, payload) => {
        const evaluated = new Set(((task.spec.context?.evaluations ?? []) as UnitEvaluation[]).map((e) => e.unitId));
        return ((payload as unknown as EvaluationSignOff).adjustments ?? []).flatMap((a, i) => (evaluated.has(a.unitId) ? [] : [{ path: `payload.adjustments.${i}.unitId`, message: 'no evaluation of this unit in the span' }]));
      });
    this.installHandlers();
  }

  /** Opens the month's reporting tasks: milestones and spend (due with the actuals), and a review of each open risk. */
  open(actualsDueAt: string): void {
    const { month, status } = this;
    for (const unitId of [...new Set(status.milestones.map((m) => m.ownerUnitId))]) {
      const titles = status.milestones.filter((m) => m.ownerUnitId === unitId).map((m) => m.title);
      const mine = status.milestones.filter((m) => m.ownerUnitId === unitId);
      // `prefill`: what the form starts from (one report per milestone to answer).
      const context = { milestones: mine, prefill: { reports: mine.map((m) => ({ milestoneId: m.milestoneId })) } };
      month.follow(month.board.decide({ ...this.spec('monthly.milestones', `Milestone progress for ${month.period}: ${titles.join(', ')}`, unitId, actualsDueAt, { period: month.period, unitId }), context }));
    }
    for (const { unitId } of status.spendUnits) {
      month.follow(month.board.decideTracked(this.spec('monthly.spend', `Spend for ${month.period} against the cost budget`, unitId, actualsDueAt, { period: month.period, unitId }), (taskId) => this.spendTasks.set(unitId, taskId)));
    }
    for (const risk of status.risks.filter((r) => r.status === 'open')) {
      const dueAt = actualsDueAt;
      const spec = this.spec('monthly.risk_review', `Review risk "${risk.title}" (${risk.level}) for ${month.period}`, risk.ownerUnitId, dueAt, { period: month.period, riskId: risk.riskId });
      month.follow(month.board.decide({ ...spec, context: { risk } }));
    }
  }

  /**
   * After the KPIs are evaluated: the budget against spend, a cause analysis for each new
   * deviation, and the meeting's agenda (the meeting task opens with the first analysis).
   */
  async analyse(evaluations: KpiEvaluation[], overdueActions: { taskId: string; what: string; ownerUnitId: string | null; dueAt: string }[]): Promise<void> {
    const { month, status } = this;
    status.budget = await activities.analyseBudget({ cycleId: month.cycleId, version: month.version, period: month.period, tolerance: status.tolerance });
    for (const line of status.budget.filter((l) => l.status === BudgetStatus.Overspent)) this.askCause(`budget:${line.unitId}/${line.initiativeId ?? '-'}`, this.budgetCauseSpec(line));
    for (const m of this.lateMilestones()) this.askCause(`milestone:${m.milestoneId}`, this.milestoneCauseSpec(m));
    status.agenda = meetingAgenda({
      kpis: evaluations.map((e) => {
        const target = month.targets.find((t) => t.kpiId === e.kpiId)!;
        return { kpiId: e.kpiId, name: target.name, ownerUnitId: e.ownerUnitId, status: e.status, actual: e.actual, target: e.target, unit: target.unit };
      }),
      milestones: status.milestones.map((m) => ({ milestoneId: m.milestoneId, title: m.title, ownerUnitId: m.ownerUnitId, late: this.isLate(m), newDueMonth: status.milestoneReports[m.milestoneId]?.newDueMonth ?? null })),
      budget: status.budget,
      risks: status.risks.filter((r) => r.status === 'open'),
      actions: overdueActions.map((a) => ({ ...a, overdue: true })),
    });
    await activities.recordAgenda({ cycleId: month.cycleId, period: month.period, agenda: status.agenda });
    if (!this.meetingOpened && month.planningOfficeUnitId) {
      this.meetingOpened = true;
      const dueAt = month.dueIn(10);
      const spec = this.spec('monthly.operations_meeting', `Operations meeting on ${month.period}: record the minutes of each agenda item`, month.planningOfficeUnitId, dueAt, { period: month.period });
      const context = { agenda: status.agenda, prefill: { items: status.agenda.map((a) => ({ itemId: a.id, decisions: [] })) } };
      month.follow(month.board.decide({ ...spec, context, escalation: { remindBeforeMs: spec.escalation.remindBeforeMs, chain: [], graceMs: 0 } }));
    }
  }

  /** A decision on one of the controls' tasks; false when it is not theirs. */
  async onDecided(decision: TaskDecision, spec: TaskSpec): Promise<boolean> {
    const { month, status } = this;
    const decidedBy = decision.decidedBy ?? null;
    if (spec.kind === 'monthly.milestones') {
      const reports = ((decision.payload?.reports ?? []) as MilestoneReport[]).map((r) => ({ ...r }));
      for (const r of reports) status.milestoneReports[r.milestoneId] = r;
      await activities.recordMilestoneReports({ cycleId: month.cycleId, period: month.period, unitId: spec.links!.unitId, reports, decidedBy, at: decision.decidedAt });
      if (status.budget.length > 0 || status.agenda.length > 0) await month.reanalyse();
      else for (const m of this.lateMilestones()) this.askCause(`milestone:${m.milestoneId}`, this.milestoneCauseSpec(m));
      return true;
    }
    if (spec.kind === 'monthly.risk_review') {
      const review = decision.payload as unknown as RiskReviewPayload;
      const summary = await activities.recordRiskReview({ riskId: spec.links!.riskId, period: month.period, taskId: decision.taskId, review, decidedBy, at: decision.decidedAt });
      this.updateRisk(summary);
      this.openMitigation(review.mitigation, { riskId: summary.riskId });
      return true;
    }
    if (spec.kind === 'monthly.operations_meeting') {
      const minutes = decision.payload as unknown as MeetingMinutes;
      await activities.recordMeetingMinutes({ cycleId: month.cycleId, period: month.period, minutes, decidedBy, at: decision.decidedAt });
      // Each decision of the meeting becomes a tracked action, linked back to its agenda item.
      for (const item of minutes.items) {
        const agendaItem = status.agenda.find((a) => a.id === item.itemId);
        for (const d of item.decisions) {
          month.follow(
            month.board.decide(
              this.spec('monthly.action', d.what, d.ownerUnitId, d.dueAt, {
                fromPeriod: month.period,
                meetingItem: item.itemId,
                ...(agendaItem?.kind === 'kpi' ? { kpiId: agendaItem.ref } : {}),
                ...(agendaItem?.kind === 'risk' ? { riskId: agendaItem.ref } : {}),
                ...(agendaItem?.kind === 'milestone' ? { milestoneId: agendaItem.ref } : {}),
              }),
            ),
          );
        }
      }
      return true;
    }
    if (spec.kind === 'evaluation.sign_off') {
      await activities.signOffEvaluations({ cycleId: month.cycleId, span: spec.links!.span, signOff: decision.payload as unknown as EvaluationSignOff, decidedBy, at: decision.decidedAt });
      return true;
    }
    return spec.kind === 'monthly.spend';
  }

  /**
   * At the close: reporting tasks nobody answered end with the month (the next month asks again);
   * a month that ends a quarter (or the year) has its units evaluated, and the planning office
   * signs the evaluations off — a task the next month takes over.
   */
  async close(): Promise<void> {
    const { month } = this;
    const { board, period } = month;
    const ofMonth = new Set(['monthly.milestones', 'monthly.spend', 'monthly.risk_review', 'monthly.operations_meeting']);
    for (const task of board.openTasks().filter((t) => ofMonth.has(t.spec.kind))) await board.cancelTask(task.id, `the period ${period} closed`);
    // Only a quarter's last month evaluates (no activity otherwise).
    if (!month.planningOfficeUnitId || evaluationSpans(period).length === 0) return;
    for (const { span, kind, units } of await activities.prepareEvaluations({ cycleId: month.cycleId, version: month.version, period })) {
      if (units.length === 0) continue;
      const dueAt = month.dueIn(10);
      const title = `Sign off the ${kind === 'year' ? 'annual' : 'quarterly'} evaluations of ${span} (${units.length} units)`;
      month.follow(board.decide({ ...this.spec('evaluation.sign_off', title, month.planningOfficeUnitId, dueAt, { span, period }), context: { span, kind, evaluations: units } }));
    }
  }

  private installHandlers(): void {
    const { month, status } = this;
    setHandler(
      reportSpendUpdate,
      async ({ unitId, entries, actor, source }) => {
        const normalised = entries.map((e) => ({ unitId, initiativeId: e.initiativeId ?? null, amount: e.amount }));
        await activities.recordSpend({ cycleId: month.cycleId, period: month.period, unitId, entries: normalised, actor, source, at: new Date().toISOString() });
        status.spend = [...status.spend.filter((s) => s.unitId !== unitId || !normalised.some((n) => n.initiativeId === s.initiativeId)), ...normalised];
        const taskId = this.spendTasks.get(unitId);
        if (taskId && month.board.openTasks().some((t) => t.id === taskId)) await month.board.settle(taskId, 'submitted', actor);
        if (status.budget.length > 0 || status.agenda.length > 0) await month.reanalyse();
        return status;
      },
      {
        validator: ({ unitId, entries, actor }) => {
          if (!month.open()) fail(FailureType.Conflict, `the period ${month.period} is closed; the planning office can reopen it`);
          if (!hasAnyRole(actor, [Role.Admin]) && actor.unitId !== unitId) fail(FailureType.Forbidden, 'a unit reports its own spend');
          const lines = status.spendUnits.find((u) => u.unitId === unitId);
          if (!lines) fail(FailureType.ValidationFailed, 'invalid spend', [{ path: 'unitId', message: `the unit has no cost budget in ${month.period.slice(0, 4)}` }]);
          const problems = checkSpend(entries, lines.initiativeIds.map((initiativeId) => ({ initiativeId })));
          if (problems.length > 0) fail(FailureType.ValidationFailed, 'invalid spend', problems);
        },
      },
    );
    setHandler(
      raiseRiskUpdate,
      async ({ risk, actor }) => {
        const riskId = uuid4();
        const summary = await activities.recordRiskRaised({ riskId, cycleId: month.cycleId, period: month.period, risk, actor, at: new Date().toISOString() });
        this.updateRisk(summary);
        this.openMitigation(risk.mitigation, { riskId });
        return summary;
      },
      {
        validator: ({ actor }) => {
          if (!month.open()) fail(FailureType.Conflict, `the period ${month.period} is closed: raise the risk in the month now open`);
          if (!hasAnyRole(actor, [Role.Admin, Role.Contributor])) fail(FailureType.Forbidden, 'the planning office and the units raise risks');
        },
      },
    );
  }

  private isLate(m: TrackedMilestone): boolean {
    const report = this.status.milestoneReports[m.milestoneId];
    // Before its owner has reported, only a milestone already past its due month counts as late.
    return report ? milestoneDeviation(m, report, this.month.period) : m.dueMonth < this.month.period;
  }

  private lateMilestones(): TrackedMilestone[] {
    return this.status.milestones.filter((m) => this.isLate(m));
  }

  private askCause(key: string, spec: TaskSpec): void {
    if (this.causesAsked.has(key)) return;
    this.causesAsked.add(key);
    this.month.follow(this.month.board.decide(spec));
  }

  private milestoneCauseSpec(m: TrackedMilestone): TaskSpec {
    const report = this.status.milestoneReports[m.milestoneId];
    const when = report?.newDueMonth ? `, now expected ${report.newDueMonth}` : '';
    return this.spec('monthly.cause_analysis', `Milestone "${m.title}" (due ${m.dueMonth}) is late${when}: what caused it?`, m.ownerUnitId, this.month.dueIn(5), {
      period: this.month.period,
      milestoneId: m.milestoneId,
      ...(m.initiativeId ? { initiativeId: m.initiativeId } : {}),
      version: String(this.month.version),
    });
  }

  private budgetCauseSpec(line: BudgetVarianceLine): TaskSpec {
    const what = line.initiativeId ? `initiative ${line.initiativeId}` : 'running costs';
    return this.spec('monthly.cause_analysis', `Spend on ${what} is over budget in ${this.month.period} (${line.ytdSpent} against ${line.ytdBudget} this year): what caused it?`, line.unitId, this.month.dueIn(5), {
      period: this.month.period,
      budgetUnitId: line.unitId,
      ...(line.initiativeId ? { initiativeId: line.initiativeId } : {}),
      version: String(this.month.version),
    });
  }

  private openMitigation(actions: { what: string; ownerUnitId: string; dueAt: string }[], links: Record<string, string>): void {
    for (const action of actions) this.month.follow(this.month.board.decide(this.spec('monthly.action', action.what, action.ownerUnitId, action.dueAt, { fromPeriod: this.month.period, ...links })));
  }

  private updateRisk(summary: RiskSummary): void {
    const { status } = this;
    status.risks = [...status.risks.filter((r) => r.riskId !== summary.riskId), summary];
  }

  private spec(kind: TaskSpec['kind'], title: string, unitId: string, dueAt: string, links: Record<string, string>): TaskSpec {
    return { kind, title, assignee: { type: 'unit', unitId }, dueAt, escalation: this.month.escalation(dueAt), cycleId: this.month.cycleId, links };
  }
}

