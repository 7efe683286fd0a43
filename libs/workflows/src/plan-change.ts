import { ApplicationFailure, condition, proxyActivities, setHandler } from '@temporalio/workflow';
import { CyclePhase, Role, addMonths, formatPeriod, hasAnyRole, isTerminalPhase, validatePlan } from '@rollplan/domain/rules';
import type { PlanActivities } from './activities';
import { reviewTracked } from './committee-round';
import { FailureType, Patch } from './names';
import type { ExecutionContext } from './plan-execution';
import { latestStart, periodOf } from './plan-schedule';
import { proposeChangeUpdate, type ProposeChangeInput } from './planning-cycle.messages';
import type { RollingAdjustment } from './rolling-adjustment';
import { hasPatch } from './patches';

const { recordPlanVersion, recordPlanVerdict } = proxyActivities<PlanActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

function fail(type: string, message: string, details?: unknown[]): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true, details });
}

/** A version submitted for review; the round starts once its row is recorded. */
interface Submission {
  version: number;
  submittedBy: string;
  recorded: boolean;
}

/**
 * A change to the plan in force during execution (seed 000 §3.3, seed 004): the planning office
 * proposes a new version (POST /cycles/:id/changes), the committee reviews it in rounds as in
 * drafting, the office revises in between; approved, it applies from the next month. One change
 * at a time, and none while the rolling adjustment is open (that one carries the plan on).
 */
export class PlanChange {
  /** The version waiting for its review round. */
  private proposal: Submission | undefined;

  constructor(
    private readonly x: ExecutionContext,
    private readonly adjustment: RollingAdjustment,
  ) {}

  install(): this {
    setHandler(proposeChangeUpdate, (input) => this.propose(input), { validator: (input) => this.check(input) });
    return this;
  }

  private check({ content, actor }: ProposeChangeInput): void {
    const { status } = this.x;
    // A retry of a change an earlier run took: answered with its version, not checked again.
    if (this.x.updates.recall()) return;
    if (!hasAnyRole(actor, [Role.Admin])) fail(FailureType.Forbidden, 'only the planning office proposes plan changes');
    if (status.phase !== CyclePhase.Execution) fail(FailureType.Conflict, `the cycle is ${status.phase}: only a plan in execution can change`);
    this.x.refuseWhileRollingOver();
    // One version under review at a time: while the yearly adjustment is open, the plan moves
    // on through its rolled plan (docs/lifecycle.md).
    const adjustment = status.adjustment;
    if (adjustment) fail(FailureType.Conflict, `the ${adjustment.year} rolling adjustment is open: the plan changes through its rolled plan (POST /cycles/:id/adjustments/${adjustment.year}/plans)`);
    if (status.change && status.change.stage !== 'revising') fail(FailureType.Conflict, `change v${status.change.version} is still under review`);
    if (this.proposal) fail(FailureType.Conflict, 'another revision of the change was just submitted');
    // A change amends the newest approved plan, within its years.
    const problems = validatePlan(content, { startYear: latestStart(status), horizonYears: status.horizonYears });
    if (problems.length > 0) fail(FailureType.ValidationFailed, 'the change is not a valid plan', problems);
  }

  private async propose({ content, reason, actor }: ProposeChangeInput): Promise<{ version: number }> {
    const { status, updates } = this.x;
    const earlier = updates.recall<{ version: number }>();
    if (earlier) return earlier.result;
    const version = status.versions!.length + 1;
    status.versions!.push(version);
    const round = ((status.adjustment ?? status.change)?.round ?? 0) + 1;
    const submission: Submission = { version, submittedBy: actor.userId, recorded: false };
    // Under review from the moment it is accepted, before the first await: the month loop cannot
    // carry the cycle into its next run without it, and a second proposal meanwhile is refused.
    // Patch log: docs/temporal.md (runs before it took the change after recording its version).
    const takenFirst = hasPatch(Patch.ChangeTakenBeforeRecording);
    if (takenFirst) this.take(submission, reason);
    await recordPlanVersion({ cycleId: status.cycleId, version, content, submittedBy: actor.userId, submittedAt: new Date().toISOString(), round });
    submission.recorded = true;
    if (!takenFirst) {
      if (status.adjustment) {
        this.adjustment.takeDraft(version, actor.userId);
        return { version };
      }
      this.take(submission, reason);
    }
    return updates.remember({ version });
  }

  private take(submission: Submission, reason: string): void {
    const { status } = this.x;
    if (!status.change) {
      status.change = { version: submission.version, round: 0, stage: 'committee_review', reason };
      this.x.inBackground(() => this.review());
    }
    this.proposal = submission;
  }

  /** Rounds on a change until the committee approves or rejects it; the office revises in between. */
  private async review(): Promise<void> {
    const { setup, status, board } = this.x;
    for (;;) {
      await condition(() => this.proposal?.recorded === true);
      const { version, submittedBy } = this.proposal!;
      this.proposal = undefined;
      const change = status.change!;
      const { verdict, reasons } = await reviewTracked(setup, status, board, change, { version, submittedBy, subject: 'change' });
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
        status.schedule!.push({ version, from, startYear: latestStart(status) });
        status.effectiveVersion = version;
      } else {
        await recordPlanVerdict({ cycleId: status.cycleId, version, verdict: 'rejected', at, reasons });
      }
      status.change = undefined;
      return;
    }
  }
}
