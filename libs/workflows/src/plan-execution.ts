import { ApplicationFailure, CancellationScope, condition, isCancellation, setHandler, startChild, workflowInfo, ParentClosePolicy, proxyActivities } from '@temporalio/workflow';
import {
  CyclePhase,
  Role,
  addMonths,
  businessMonthWindow,
  formatPeriod,
  hasAnyRole,
  isTerminalPhase,
  monthReviewClosed,
  monthWindow,
  nthWorkingDayEnd,
  nthWorkingDayEndUtc,
  parsePeriod,
  periodStartIn,
  periodStartUtc,
  type BusinessCalendar,
  type Period,
} from '@rollplan/domain/rules';
import type { MonitoringActivities } from './activities';
import type { TaskBoard } from './human-task';
import type { TaskState } from './human-task.messages';
import { monthlyReview } from './monthly-review.workflow';
import { FailureType, Patch, Procedure, SearchAttribute } from './names';
import { PlanChange } from './plan-change';
import { coveredUntil, versionFor } from './plan-schedule';
import { backfillPeriodUpdate, type CycleResume, type CycleSetup, type CycleStatus } from './planning-cycle.messages';
import { RollingAdjustment } from './rolling-adjustment';
import { UpdateMemory } from './update-memory';
import { baselineField, hasPatch } from './patches';

const { loadMonthTargets, loadEarlierAttainments, loadBusinessCalendar } = proxyActivities<MonitoringActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

function fail(type: string, message: string, details?: unknown[]): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true, details });
}

function ignoreCancellation(error: unknown): void {
  if (!isCancellation(error)) throw error;
}

/** What the procedures running beside the months (plan change, rolling adjustment) share with the execution. */
export interface ExecutionContext {
  readonly setup: CycleSetup;
  readonly status: CycleStatus;
  readonly board: TaskBoard;
  /** Results of version-creating updates, carried across continue-as-new. */
  readonly updates: UpdateMemory;
  /** Runs work a message started (a review round, an adjustment) inside the execution's cancellation scope. */
  inBackground(work: () => Promise<void>): void;
  /** Refuses a message that would change what the run carries once it is handing over to its next run. */
  refuseWhileRollingOver(): void;
}

/**
 * Execution of the approved plan (seed 000 §3, seed 004): one `monthlyReview` execution per
 * month of the horizon, each started once its month has ended, with the targets of the version
 * in force for that month; open causes and actions pass from month to month. Alongside, plan
 * changes (plan-change.ts) and the yearly rolling adjustment (rolling-adjustment.ts) go through
 * the committee. `run` returns where to resume when the run should continue as new (after twelve
 * months, or when Temporal suggests it), or 'done' once the cycle has ended.
 */
export class PlanExecution implements ExecutionContext {
  readonly updates: UpdateMemory;
  /** Set once the run has taken the snapshot it continues as new with. */
  rollingOver = false;
  private readonly first: Period;
  private readonly scope = CancellationScope.current();
  /** Patch reviews-in-execution-scope taken (docs/temporal.md): message-started work is tracked and cancelled with the execution. */
  private readonly scoped: boolean;
  private readonly background: Promise<void>[] = [];
  private readonly adjustment: RollingAdjustment;
  /** Past months opened late run beside the regular months; what they leave open joins the next regular month. */
  private readonly backfillQueue: string[] = [];
  private readonly backfillLeftovers: TaskState[] = [];
  private backfillsRunning = 0;

  constructor(
    readonly setup: CycleSetup,
    readonly status: CycleStatus,
    readonly board: TaskBoard,
    private readonly resume: CycleResume | undefined,
    /** No ad-hoc request and no task of the cycle's own is open: continuing as new would cut them off. */
    private readonly mayContinueAsNew: () => boolean,
  ) {
    this.first = { year: status.startYear, month: 1 };
    // Patch log: docs/temporal.md. Runs before it rolled the plan on the year after its start, whenever it was approved.
    const afterApproval = hasPatch(Patch.AdjustmentAfterApproval);
    this.scoped = hasPatch(Patch.ReviewsInExecutionScope);
    status.schedule ??= [{ version: status.effectiveVersion!, from: formatPeriod(this.first), startYear: status.startYear, ...(afterApproval ? { approvedAt: new Date().toISOString() } : {}) }];
    this.updates = new UpdateMemory(resume?.updates);
    this.adjustment = new RollingAdjustment(this, afterApproval).install();
    new PlanChange(this, this.adjustment).install();
    setHandler(
      backfillPeriodUpdate,
      ({ period }) => {
        const monitoring = status.monitoring!;
        monitoring.skipped = monitoring.skipped.filter((p) => p !== period);
        this.backfillQueue.push(period);
        return Promise.resolve(monitoring);
      },
      {
        validator: ({ period, actor }) => {
          if (!hasAnyRole(actor, [Role.Admin])) fail(FailureType.Forbidden, 'only the planning office backfills a month');
          if (isTerminalPhase(status.phase)) fail(FailureType.Conflict, `the cycle is ${status.phase}`);
          this.refuseWhileRollingOver();
          if (!status.monitoring?.skipped.includes(period)) fail(FailureType.Conflict, `${period} is not a skipped month of this cycle`);
        },
      },
    );
  }

  inBackground(work: () => Promise<void>): void {
    if (!this.scoped) {
      void work().catch(ignoreCancellation);
      return;
    }
    this.background.push(this.scope.run(work).catch(ignoreCancellation));
  }

  refuseWhileRollingOver(): void {
    if (this.rollingOver) fail(FailureType.Conflict, 'the cycle is moving into its next run (a new plan year); send the request again in a moment');
  }

  async run(): Promise<CycleResume | 'done'> {
    try {
      return await this.months();
    } catch (error) {
      // Cancelled (the cycle was cancelled or closed): reviews and adjustments under way settle
      // first, so every task they opened is known when the cycle cancels the open ones.
      if (isCancellation(error)) await Promise.all(this.background);
      throw error;
    }
  }

  private async months(): Promise<CycleResume | 'done'> {
    const { status, resume } = this;
    // Patch log: docs/temporal.md. Runs recorded before it had no rolling adjustment, ended with
    // the first horizon and continued as new after each December.
    const rolling = hasPatch(Patch.RollingAdjustment);
    const lastMonth = status.horizonYears * 12;
    let monthsThisRun = 0;
    let carried: TaskState[] = resume?.carried ?? [];
    let next = resume?.nextMonth ?? 0;
    const monitored = status.monitoring !== undefined || (!resume && hasPatch(Patch.MonitoringStart));
    if (monitored && !status.monitoring) next = this.planMonitoring();
    if (monitored) void this.runBackfills().catch(ignoreCancellation);
    let late = monitored && !resume;
    for (let i = next; rolling || i < lastMonth; i++) {
      const period = addMonths(this.first, i);
      const label = formatPeriod(period);
      // A month is reviewed once it has ended, and only with a plan that has targets for it.
      await this.waitUntil(this.periodStart(addMonths(period, 1)), rolling);
      await condition(() => isTerminalPhase(status.phase) || period.year <= coveredUntil(status));
      if (isTerminalPhase(status.phase)) return 'done';

      const month = await this.startMonth(period, [...carried, ...this.backfillLeftovers.splice(0)], late);
      // Only the first month after approval can open after its due date; the rest open as they end.
      late = false;
      status.currentPeriod = label;
      const result = await month.result();
      carried = result.open;
      status.lastClosedPeriod = label;
      status.currentPeriod = undefined;

      // A year of months per run at most (or sooner when Temporal suggests it), at a quiet moment.
      monthsThisRun += 1;
      const runFull = rolling ? monthsThisRun >= 12 : period.month === 12 && i + 1 < lastMonth;
      const quiet = !status.change && !status.adjustment && this.backfillsRunning === 0 && this.backfillQueue.length === 0 && this.mayContinueAsNew();
      if ((runFull || workflowInfo().continueAsNewSuggested) && quiet) {
        this.rollingOver = true;
        return { status: { ...status }, nextMonth: i + 1, carried: [...carried, ...this.backfillLeftovers.splice(0)], updates: this.updates.carry() };
      }
    }
    return 'done';
  }

  /** Sleeps until `ms` (or the cycle ends), opening the rolling adjustment when its time comes. */
  private async waitUntil(ms: number, rolling: boolean): Promise<void> {
    const { status } = this;
    for (;;) {
      if (isTerminalPhase(status.phase)) return;
      const auto = rolling && this.setup.autoAdjustment !== false;
      if (auto && !status.adjustment && !status.change && Date.now() >= this.adjustment.opensAt()) this.adjustment.open();
      if (Date.now() >= ms) return;
      const wake = !auto || status.adjustment || status.change || this.adjustment.opensAt() <= Date.now() ? ms : Math.min(ms, this.adjustment.opensAt());
      await condition(() => isTerminalPhase(status.phase), Math.max(1, wake - Date.now()));
    }
  }

  /** When a period starts: local midnight in the organization's time zone (UTC for cycles started before it had one). */
  private periodStart(period: Period): number {
    const { timeZone } = this.setup;
    return timeZone ? periodStartIn(period, timeZone) : periodStartUtc(period);
  }

  /** Starts the review of one month with the targets of the version in force for it. */
  private async startMonth(period: Period, carriedIn: TaskState[], late: boolean) {
    const { setup, status } = this;
    const label = formatPeriod(period);
    const version = versionFor(status.schedule!, label);
    const { timeZone } = setup;
    const [targets, earlier, calendar] = await Promise.all([
      loadMonthTargets({ cycleId: status.cycleId, version, period: label }),
      loadEarlierAttainments({ cycleId: status.cycleId, period: label }),
      // The calendar as known when the month opens fixes its due dates (a later edit moves only later months').
      timeZone ? loadBusinessCalendar({ timeZone, years: [period.year, period.year + 1] }) : Promise.resolve(undefined),
    ]);
    const window = this.monthWindow(period, late, calendar);
    return startChild(monthlyReview, {
      workflowId: `month-${status.cycleId}-${label}`,
      args: [
        {
          cycleId: status.cycleId,
          period: label,
          version,
          targets,
          earlier,
          actualsDueAt: new Date(window.actualsDueAt).toISOString(),
          closesAt: new Date(window.closesAt).toISOString(),
          ...(setup.planningOfficeUnitId ? { planningOfficeUnitId: setup.planningOfficeUnitId } : {}),
          carried: carriedIn,
          ...(calendar ? { calendar } : {}),
          ...baselineField(),
        },
      ],
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      typedSearchAttributes: [
        { key: SearchAttribute.CycleId, value: status.cycleId },
        { key: SearchAttribute.Procedure, value: Procedure.MonthlyReview },
        { key: SearchAttribute.Period, value: label },
        { key: SearchAttribute.PlanYear, value: period.year },
        // The KPI owners (attributes are not part of the determinism check: safe to add).
        { key: SearchAttribute.Units, value: [...new Set(targets.map((t) => t.ownerUnitId))] },
      ],
    });
  }

  /** The month's actuals due date and close; a month opened after its due date (late approval, backfill) gets fresh ones. */
  private monthWindow(period: Period, late: boolean, calendar: BusinessCalendar | undefined): { actualsDueAt: number; closesAt: number } {
    const workingDay = this.setup.actualsWorkingDay ?? 5;
    if (calendar) {
      return late ? businessMonthWindow(period, Date.now(), workingDay, calendar) : { actualsDueAt: nthWorkingDayEnd(addMonths(period, 1), workingDay, calendar), closesAt: periodStartIn(addMonths(period, 2), calendar.timeZone) };
    }
    return late ? monthWindow(period, Date.now(), workingDay) : { actualsDueAt: nthWorkingDayEndUtc(addMonths(period, 1), workingDay), closesAt: periodStartUtc(addMonths(period, 2)) };
  }

  private async runBackfills(): Promise<void> {
    for (;;) {
      await condition(() => this.backfillQueue.length > 0);
      const label = this.backfillQueue.shift()!;
      this.backfillsRunning += 1;
      this.status.monitoring!.backfilled.push(label);
      const month = await this.startMonth(parsePeriod(label), [], true);
      void month.result().then(
        (result) => {
          this.backfillLeftovers.push(...result.open);
          this.backfillsRunning -= 1;
        },
        (error: unknown) => {
          this.backfillsRunning -= 1;
          ignoreCancellation(error);
        },
      );
    }
  }

  /**
   * Which months to monitor, once when execution starts: from the chosen month (default the
   * plan's first); months whose review had already closed are skipped or backfilled at once.
   * Returns the index of the first month to run in order.
   */
  private planMonitoring(): number {
    const { setup, status, first } = this;
    const from = setup.monitoring?.from ?? formatPeriod(first);
    const pastMonths = setup.monitoring?.pastMonths ?? 'skip';
    const fromPeriod = parsePeriod(from);
    let i = Math.max(0, (fromPeriod.year - first.year) * 12 + fromPeriod.month - first.month);
    const past: string[] = [];
    const closed = (p: Period) => (this.setup.timeZone ? this.periodStart(addMonths(p, 2)) <= Date.now() : monthReviewClosed(p, Date.now()));
    while (closed(addMonths(first, i)) && addMonths(first, i).year <= coveredUntil(status)) past.push(formatPeriod(addMonths(first, i++)));
    status.monitoring = { from, pastMonths, skipped: pastMonths === 'skip' ? past : [], backfilled: [] };
    if (pastMonths === 'backfill') this.backfillQueue.push(...past);
    return i;
  }
}
