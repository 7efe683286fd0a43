import { ApplicationFailure, condition, proxyActivities, setHandler } from '@temporalio/workflow';
import { CyclePhase, Role, formatPeriod, hasAnyRole, validatePlan, type Actor } from '@rollplan/domain/rules';
import type { PlanActivities } from './activities';
import { businessCalendar, escalationInDays } from './business-days';
import type { TaskBoard } from './human-task';
import type { TaskSpec } from './human-task.messages';
import { escalation, reviewRound } from './committee-round';
import { FailureType } from './names';
import {
  extendContributionUpdate,
  submitDraftUpdate,
  waiveContributionUpdate,
  type ContributionState,
  type CycleSetup,
  type CycleStatus,
} from './planning-cycle.messages';

const { recordPlanVersion, recordPlanVerdict } = proxyActivities<PlanActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

const DAY = 86_400_000;

function fail(type: string, message: string, details?: unknown[]): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true, details });
}

/**
 * Drafting and committee review of a three-year plan (seed 000 §2–4, seed 003 §三):
 * contributions from every unit in parallel → the office's draft → optional internal review →
 * committee rounds (members' ballots under the rule, then the chair's final approval) until the
 * plan is approved or rejected. Changes requested: the office submits a new version, and a new
 * round begins. Ends with the cycle in execution (approved) or rejected.
 */
export async function runPlanDrafting(
  setup: CycleSetup,
  status: CycleStatus,
  board: TaskBoard,
  enterPhase: (phase: CyclePhase) => Promise<void>,
): Promise<void> {
  const contributions: ContributionState[] = setup.contributors.map((c) => ({ unitId: c.unitId, area: c.area, status: 'open', dueAt: setup.contributionDueAt }));
  status.contributions = contributions;
  status.round = 0;
  status.versions = [];
  let draft: { version: number; submittedBy: string } | undefined;
  const contributionsDone = () => contributions.every((c) => c.status !== 'open');

  const findContribution = (unitId: string, actor: Actor) => {
    if (!hasAnyRole(actor, [Role.Admin])) fail(FailureType.Forbidden, 'only the planning office manages contributions');
    const contribution = contributions.find((c) => c.unitId === unitId);
    if (!contribution) fail(FailureType.NotFound, 'this unit does not contribute to the cycle');
    if (contribution.status !== 'open') fail(FailureType.Conflict, `the contribution is already ${contribution.status}`);
    if (!contribution.taskId) fail(FailureType.Conflict, 'the contribution task is still being opened; try again in a moment');
    return contribution;
  };
  setHandler(
    waiveContributionUpdate,
    async ({ unitId, reason, actor }) => {
      const contribution = findContribution(unitId, actor);
      contribution.status = 'waived';
      contribution.waiver = { reason, by: actor.userId };
      await board.cancelTask(contribution.taskId!, `waived: ${reason}`);
      return contribution;
    },
    { validator: ({ unitId, actor }) => void findContribution(unitId, actor) },
  );
  setHandler(
    extendContributionUpdate,
    async ({ unitId, dueAt, reason, actor }) => {
      const contribution = findContribution(unitId, actor);
      contribution.dueAt = dueAt!;
      contribution.extensions = [...(contribution.extensions ?? []), { dueAt: dueAt!, reason, by: actor.userId }];
      await board.reschedule(contribution.taskId!, dueAt!, { reason, actor });
      return contribution;
    },
    {
      validator: ({ unitId, dueAt, actor }) => {
        findContribution(unitId, actor);
        if (!dueAt || !(Date.parse(dueAt) > Date.now())) fail(FailureType.ValidationFailed, 'the new due date must be in the future', [{ path: 'dueAt', message: 'must be in the future' }]);
      },
    },
  );
  setHandler(
    submitDraftUpdate,
    async ({ content, actor }) => {
      const version = status.versions!.length + 1;
      status.versions!.push(version);
      draft = { version, submittedBy: actor.userId };
      await recordPlanVersion({ cycleId: status.cycleId, version, content, submittedBy: actor.userId, submittedAt: new Date().toISOString(), round: status.round! + 1 });
      return { version };
    },
    {
      validator: ({ content, actor }) => {
        if (!hasAnyRole(actor, [Role.Admin])) fail(FailureType.Forbidden, 'only the planning office submits drafts');
        if (status.phase !== CyclePhase.Drafting || draft) fail(FailureType.Conflict, 'the cycle is not waiting for a draft');
        if (!contributionsDone()) fail(FailureType.Conflict, 'contributions are still open');
        const problems = validatePlan(content, status);
        if (problems.length > 0) fail(FailureType.ValidationFailed, 'the draft is not valid', problems);
      },
    },
  );

  // 1. Every contributing unit analyses its area, in parallel; overdue work goes to the unit head, then the office.
  const calendar = await businessCalendar(setup);
  await Promise.all(
    setup.contributors.map(async (contributor, i) => {
      const spec: TaskSpec = {
        kind: 'plan.contribution',
        title: `${contributor.name}: analysis for the ${status.startYear}–${status.startYear + status.horizonYears - 1} plan`,
        assignee: { type: 'unit', unitId: contributor.unitId },
        dueAt: setup.contributionDueAt,
        escalation: escalationInDays(setup.contributionDueAt, [2], 3, escalation(setup, [], 0).chain, calendar),
        cycleId: status.cycleId,
        links: { area: contributor.area, unitId: contributor.unitId },
      };
      const decision = await board.decideTracked(spec, (taskId) => (contributions[i].taskId = taskId));
      if (decision) contributions[i].status = 'submitted';
    }),
  );

  // 2. Rounds until approved or rejected.
  for (;;) {
    await condition(() => draft !== undefined);
    const { version, submittedBy } = draft!;
    status.round! += 1;
    const round = status.round!;

    const { verdict, reasons } = await reviewRound(
      setup,
      board,
      { cycleId: status.cycleId, version, submittedBy, round, subject: 'plan' },
      (stage) => enterPhase(stage),
      (electorate) => (status.committeeRound = electorate),
    );

    const at = new Date().toISOString();
    if (verdict === 'approve') {
      await recordPlanVerdict({ cycleId: status.cycleId, version, verdict: 'approved', at, reasons, effectiveFrom: formatPeriod({ year: status.startYear, month: 1 }) });
      status.effectiveVersion = version;
      await enterPhase(CyclePhase.Execution);
      return;
    }
    if (verdict === 'reject') {
      await recordPlanVerdict({ cycleId: status.cycleId, version, verdict: 'rejected', at, reasons });
      status.rejection = { reasons, at };
      await enterPhase(CyclePhase.Rejected);
      return;
    }
    await recordPlanVerdict({ cycleId: status.cycleId, version, verdict: 'changes_requested', at, reasons });
    draft = undefined;
    await enterPhase(CyclePhase.Drafting);
  }
}
