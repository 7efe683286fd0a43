import { ApplicationFailure, condition, proxyActivities, setHandler } from '@temporalio/workflow';
import {
  CyclePhase,
  Role,
  addMonths,
  adjustmentOpensAt,
  formatPeriod,
  hasAnyRole,
  isTerminalPhase,
  manualAdjustmentYear,
  nextAutoAdjustmentYear,
  validatePlan,
} from '@rollplan/domain/rules';
import type { MonitoringActivities, PlanActivities } from './activities';
import { reviewTracked } from './committee-round';
import { businessCalendar, dueInDays, escalationInDays } from './business-days';
import { FailureType } from './names';
import type { ExecutionContext } from './plan-execution';
import { latestPlan, latestStart, periodOf } from './plan-schedule';
import { startAdjustmentUpdate, submitRolledPlanUpdate } from './planning-cycle.messages';

const { recordPlanVersion, recordPlanVerdict, loadAdjustmentContext } = proxyActivities<PlanActivities & MonitoringActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

const DAY = 86_400_000;

function fail(type: string, message: string, details?: unknown[]): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true, details });
}

/**
 * The yearly rolling adjustment (seed 000 §3.4–3.5): every contributing unit re-analyses what
 * changed, starting from its last analysis and last year's actuals; the office drafts the plan
 * rolled one year on; the committee reviews it as in drafting until it is approved. It takes
 * effect from its first month, or from the month after a late approval. Opens by itself
 * `adjustmentLeadMonths` before the plan's next year, or when the office opens it
 * (POST /cycles/:id/adjustments).
 */
export class RollingAdjustment {
  /** The rolled plan submitted and not yet taken up by a review round. */
  private draft: { version: number; submittedBy: string } | undefined;
  private readonly leadMonths: number;

  /** `afterApproval`: patch adjustment-after-approval (docs/temporal.md) taken by this run. */
  constructor(
    private readonly x: ExecutionContext,
    private readonly afterApproval: boolean,
  ) {
    this.leadMonths = x.setup.adjustmentLeadMonths ?? 2;
  }

  install(): this {
    const { status } = this.x;
    setHandler(
      startAdjustmentUpdate,
      ({ actor }) => {
        this.open(actor.userId);
        return Promise.resolve(status.adjustment);
      },
      {
        validator: ({ actor }) => {
          if (!hasAnyRole(actor, [Role.Admin])) fail(FailureType.Forbidden, 'only the planning office opens a rolling adjustment');
          if (status.phase !== CyclePhase.Execution) fail(FailureType.Conflict, `the cycle is ${status.phase}`);
          this.x.refuseWhileRollingOver();
          if (status.adjustment) fail(FailureType.Conflict, `the ${status.adjustment.year} rolling adjustment is already open`);
          if (status.change) fail(FailureType.Conflict, `change v${status.change.version} is under review; finish it first`);
        },
      },
    );

    setHandler(
      submitRolledPlanUpdate,
      async ({ content, actor }) => {
        const earlier = this.x.updates.recall<{ version: number }>();
        if (earlier) return earlier.result;
        const adjustment = status.adjustment!;
        const version = status.versions!.length + 1;
        status.versions!.push(version);
        // Taken before the first await, so a second submission meanwhile is refused by the validator.
        this.draft = { version, submittedBy: actor.userId };
        await recordPlanVersion({ cycleId: status.cycleId, version, content, submittedBy: actor.userId, submittedAt: new Date().toISOString(), round: adjustment.round + 1 });
        return this.x.updates.remember({ version });
      },
      {
        validator: ({ year, content, actor }) => {
          if (this.x.updates.recall()) return;
          if (!hasAnyRole(actor, [Role.Admin])) fail(FailureType.Forbidden, 'only the planning office submits the rolled plan');
          if (status.phase !== CyclePhase.Execution) fail(FailureType.Conflict, `the cycle is ${status.phase}`);
          this.x.refuseWhileRollingOver();
          const adjustment = status.adjustment;
          if (!adjustment) fail(FailureType.Conflict, 'no rolling adjustment is open; open one with POST /cycles/:id/adjustments');
          if (adjustment.year !== year) fail(FailureType.Conflict, `the open rolling adjustment rolls the plan to ${adjustment.year}, not ${year}`);
          if (adjustment.stage === 'analysis') fail(FailureType.Conflict, `the ${adjustment.year} rolling adjustment is still collecting the units' analyses`);
          if (adjustment.stage !== 'drafting' && adjustment.stage !== 'revising') fail(FailureType.Conflict, `rolled plan v${adjustment.version} is still under review`);
          if (this.draft) fail(FailureType.Conflict, 'a rolled plan was just submitted');
          // The rolled plan covers year … year + horizon − 1.
          const problems = validatePlan(content, { startYear: adjustment.year, horizonYears: status.horizonYears });
          if (problems.length > 0) fail(FailureType.ValidationFailed, 'the rolled plan is not valid', problems);
        },
      },
    );
    return this;
  }

  /** When the next automatic adjustment opens. */
  opensAt(): number {
    return adjustmentOpensAt(this.autoYear(), this.leadMonths);
  }

  /** Opens the adjustment: by the office (`by`), or by itself when its time has come. */
  open(by?: string): void {
    const { status } = this.x;
    const start = latestStart(status);
    const year = !this.afterApproval ? start + 1 : by ? manualAdjustmentYear(start, Date.now(), this.leadMonths) : this.autoYear();
    status.adjustment = { year, stage: 'analysis', openedAt: new Date().toISOString(), ...(by ? { by } : {}), round: 0 };
    this.x.inBackground(() => this.run());
  }

  /** A rolled plan that reached the cycle through proposeChange (runs from before v0.10 only). */
  takeDraft(version: number, submittedBy: string): void {
    this.draft = { version, submittedBy };
  }

  private autoYear(): number {
    const approvedAt = latestPlan(this.x.status).approvedAt;
    return nextAutoAdjustmentYear(latestStart(this.x.status), approvedAt ? Date.parse(approvedAt) : undefined, this.leadMonths);
  }

  private async run(): Promise<void> {
    const { setup, status, board } = this.x;
    const adjustment = status.adjustment!;
    const { year } = adjustment;
    const office = setup.planningOfficeUnitId ? [{ type: 'unit' as const, unitId: setup.planningOfficeUnitId }] : [];
    // 1. Every contributing unit says what changed, from its last analysis and last year's actuals.
    const calendar = await businessCalendar(setup);
    const dueAt = dueInDays(14, calendar);
    await Promise.all(
      setup.contributors.map(async (contributor) => {
        const context = await loadAdjustmentContext({ cycleId: status.cycleId, unitId: contributor.unitId, year });
        await board.decide({
          kind: 'plan.contribution',
          title: `${contributor.name}: what changed, for the rolled ${year}–${year + status.horizonYears - 1} plan`,
          assignee: { type: 'unit', unitId: contributor.unitId },
          dueAt,
          escalation: escalationInDays(dueAt, [2], 3, office, calendar),
          cycleId: status.cycleId,
          links: { area: contributor.area, unitId: contributor.unitId, adjustment: String(year) },
          context,
        });
      }),
    );
    // 2. The office drafts the rolled plan; the committee reviews each version until it is approved.
    adjustment.stage = 'drafting';
    for (;;) {
      await condition(() => this.draft !== undefined);
      const { version, submittedBy } = this.draft!;
      this.draft = undefined;
      const { verdict, reasons } = await reviewTracked(setup, status, board, adjustment, { version, submittedBy, subject: 'adjustment' });
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
      status.schedule!.push({ version, from, startYear: year, ...(this.afterApproval ? { approvedAt: at } : {}) });
      status.effectiveVersion = version;
      status.adjustments = [...(status.adjustments ?? []), { year, version, from, late: from !== first }];
      status.adjustment = undefined;
      return;
    }
  }
}
