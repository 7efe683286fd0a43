import { ApplicationFailure, condition, isCancellation, patched, proxyActivities, setHandler, startChild, workflowInfo, ParentClosePolicy } from '@temporalio/workflow';
import {
  CyclePhase,
  Role,
  addMonths,
  adjustmentOpensAt,
  formatPeriod,
  hasAnyRole,
  isTerminalPhase,
  manualAdjustmentYear,
  monthReviewClosed,
  monthWindow,
  nextAutoAdjustmentYear,
  nthWorkingDayEndUtc,
  parsePeriod,
  periodStartUtc,
  validatePlan,
  type Period,
} from '@rollplan/domain';
import type { MonitoringActivities, PlanActivities } from './activities';
import type { TaskBoard } from './human-task';
import type { TaskState } from './human-task.messages';
import { monthlyReview } from './monthly-review.workflow';
import { FailureType, Patch, Procedure, SearchAttribute } from './names';
import { reviewRound } from './plan-drafting';
import { UpdateMemory } from './update-memory';
import {
  backfillPeriodUpdate,
  proposeChangeUpdate,
  startAdjustmentUpdate,
  submitRolledPlanUpdate,
  type CycleResume,
  type CycleSetup,
  type CycleStatus,
} from './planning-cycle.messages';

const { recordPlanVersion, recordPlanVerdict, loadMonthTargets, loadEarlierAttainments, loadAdjustmentContext } = proxyActivities<PlanActivities & MonitoringActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

function fail(type: string, message: string, details?: unknown[]): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true, details });
}

/** The version whose targets apply to `period`: the last approved one in force by then. */
export function versionFor(schedule: { version: number; from: string }[], period: string): number {
  return schedule.filter((entry) => entry.from <= period).at(-1)?.version ?? schedule[0].version;
}

/** The calendar month an instant falls in (UTC). */
function periodOf(ms: number): Period {
  const date = new Date(ms);
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1 };
}

/**
 * Execution of the approved plan (seed 000 §3, seed 004): one `monthlyReview` execution per
 * month of the horizon, each started once its month has ended, with the targets of the version
 * in force for that month; open causes and actions pass from month to month. Alongside, plan
 * changes go through the committee and take effect from the following month. Returns where to
 * resume when the run should continue as new (at the end of a plan year, or when Temporal
 * suggests it), or 'done' once the horizon's last month has closed.
 */
export async function runExecution(
  setup: CycleSetup,
  status: CycleStatus,
  board: TaskBoard,
  resume: CycleResume | undefined,
  mayContinueAsNew: () => boolean,
): Promise<CycleResume | 'done'> {
  const first: Period = { year: status.startYear, month: 1 };
  // Patch log: docs/temporal.md. Runs before it rolled the plan on the year after its start, whenever it was approved.
  const afterApproval = patched(Patch.AdjustmentAfterApproval);
  status.schedule ??= [{ version: status.effectiveVersion!, from: formatPeriod(first), startYear: status.startYear, ...(afterApproval ? { approvedAt: new Date().toISOString() } : {}) }];
  let carried: TaskState[] = resume?.carried ?? [];
  const updates = new UpdateMemory(resume?.updates);
  let proposal: { version: number; submittedBy: string } | undefined;
  let adjustmentDraft: { version: number; submittedBy: string } | undefined;
  const DAY = 86_400_000;
  const leadMonths = setup.adjustmentLeadMonths ?? 2;
  /** The newest approved plan (the first version of it: later changes keep its years). */
  const latestPlan = () => status.schedule!.reduce((a, b) => ((b.startYear ?? status.startYear) > (a.startYear ?? status.startYear) ? b : a));
  /** First year of the newest approved plan; the next rolling adjustment rolls it on. */
  const latestStart = () => latestPlan().startYear ?? status.startYear;
  const autoYear = () => {
    const approvedAt = latestPlan().approvedAt;
    return nextAutoAdjustmentYear(latestStart(), approvedAt ? Date.parse(approvedAt) : undefined, leadMonths);
  };
  const adjustAt = () => adjustmentOpensAt(autoYear(), leadMonths);
  /** Months have targets up to the last year of the newest approved plan. */
  const coveredUntil = () => latestStart() + status.horizonYears - 1;

  setHandler(
    startAdjustmentUpdate,
    async ({ actor }) => {
      openAdjustment(actor.userId);
      return status.adjustment;
    },
    {
      validator: ({ actor }) => {
        if (!hasAnyRole(actor, [Role.Admin])) fail(FailureType.Forbidden, 'only the planning office opens a rolling adjustment');
        if (status.phase !== CyclePhase.Execution) fail(FailureType.Conflict, `the cycle is ${status.phase}`);
        if (status.adjustment) fail(FailureType.Conflict, `the ${status.adjustment.year} rolling adjustment is already open`);
        if (status.change) fail(FailureType.Conflict, `change v${status.change.version} is under review; finish it first`);
      },
    },
  );

  function openAdjustment(by?: string): void {
    const year = !afterApproval ? latestStart() + 1 : by ? manualAdjustmentYear(latestStart(), Date.now(), leadMonths) : autoYear();
    status.adjustment = { year, stage: 'analysis', openedAt: new Date().toISOString(), ...(by ? { by } : {}), round: 0 };
    void runAdjustment().catch((error: unknown) => {
      if (!isCancellation(error)) throw error;
    });
  }

  /**
   * The yearly rolling adjustment (seed 000 §3.4–3.5): every contributing unit re-analyses what
   * changed, starting from its last analysis and last year's actuals; the office drafts the plan
   * rolled one year on; the committee reviews it as in drafting until it is approved. It takes
   * effect from its first month, or from the month after a late approval.
   */
  async function runAdjustment(): Promise<void> {
    const adjustment = status.adjustment!;
    const { year } = adjustment;
    const office = setup.planningOfficeUnitId ? [{ type: 'unit' as const, unitId: setup.planningOfficeUnitId }] : [];
    await Promise.all(
      setup.contributors.map(async (contributor) => {
        const context = await loadAdjustmentContext({ cycleId: status.cycleId, unitId: contributor.unitId, year });
        await board.decide({
          kind: 'plan.contribution',
          title: `${contributor.name}: what changed, for the rolled ${year}–${year + status.horizonYears - 1} plan`,
          assignee: { type: 'unit', unitId: contributor.unitId },
          dueAt: new Date(Date.now() + 14 * DAY).toISOString(),
          escalation: { remindBeforeMs: [2 * DAY], chain: office, graceMs: 3 * DAY },
          cycleId: status.cycleId,
          links: { area: contributor.area, unitId: contributor.unitId, adjustment: String(year) },
          context,
        });
      }),
    );
    adjustment.stage = 'drafting';
    for (;;) {
      await condition(() => adjustmentDraft !== undefined);
      const { version, submittedBy } = adjustmentDraft!;
      adjustmentDraft = undefined;
      Object.assign(adjustment, { version, round: adjustment.round + 1, stage: 'committee_review' });
      const { verdict, reasons } = await reviewRound(
        setup,
        board,
        { cycleId: status.cycleId, version, submittedBy, round: adjustment.round, subject: 'adjustment', diffFrom: status.effectiveVersion },
        async (stage) => void (adjustment.stage = stage === CyclePhase.InternalReview ? 'internal_review' : 'committee_review'),
        (electorate) => (status.committeeRound = electorate),
      );
      if (isTerminalPhase(status.phase)) return;
      const at = new Date().toISOString();
      if (verdict !== 'approve') {
        // A rolled plan is needed whatever the verdict: the office drafts again.
        await recordPlanVerdict({ cycleId: status.cycleId, version, verdict: verdict === 'reject' ? 'rejected' : 'changes_requested', at, reasons });
        adjustment.stage = 'revising';
        continue;
      }
      // Months under way keep their targets: a late approval takes effect from the next month.
      const first = formatPeriod({ year, month: 1 });
      const next = formatPeriod(addMonths(periodOf(Date.now()), 1));
      const from = next > first ? next : first;
      await recordPlanVerdict({ cycleId: status.cycleId, version, verdict: 'approved', at, reasons, effectiveFrom: from });
      status.schedule!.push({ version, from, startYear: year, ...(afterApproval ? { approvedAt: at } : {}) });
      status.effectiveVersion = version;
      status.adjustments = [...(status.adjustments ?? []), { year, version, from, late: from !== first }];
      status.adjustment = undefined;
      return;
    }
  }

  /** Sleeps until `ms` (or the cycle ends), opening the rolling adjustment when its time comes. */
  async function waitUntil(ms: number): Promise<void> {
    for (;;) {
      if (isTerminalPhase(status.phase)) return;
      const auto = rolling && setup.autoAdjustment !== false;
      if (auto && !status.adjustment && !status.change && Date.now() >= adjustAt()) openAdjustment();
      if (Date.now() >= ms) return;
      const wake = !auto || status.adjustment || status.change || adjustAt() <= Date.now() ? ms : Math.min(ms, adjustAt());
      await condition(() => isTerminalPhase(status.phase), Math.max(1, wake - Date.now()));
    }
  }

  setHandler(
    proposeChangeUpdate,
    async ({ content, reason, actor }) => {
      const earlier = updates.recall<{ version: number }>();
      if (earlier) return earlier.result;
      const version = status.versions!.length + 1;
      status.versions!.push(version);
      const round = ((status.adjustment ?? status.change)?.round ?? 0) + 1;
      await recordPlanVersion({ cycleId: status.cycleId, version, content, submittedBy: actor.userId, submittedAt: new Date().toISOString(), round });
      if (status.adjustment) {
        adjustmentDraft = { version, submittedBy: actor.userId };
        return { version };
      }
      if (!status.change) {
        status.change = { version, round: 0, stage: 'committee_review', reason };
        void reviewChanges().catch((error: unknown) => {
          if (!isCancellation(error)) throw error;
        });
      }
      proposal = { version, submittedBy: actor.userId };
      return updates.remember({ version });
    },
    {
      validator: ({ content, actor }) => {
        // A retry of a change an earlier run took: answered with its version, not checked again.
        if (updates.recall()) return;
        if (!hasAnyRole(actor, [Role.Admin])) fail(FailureType.Forbidden, 'only the planning office proposes plan changes');
        if (status.phase !== CyclePhase.Execution) fail(FailureType.Conflict, `the cycle is ${status.phase}: only a plan in execution can change`);
        // One version under review at a time: while the yearly adjustment is open, the plan moves
        // on through its rolled plan (docs/lifecycle.md).
        const adjustment = status.adjustment;
        if (adjustment) fail(FailureType.Conflict, `the ${adjustment.year} rolling adjustment is open: the plan changes through its rolled plan (POST /cycles/:id/adjustments/${adjustment.year}/plans)`);
        if (status.change && status.change.stage !== 'revising') fail(FailureType.Conflict, `change v${status.change.version} is still under review`);
        if (proposal) fail(FailureType.Conflict, 'another revision of the change was just submitted');
        // A change amends the newest approved plan, within its years.
        const problems = validatePlan(content, { startYear: latestStart(), horizonYears: status.horizonYears });
        if (problems.length > 0) fail(FailureType.ValidationFailed, 'the change is not a valid plan', problems);
      },
    },
  );

  setHandler(
    submitRolledPlanUpdate,
    async ({ content, actor }) => {
      const earlier = updates.recall<{ version: number }>();
      if (earlier) return earlier.result;
      const adjustment = status.adjustment!;
      const version = status.versions!.length + 1;
      status.versions!.push(version);
      // Taken before the first await, so a second submission meanwhile is refused by the validator.
      adjustmentDraft = { version, submittedBy: actor.userId };
      await recordPlanVersion({ cycleId: status.cycleId, version, content, submittedBy: actor.userId, submittedAt: new Date().toISOString(), round: adjustment.round + 1 });
      return updates.remember({ version });
    },
    {
      validator: ({ year, content, actor }) => {
        if (updates.recall()) return;
        if (!hasAnyRole(actor, [Role.Admin])) fail(FailureType.Forbidden, 'only the planning office submits the rolled plan');
        if (status.phase !== CyclePhase.Execution) fail(FailureType.Conflict, `the cycle is ${status.phase}`);
        const adjustment = status.adjustment;
        if (!adjustment) fail(FailureType.Conflict, 'no rolling adjustment is open; open one with POST /cycles/:id/adjustments');
        if (adjustment.year !== year) fail(FailureType.Conflict, `the open rolling adjustment rolls the plan to ${adjustment.year}, not ${year}`);
        if (adjustment.stage === 'analysis') fail(FailureType.Conflict, `the ${adjustment.year} rolling adjustment is still collecting the units' analyses`);
        if (adjustment.stage !== 'drafting' && adjustment.stage !== 'revising') fail(FailureType.Conflict, `rolled plan v${adjustment.version} is still under review`);
        if (adjustmentDraft) fail(FailureType.Conflict, 'a rolled plan was just submitted');
        // The rolled plan covers year … year + horizon − 1.
        const problems = validatePlan(content, { startYear: adjustment.year, horizonYears: status.horizonYears });
        if (problems.length > 0) fail(FailureType.ValidationFailed, 'the rolled plan is not valid', problems);
      },
    },
  );

  /** Rounds on a change until the committee approves or rejects it; the office revises in between. */
  async function reviewChanges(): Promise<void> {
    for (;;) {
      await condition(() => proposal !== undefined);
      const { version, submittedBy } = proposal!;
      proposal = undefined;
      const change = status.change!;
      Object.assign(change, { version, round: change.round + 1, stage: 'committee_review' });
      const { verdict, reasons } = await reviewRound(
        setup,
        board,
        { cycleId: status.cycleId, version, submittedBy, round: change.round, subject: 'change', diffFrom: status.effectiveVersion },
        async (stage) => void (change.stage = stage === CyclePhase.InternalReview ? 'internal_review' : 'committee_review'),
        (electorate) => (status.committeeRound = electorate),
      );
      if (isTerminalPhase(status.phase)) return;
      const at = new Date().toISOString();
      if (verdict === 'request_changes') {
        await recordPlanVerdict({ cycleId: status.cycleId, version, verdict: 'changes_requested', at, reasons });
        change.stage = 'revising';
        continue;
      }
      if (verdict === 'approve') {
        // Months already under way keep their targets; the change applies from the next month.
        const from = formatPeriod(addMonths(periodOf(Date.now()), 1));
        await recordPlanVerdict({ cycleId: status.cycleId, version, verdict: 'approved', at, reasons, effectiveFrom: from });
        // A change keeps the plan years of the plan it changes.
        status.schedule!.push({ version, from, startYear: latestStart() });
        status.effectiveVersion = version;
      } else {
        await recordPlanVerdict({ cycleId: status.cycleId, version, verdict: 'rejected', at, reasons });
      }
      status.change = undefined;
      return;
    }
  }

  /** Starts the review of one month with the targets of the version in force for it. */
  async function startMonth(period: Period, carriedIn: TaskState[], late: boolean) {
    const label = formatPeriod(period);
    const version = versionFor(status.schedule!, label);
    const [targets, earlier] = await Promise.all([
      loadMonthTargets({ cycleId: status.cycleId, version, period: label }),
      loadEarlierAttainments({ cycleId: status.cycleId, period: label }),
    ]);
    const workingDay = setup.actualsWorkingDay ?? 5;
    // A month opened after its due date (late approval, backfill) gets fresh windows.
    const window = late ? monthWindow(period, Date.now(), workingDay) : { actualsDueAt: nthWorkingDayEndUtc(addMonths(period, 1), workingDay), closesAt: periodStartUtc(addMonths(period, 2)) };
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

  // Past months opened late run beside the regular months; what they leave open joins the next regular month.
  const backfillQueue: string[] = [];
  const backfillLeftovers: TaskState[] = [];
  let backfillsRunning = 0;
  setHandler(
    backfillPeriodUpdate,
    ({ period }) => {
      const monitoring = status.monitoring!;
      monitoring.skipped = monitoring.skipped.filter((p) => p !== period);
      backfillQueue.push(period);
      return Promise.resolve(monitoring);
    },
    {
      validator: ({ period, actor }) => {
        if (!hasAnyRole(actor, [Role.Admin])) fail(FailureType.Forbidden, 'only the planning office backfills a month');
        if (isTerminalPhase(status.phase)) fail(FailureType.Conflict, `the cycle is ${status.phase}`);
        if (!status.monitoring?.skipped.includes(period)) fail(FailureType.Conflict, `${period} is not a skipped month of this cycle`);
      },
    },
  );
  async function runBackfills(): Promise<void> {
    for (;;) {
      await condition(() => backfillQueue.length > 0);
      const label = backfillQueue.shift()!;
      backfillsRunning += 1;
      status.monitoring!.backfilled.push(label);
      const month = await startMonth(parsePeriod(label), [], true);
      void month.result().then(
        (result) => {
          backfillLeftovers.push(...result.open);
          backfillsRunning -= 1;
        },
        (error: unknown) => {
          backfillsRunning -= 1;
          if (!isCancellation(error)) throw error;
        },
      );
    }
  }

  /**
   * Which months to monitor, once when execution starts: from the chosen month (default the
   * plan's first); months whose review had already closed are skipped or backfilled at once.
   * Returns the index of the first month to run in order.
   */
  function planMonitoring(): number {
    const from = setup.monitoring?.from ?? formatPeriod(first);
    const pastMonths = setup.monitoring?.pastMonths ?? 'skip';
    const fromPeriod = parsePeriod(from);
    let i = Math.max(0, (fromPeriod.year - first.year) * 12 + fromPeriod.month - first.month);
    const past: string[] = [];
    while (monthReviewClosed(addMonths(first, i), Date.now()) && addMonths(first, i).year <= coveredUntil()) past.push(formatPeriod(addMonths(first, i++)));
    status.monitoring = { from, pastMonths, skipped: pastMonths === 'skip' ? past : [], backfilled: [] };
    if (pastMonths === 'backfill') backfillQueue.push(...past);
    return i;
  }

  // Patch log: docs/temporal.md. Runs recorded before it had no rolling adjustment, ended with
  // the first horizon and continued as new after each December.
  const rolling = patched(Patch.RollingAdjustment);
  const lastMonth = status.horizonYears * 12;
  let monthsThisRun = 0;
  let next = resume?.nextMonth ?? 0;
  const monitored = status.monitoring !== undefined || (!resume && patched(Patch.MonitoringStart));
  if (monitored && !status.monitoring) next = planMonitoring();
  if (monitored) {
    void runBackfills().catch((error: unknown) => {
      if (!isCancellation(error)) throw error;
    });
  }
  let late = monitored && !resume;
  for (let i = next; rolling || i < lastMonth; i++) {
    const period = addMonths(first, i);
    const label = formatPeriod(period);
    // A month is reviewed once it has ended, and only with a plan that has targets for it.
    await waitUntil(periodStartUtc(addMonths(period, 1)));
    await condition(() => isTerminalPhase(status.phase) || period.year <= coveredUntil());
    if (isTerminalPhase(status.phase)) return 'done';

    const month = await startMonth(period, [...carried, ...backfillLeftovers.splice(0)], late);
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
    const quiet = !status.change && !status.adjustment && backfillsRunning === 0 && backfillQueue.length === 0 && mayContinueAsNew();
    if ((runFull || workflowInfo().continueAsNewSuggested) && quiet) {
      return { status: { ...status }, nextMonth: i + 1, carried: [...carried, ...backfillLeftovers.splice(0)], updates: updates.carry() };
    }
  }
  return 'done';
}
