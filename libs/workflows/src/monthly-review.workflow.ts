import { ApplicationFailure, CancellationScope, allHandlersFinished, condition, isCancellation, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  CauseCategory,
  KpiStatus,
  Role,
  checkActuals,
  evaluateKpi,
  foreignKpis,
  hasAnyRole,
  type Actor,
  type CauseAnalysis,
  type KpiEvaluation,
} from '@rollplan/domain/rules';
import type { ControlsActivities, MonitoringActivities } from './activities';
import { TaskBoard } from './human-task';
import type { TaskDecision, TaskSpec, TaskState } from './human-task.messages';
import { FailureType, Patch } from './names';
import {
  closePeriodSignal,
  closePeriodUpdate,
  extendPeriodSignal,
  extendPeriodUpdate,
  periodStatusQuery,
  submitActualsUpdate,
  type MonthlyReviewInput,
  type MonthlyReviewResult,
  type PeriodStatus,
} from './monthly-review.messages';
import { dueInDays, escalationInDays } from './business-days';
import { OperatingControls } from './operating-controls';
import { hasPatch, startFromBaseline } from './patches';

const activities = proxyActivities<MonitoringActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

const { loadMonthControls } = proxyActivities<ControlsActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

const DAY = 86_400_000;

function fail(type: string, message: string, details?: unknown[]): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true, details });
}

/**
 * One month of the loop (seed 000 monthly targets, seed 003 §三.四–五, seed 004): collect each
 * owner's actuals, analyse them against the month's targets, ask owners the cause of every
 * off-track KPI and track the corrective actions they commit to. Runs from the month's end to
 * its close (by default the end of the following month); open causes and actions go to the
 * next month's execution.
 */
export async function monthlyReview(input: MonthlyReviewInput): Promise<MonthlyReviewResult> {
  startFromBaseline(input.baseline);
  return new MonthlyReview(input).run();
}

/** The state of one month's review and the messages it answers; `run` is the month from end to close. */
class MonthlyReview {
  private readonly board = new TaskBoard().install();
  private readonly status: PeriodStatus;
  private readonly owners: string[];
  /** The actuals task of each owner unit. */
  private readonly actualsTasks = new Map<string, string>();
  /** KPIs whose cause analysis was asked for this month. */
  private readonly causeTasks = new Set<string>();
  // Signals cannot wait for activities: their records are written in order by the main flow.
  private readonly journal: Parameters<MonitoringActivities['recordPeriodEvent']>[0][] = [];
  private reports = 0;
  /** Milestones, spend, risks and the operations meeting (months opened since v0.12). */
  private controls?: OperatingControls;

  constructor(private readonly input: MonthlyReviewInput) {
    this.status = {
      cycleId: input.cycleId,
      period: input.period,
      version: input.version,
      phase: 'collecting',
      frozen: false,
      actualsDueAt: input.actualsDueAt,
      closesAt: input.closesAt,
      targets: input.targets,
      actuals: {},
      evaluations: [],
      extensions: [],
    };
    this.owners = [...new Set(input.targets.map((t) => t.ownerUnitId))];
    this.installHandlers();
  }

  async run(): Promise<MonthlyReviewResult> {
    const { input, status, board } = this;
    try {
      await activities.recordPeriodOpened({
        cycleId: input.cycleId,
        period: input.period,
        version: input.version,
        workflowId: workflowInfo().workflowId,
        targets: input.targets,
        actualsDueAt: input.actualsDueAt,
        closesAt: input.closesAt,
      });
      // Patch log: docs/temporal.md. Months before it asked for the KPIs' actuals only.
      if (hasPatch(Patch.OperatingControls)) {
        this.controls = new OperatingControls(this.context(), await loadMonthControls({ cycleId: input.cycleId, period: input.period, version: input.version }));
        status.controls = this.controls.status;
      }
      for (const task of input.carried) this.follow(board.adopt(task));
      for (const unitId of this.owners) {
        const kpis = input.targets.filter((t) => t.ownerUnitId === unitId).map((t) => t.name);
        this.follow(
          board.decideTracked(
            {
              kind: 'monthly.actuals',
              title: `Actuals for ${input.period}: ${kpis.join(', ')}`,
              assignee: { type: 'unit', unitId },
              dueAt: input.actualsDueAt,
              escalation: this.officeEscalation(input.actualsDueAt),
              cycleId: input.cycleId,
              links: { period: input.period, unitId },
            },
            (taskId) => this.actualsTasks.set(unitId, taskId),
          ),
        );
      }

      this.controls?.open(input.actualsDueAt);

      // Collect until every actual is in, the admin closes early, or the close time comes.
      while (!this.allIn() && !status.frozen && !this.closeDue()) {
        const closesAt = status.closesAt;
        await condition(() => this.allIn() || status.frozen || this.journal.length > 0 || status.closesAt !== closesAt, Math.max(1, Date.parse(closesAt) - Date.now()));
        await this.writeJournal();
      }
      await this.analyse();

      // Until the close: corrections re-analyse (in the update); an early close renders the report
      // and freezes the month; an extension reopens it.
      let reportedFrozen = false;
      for (;;) {
        await this.writeJournal();
        if (status.frozen && !reportedFrozen) await this.report();
        reportedFrozen = status.frozen;
        if (this.closeDue()) break;
        const closesAt = status.closesAt;
        await condition(() => this.journal.length > 0 || status.closesAt !== closesAt, Math.max(1, Date.parse(closesAt) - Date.now()));
      }

      status.frozen = true;
      for (const taskId of this.actualsTasks.values()) {
        if (board.openTasks().some((t) => t.id === taskId)) await board.cancelTask(taskId, `the period ${input.period} closed`);
      }
      await this.controls?.close();
      await board.idle();
      // Patch log: docs/temporal.md. An actuals task still being opened at the close (or carried in
      // by a month before this fix) is cancelled as well: no month hands its actuals tasks on.
      if (hasPatch(Patch.MonthCloseSettlesActuals)) {
        for (const task of board.openTasks().filter((t) => t.spec.kind === 'monthly.actuals')) await board.cancelTask(task.id, `the period ${task.spec.links?.period ?? input.period} closed`);
      }
      status.phase = 'closed';
      await activities.recordPeriodEvent({ cycleId: input.cycleId, period: input.period, event: 'closed', at: now() });
      if (!reportedFrozen) await this.report();
      await condition(allHandlersFinished);
      const open: TaskState[] = board.openTasks().map((t) => ({ ...t }));
      return { period: input.period, evaluations: status.evaluations, open };
    } catch (error) {
      if (isCancellation(error)) await CancellationScope.nonCancellable(() => board.cancelOpen('the cycle ended (cancelled or closed)'));
      throw error;
    }
  }

  private installHandlers(): void {
    const { input, status, board } = this;
    setHandler(periodStatusQuery, () => status);
    setHandler(
      submitActualsUpdate,
      async ({ values, source, importId, actor }) => {
        const owner = new Map(input.targets.map((t) => [t.kpiId, t.ownerUnitId]));
        await activities.recordActuals({
          cycleId: input.cycleId,
          period: input.period,
          values: values.map((v) => ({ kpiId: v.kpiId, value: v.value, ownerUnitId: owner.get(v.kpiId)! })),
          actor,
          source,
          importId,
          at: now(),
        });
        for (const v of values) status.actuals[v.kpiId] = v.value;
        for (const unitId of this.owners) {
          const taskId = this.actualsTasks.get(unitId);
          const complete = input.targets.filter((t) => t.ownerUnitId === unitId).every((t) => t.kpiId in status.actuals);
          if (taskId && complete && board.openTasks().some((t) => t.id === taskId)) await board.settle(taskId, 'submitted', actor);
        }
        // A correction after the analysis: analyse again.
        if (status.phase === 'analysed') await this.analyse();
        return status;
      },
      {
        validator: ({ values, actor }) => {
          if (status.frozen || status.phase === 'closed') fail(FailureType.Conflict, `the period ${input.period} is closed; the planning office can reopen it`);
          if (!hasAnyRole(actor, [Role.Admin])) {
            const foreign = foreignKpis(values, input.targets, actor.unitId);
            if (foreign.length > 0) fail(FailureType.Forbidden, `your unit does not own: ${foreign.join(', ')}`);
          }
          const problems = checkActuals(values, input.targets);
          if (problems.length > 0) fail(FailureType.ValidationFailed, 'invalid actuals', problems);
        },
      },
    );
    // Signals from before v0.9: a close or move that no longer applies is ignored.
    setHandler(closePeriodSignal, (request) => {
      if (status.frozen || status.phase === 'closed') return;
      this.closeEarly(request);
    });
    setHandler(extendPeriodSignal, (request) => {
      if (status.phase === 'closed') return;
      this.moveClose(request);
    });
    // Updates since v0.9: the caller hears the refusal.
    setHandler(
      closePeriodUpdate,
      (request) => {
        this.closeEarly(request);
        return status;
      },
      {
        validator: ({ actor }) => {
          if (!hasAnyRole(actor, [Role.Admin])) fail(FailureType.Forbidden, 'only the planning office closes a month');
          if (status.frozen || status.phase === 'closed') fail(FailureType.Conflict, `the period ${input.period} is already closed`);
        },
      },
    );
    setHandler(
      extendPeriodUpdate,
      (request) => {
        this.moveClose(request);
        return status;
      },
      {
        validator: ({ closesAt, actor }) => {
          if (!hasAnyRole(actor, [Role.Admin])) fail(FailureType.Forbidden, 'only the planning office moves a month\'s close');
          if (status.phase === 'closed') fail(FailureType.Conflict, `the period ${input.period} is closed and analysed; its execution has ended`);
          if (Date.parse(closesAt) <= Date.now()) fail(FailureType.ValidationFailed, 'the new close must be in the future', [{ path: 'closesAt', message: 'must be in the future' }]);
        },
      },
    );
  }

  private allIn(): boolean {
    // The KPIs decide when the month is analysed; milestones and spend arriving later analyse it again.
    return this.input.targets.every((t) => t.kpiId in this.status.actuals);
  }

  /** What the operating controls need of the month. */
  private context() {
    const { input, status, board } = this;
    return {
      cycleId: input.cycleId,
      period: input.period,
      version: input.version,
      targets: input.targets,
      board,
      planningOfficeUnitId: input.planningOfficeUnitId,
      open: () => !status.frozen && status.phase !== 'closed',
      dueIn: (days: number) => this.dueIn(days),
      escalation: (dueAt: string) => this.officeEscalation(dueAt),
      follow: (decided: Promise<TaskDecision | undefined>) => this.follow(decided),
      reanalyse: async () => {
        if (status.phase === 'analysed') await this.analyse();
      },
    };
  }

  private closeDue(): boolean {
    return Date.now() >= Date.parse(this.status.closesAt);
  }

  // Closing early and moving the close change state at once, before any await (the journal is
  // written by the loop), so a message arriving next sees what this one did.
  private closeEarly({ actor, reason }: { actor: Actor; reason?: string }): void {
    const { input, status } = this;
    status.frozen = true;
    status.closedEarly = { at: now(), by: actor.userId, ...(reason ? { reason } : {}) };
    this.journal.push({ cycleId: input.cycleId, period: input.period, event: 'closed_early', at: now(), actor, reason });
  }

  private moveClose({ closesAt, reason, actor }: { closesAt: string; reason: string; actor: Actor }): void {
    const { input, status } = this;
    status.closesAt = closesAt;
    status.frozen = false;
    status.closedEarly = undefined;
    status.extensions.push({ closesAt, at: now(), by: actor.userId, reason });
    this.journal.push({ cycleId: input.cycleId, period: input.period, event: 'extended', at: now(), actor, reason, closesAt });
  }

  private async writeJournal(): Promise<void> {
    while (this.journal.length > 0) await activities.recordPeriodEvent(this.journal.shift()!);
  }

  /** Evaluates every KPI; each newly off-track KPI gets a cause analysis from its owner. */
  private async analyse(): Promise<void> {
    const { input, status } = this;
    status.evaluations = input.targets.map((t) => evaluateKpi(t, status.actuals[t.kpiId], input.earlier[t.kpiId] ?? []));
    status.phase = 'analysed';
    await activities.recordEvaluations({ cycleId: input.cycleId, period: input.period, evaluations: status.evaluations });
    for (const evaluation of status.evaluations.filter((e) => e.status === KpiStatus.OffTrack && !this.causeTasks.has(e.kpiId))) {
      this.causeTasks.add(evaluation.kpiId);
      this.follow(this.board.decide(this.causeSpec(evaluation)));
    }
    if (this.controls) {
      const overdue = this.board
        .openTasks()
        .filter((t) => t.spec.kind === 'monthly.action' && Date.parse(t.spec.dueAt) < Date.now())
        .map((t) => ({ taskId: t.id, what: t.spec.title, ownerUnitId: t.spec.assignee.type === 'unit' ? t.spec.assignee.unitId : null, dueAt: t.spec.dueAt }));
      await this.controls.analyse(status.evaluations, overdue);
    }
  }

  private causeSpec(e: KpiEvaluation): TaskSpec {
    const { input } = this;
    const target = input.targets.find((t) => t.kpiId === e.kpiId)!;
    const dueAt = this.dueIn(5);
    return {
      kind: 'monthly.cause_analysis',
      title: `${target.name} is off track in ${input.period} (${e.actual} ${target.unit} against ${e.target}): what caused it?`,
      assignee: { type: 'unit', unitId: e.ownerUnitId },
      dueAt,
      escalation: this.officeEscalation(dueAt),
      cycleId: input.cycleId,
      links: { period: input.period, kpiId: e.kpiId, version: String(input.version) },
    };
  }

  /** Due `days` from now: working days in the business calendar, calendar days in months opened before it. */
  private dueIn(days: number): string {
    return dueInDays(days, this.input.calendar);
  }

  /** Reminded a working day before, escalated to the planning office three working days after. */
  private officeEscalation(dueAt: string) {
    const office = this.input.planningOfficeUnitId;
    return escalationInDays(dueAt, [1], 3, office ? [{ type: 'unit' as const, unitId: office }] : [], this.input.calendar);
  }

  /** Follows a task to its decision in the background. */
  private follow(decided: Promise<TaskDecision | undefined>): void {
    void decided
      .then((decision) => this.onDecided(decision))
      .catch((error: unknown) => {
        // Cancelled with the month (the cycle was cancelled): the open tasks are cancelled in `run`.
        if (!isCancellation(error)) throw error;
      });
  }

  /** A cause analysis opens its corrective actions, and asks the office for a plan change when the plan is at fault. */
  private async onDecided(decision: TaskDecision | undefined): Promise<void> {
    const { input, board } = this;
    if (!decision) return;
    const task = board.taskOf(decision.taskId);
    if (task && this.controls && (await this.controls.onDecided(decision, task.spec))) return;
    if (task?.spec.kind !== 'monthly.cause_analysis') return;
    const analysis = decision.payload as CauseAnalysis;
    const kpiId = task.spec.links?.kpiId ?? '';
    for (const action of analysis.actions ?? []) {
      this.follow(
        board.decide({
          kind: 'monthly.action',
          title: action.what,
          assignee: { type: 'unit', unitId: action.ownerUnitId },
          dueAt: action.dueAt,
          escalation: this.officeEscalation(action.dueAt),
          cycleId: input.cycleId,
          links: { fromPeriod: input.period, ...(action.kpiId ? { kpiId: action.kpiId } : {}), ...(action.initiativeId ? { initiativeId: action.initiativeId } : {}) },
        }),
      );
    }
    if (analysis.category === CauseCategory.PlanFlaw && input.planningOfficeUnitId) {
      // The plan itself is wrong: the office proposes a change, which goes to the committee.
      this.follow(
        board.decide({
          kind: 'adhoc.request',
          title: `The cause analysis of ${kpiId} (${input.period}) names a flaw in the plan: propose a change`,
          assignee: { type: 'unit', unitId: input.planningOfficeUnitId },
          dueAt: this.dueIn(10),
          escalation: { remindBeforeMs: [DAY], chain: [], graceMs: DAY },
          cycleId: input.cycleId,
          links: { period: input.period, kpiId },
        }),
      );
    }
  }

  /** Renders the month's report (once when frozen early, again if reopened and closed). */
  private async report(): Promise<void> {
    this.reports += 1;
    await activities.requestMonthlyReport({ cycleId: this.input.cycleId, period: this.input.period, requestId: `${workflowInfo().workflowId}.${workflowInfo().runId}.${this.reports}` });
  }
}

/** Workflow time (deterministic: Date is replayed by the SDK). */
function now(): string {
  return new Date().toISOString();
}
