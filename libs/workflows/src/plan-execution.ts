import { ApplicationFailure, condition, isCancellation, proxyActivities, setHandler, startChild, workflowInfo, ParentClosePolicy } from '@temporalio/workflow';
import {
  CyclePhase,
  Role,
  addMonths,
  formatPeriod,
  hasAnyRole,
  horizonPeriods,
  isTerminalPhase,
  nthWorkingDayEndUtc,
  periodStartUtc,
  validatePlan,
  type Period,
} from '@rollplan/domain';
import type { MonitoringActivities, PlanActivities } from './activities';
import type { TaskBoard } from './human-task';
import type { TaskState } from './human-task.messages';
import { monthlyReview } from './monthly-review.workflow';
import { FailureType, Procedure, SearchAttribute } from './names';
import { reviewRound } from './plan-drafting';
import { proposeChangeUpdate, type CycleResume, type CycleSetup, type CycleStatus } from './planning-cycle.messages';

const { recordPlanVersion, recordPlanVerdict, loadMonthTargets, loadEarlierAttainments } = proxyActivities<PlanActivities & MonitoringActivities>({
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
  const periods = horizonPeriods(status.startYear, status.horizonYears);
  status.schedule ??= [{ version: status.effectiveVersion!, from: formatPeriod(periods[0]) }];
  let carried: TaskState[] = resume?.carried ?? [];
  let proposal: { version: number; submittedBy: string } | undefined;

  setHandler(
    proposeChangeUpdate,
    async ({ content, reason, actor }) => {
      const version = status.versions!.length + 1;
      status.versions!.push(version);
      const round = (status.change?.round ?? 0) + 1;
      await recordPlanVersion({ cycleId: status.cycleId, version, content, submittedBy: actor.userId, submittedAt: new Date().toISOString(), round });
      if (!status.change) {
        status.change = { version, round: 0, stage: 'committee_review', reason };
        void reviewChanges().catch((error: unknown) => {
          if (!isCancellation(error)) throw error;
        });
      }
      proposal = { version, submittedBy: actor.userId };
      return { version };
    },
    {
      validator: ({ content, actor }) => {
        if (!hasAnyRole(actor, [Role.Admin])) fail(FailureType.Forbidden, 'only the planning office proposes plan changes');
        if (status.phase !== CyclePhase.Execution) fail(FailureType.Conflict, `the cycle is ${status.phase}: only a plan in execution can change`);
        if (status.change && status.change.stage !== 'revising') fail(FailureType.Conflict, `change v${status.change.version} is still under review`);
        const problems = validatePlan(content, status);
        if (problems.length > 0) fail(FailureType.ValidationFailed, 'the change is not a valid plan', problems);
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
        status.schedule!.push({ version, from });
        status.effectiveVersion = version;
      } else {
        await recordPlanVerdict({ cycleId: status.cycleId, version, verdict: 'rejected', at, reasons });
      }
      status.change = undefined;
      return;
    }
  }

  for (let i = resume?.nextMonth ?? 0; i < periods.length; i++) {
    const period = periods[i];
    const label = formatPeriod(period);
    // A month is reviewed once it has ended.
    const opensAt = periodStartUtc(addMonths(period, 1));
    if (Date.now() < opensAt) await condition(() => isTerminalPhase(status.phase), opensAt - Date.now());
    if (isTerminalPhase(status.phase)) return 'done';

    const version = versionFor(status.schedule, label);
    const [targets, earlier] = await Promise.all([
      loadMonthTargets({ cycleId: status.cycleId, version, period: label }),
      loadEarlierAttainments({ cycleId: status.cycleId, period: label }),
    ]);
    status.currentPeriod = label;
    const month = await startChild(monthlyReview, {
      workflowId: `month-${status.cycleId}-${label}`,
      args: [
        {
          cycleId: status.cycleId,
          period: label,
          version,
          targets,
          earlier,
          actualsDueAt: new Date(nthWorkingDayEndUtc(addMonths(period, 1), setup.actualsWorkingDay ?? 5)).toISOString(),
          closesAt: new Date(periodStartUtc(addMonths(period, 2))).toISOString(),
          ...(setup.planningOfficeUnitId ? { planningOfficeUnitId: setup.planningOfficeUnitId } : {}),
          carried,
        },
      ],
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      typedSearchAttributes: [
        { key: SearchAttribute.CycleId, value: status.cycleId },
        { key: SearchAttribute.Procedure, value: Procedure.MonthlyReview },
        { key: SearchAttribute.Period, value: label },
        { key: SearchAttribute.PlanYear, value: period.year },
      ],
    });
    const result = await month.result();
    carried = result.open;
    status.lastClosedPeriod = label;
    status.currentPeriod = undefined;

    const yearEnd = period.month === 12;
    if (i + 1 < periods.length && (yearEnd || workflowInfo().continueAsNewSuggested) && !status.change && mayContinueAsNew()) {
      return { status: { ...status }, nextMonth: i + 1, carried };
    }
  }
  return 'done';
}
