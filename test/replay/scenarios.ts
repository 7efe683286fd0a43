import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { cycleWorkflowId } from '@rollplan/domain';
import type { Actor } from '@rollplan/domain';
import {
  CODE_BASELINE,
  WorkflowType,
  cancelCycleUpdate,
  claimTaskUpdate,
  completeTaskUpdate,
  cycleStatusQuery,
  extendContributionUpdate,
  openRequestUpdate,
  periodStatusQuery,
  raiseRiskUpdate,
  reportSpendUpdate,
  proposeChangeUpdate,
  startAdjustmentUpdate,
  closePeriodUpdate,
  extendPeriodUpdate,
  submitActualsUpdate,
  submitDraftUpdate,
  submitRolledPlanUpdate,
  backfillPeriodUpdate,
  tasksQuery,
  type PlanningCycleInput,
  type TaskSpec,
  type TaskState,
} from '@rollplan/workflows';
import { contributionFor, samplePlan } from '../support/plans';

/**
 * Runs recorded for replay: each drives one workflow type through a path worth keeping
 * replayable, and returns the workflow ids whose histories to save. Add a scenario when a
 * workflow type or a branch of one is added.
 */
export interface Scenario {
  name: string;
  workflowType: string;
  run(env: TestWorkflowEnvironment, taskQueue: string, people: Record<string, Actor>): Promise<string[]>;
}

async function waitForPhase(env: TestWorkflowEnvironment, workflowId: string, phase: string) {
  const handle = env.client.workflow.getHandle(workflowId);
  for (let i = 0; i < 200; i++) {
    if ((await handle.query(cycleStatusQuery)).phase === phase) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${workflowId} never reached ${phase}`);
}

async function openTasksOf(env: TestWorkflowEnvironment, workflowId: string, kind: string, count: number): Promise<TaskState[]> {
  const handle = env.client.workflow.getHandle(workflowId);
  for (let i = 0; i < 200; i++) {
    const open = (await handle.query(tasksQuery)).filter((t) => t.spec.kind === kind && t.status === 'open');
    if (open.length >= count) return open;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${workflowId}: ${count} open ${kind} tasks never appeared`);
}

export const SCENARIOS: Scenario[] = [
  {
    name: 'started-then-cancelled',
    workflowType: WorkflowType.PlanningCycle,
    async run(env, taskQueue) {
      const input: PlanningCycleInput = { cycleId: randomUUID(), title: 'Replay plan', startYear: 2027, horizonYears: 3, baseline: CODE_BASELINE };
      const handle = await env.client.workflow.start(WorkflowType.PlanningCycle, {
        workflowId: cycleWorkflowId(input.cycleId),
        taskQueue,
        args: [input],
      });
      await waitForPhase(env, handle.workflowId, 'drafting');
      await env.sleep('30 days');
      await handle.executeUpdate(cancelCycleUpdate, { args: [{ reason: 'recorded for replay' }] });
      await handle.result();
      return [handle.workflowId];
    },
  },
  {
    name: 'vote-2-of-3-with-escalation',
    workflowType: WorkflowType.HumanTask,
    async run(env, taskQueue, people) {
      const now = Number(await env.currentTimeMs());
      const DAY = 86_400_000;
      const ballot = (who: string): TaskSpec => ({
        kind: 'committee.vote',
        title: 'Approve the plan',
        assignee: { type: 'user', userId: people[who].userId },
        dueAt: new Date(now + 3 * DAY).toISOString(),
        escalation: { remindBeforeMs: [DAY], chain: [{ type: 'committee' }], graceMs: 2 * DAY },
      });
      const handle = await env.client.workflow.start(WorkflowType.HumanTask, {
        workflowId: `task-${randomUUID()}`,
        taskQueue,
        args: [{ requestedBy: people.admin, tasks: [ballot('chair'), ballot('reviewer1'), ballot('reviewer2')], group: { rule: { kind: 'n_of_m', n: 2 }, passOutcome: 'approve' }, baseline: CODE_BASELINE }],
      });
      let tasks = await handle.query(tasksQuery);
      while (tasks.length < 3) tasks = await handle.query(tasksQuery);
      const of = (who: string) => tasks.find((t) => t.eligible[0] === people[who].userId)!;
      await handle.executeUpdate(completeTaskUpdate, { args: [{ taskId: of('chair').id, outcome: 'approve', actor: people.chair }] });
      await env.sleep(4 * DAY); // reminder, then escalation of the two open ballots to the whole committee
      await handle.executeUpdate(claimTaskUpdate, { args: [{ taskId: of('reviewer2').id, actor: people.reviewer1 }] });
      await handle.executeUpdate(completeTaskUpdate, { args: [{ taskId: of('reviewer2').id, outcome: 'approve', actor: people.reviewer1 }] });
      await handle.result();
      return [handle.workflowId];
    },
  },
  {
    name: 'cycle-with-request-cancelled',
    workflowType: WorkflowType.PlanningCycle,
    async run(env, taskQueue, people) {
      const input: PlanningCycleInput = { cycleId: randomUUID(), title: 'Replay plan with a request', startYear: 2027, horizonYears: 3, startedBy: people.admin, baseline: CODE_BASELINE };
      const handle = await env.client.workflow.start(WorkflowType.PlanningCycle, { workflowId: cycleWorkflowId(input.cycleId), taskQueue, args: [input] });
      await waitForPhase(env, handle.workflowId, 'drafting');
      const requestId = `task-request-${randomUUID()}`;
      const dueAt = new Date(Number(await env.currentTimeMs()) + 7 * 86_400_000).toISOString();
      await handle.executeUpdate(openRequestUpdate, {
        args: [{ requestId, request: { requestedBy: people.admin, tasks: [{ kind: 'adhoc.request', title: 'Industry analysis', assignee: { type: 'user', userId: people.strategy.userId }, dueAt, escalation: { remindBeforeMs: [86_400_000], chain: [], graceMs: 86_400_000 }, cycleId: input.cycleId }], baseline: CODE_BASELINE } }],
      });
      const child = env.client.workflow.getHandle(requestId);
      let tasks = await child.query(tasksQuery);
      while (tasks.length < 1) tasks = await child.query(tasksQuery);
      await handle.executeUpdate(cancelCycleUpdate, { args: [{ reason: 'recorded for replay', by: people.admin }] });
      await handle.result();
      // The dev server cancels the child when the cycle closes (REQUEST_CANCEL); the time-skipping
      // server ignores parent close policies, so the child's history is recorded while it still
      // waits (a partial history replays as well). The e2e tests cover the real cancellation.
      await new Promise((r) => setTimeout(r, 200));
      return [handle.workflowId, requestId];
    },
  },
  {
    // v0.4: contributions (one extended), internal review, round 1 changes requested, round 2
    // approved by the members and the chair, then cancelled in execution.
    name: 'drafting-two-rounds-approved',
    workflowType: WorkflowType.PlanningCycle,
    async run(env, taskQueue, people) {
      const DAY = 86_400_000;
      const now = Number(await env.currentTimeMs());
      const plan = samplePlan({ finance: people.finance.unitId!, customer: people.customer.unitId! });
      const input: PlanningCycleInput = {
        baseline: CODE_BASELINE,
        cycleId: randomUUID(),
        title: 'Replay plan with drafting',
        startYear: 2027,
        horizonYears: 3,
        startedBy: people.admin,
        setup: {
          contributors: [
            { unitId: people.finance.unitId!, area: 'finance', name: 'Finance Center' },
            { unitId: people.hr.unitId!, area: 'hr', name: 'HR Center' },
          ],
          contributionDueAt: new Date(now + 14 * DAY).toISOString(),
          planningOfficeUnitId: people.admin.unitId!,
          internalReviewUnitIds: [people.hr.unitId!],
          committee: { memberIds: [people.reviewer1.userId, people.reviewer2.userId], chairId: people.chair.userId, rule: { kind: 'all' }, reviewDays: 7, maxRounds: 3 },
        },
      };
      const handle = await env.client.workflow.start(WorkflowType.PlanningCycle, { workflowId: cycleWorkflowId(input.cycleId), taskQueue, args: [input] });
      const complete = (task: TaskState, actor: Actor, outcome: string, payload?: Record<string, unknown>) =>
        handle.executeUpdate(completeTaskUpdate, { args: [{ taskId: task.id, outcome, actor, payload }] });
      const byHolder = (tasks: TaskState[], who: string) => tasks.find((t) => t.eligible.includes(people[who].userId))!;

      const contributions = await openTasksOf(env, handle.workflowId, 'plan.contribution', 2);
      await complete(byHolder(contributions, 'hr'), people.hr, 'submitted', contributionFor('hr'));
      await handle.executeUpdate(extendContributionUpdate, { args: [{ unitId: people.finance.unitId!, dueAt: new Date(now + 21 * DAY).toISOString(), reason: 'replay', actor: people.admin }] });
      await env.sleep(15 * DAY);
      await complete(byHolder(contributions, 'finance'), people.finance, 'submitted', contributionFor('finance'));

      for (const [round, verdicts] of [[1, ['request_changes', 'approve']], [2, ['approve', 'approve']]] as const) {
        await handle.executeUpdate(submitDraftUpdate, { args: [{ content: plan, actor: people.admin }] });
        await complete((await openTasksOf(env, handle.workflowId, 'plan.internal_review', 1))[0], people.hr, 'no_objection');
        const ballots = await openTasksOf(env, handle.workflowId, 'plan.review', 2);
        await complete(byHolder(ballots, 'reviewer1'), people.reviewer1, verdicts[0], { comments: [{ anchor: 'goals.revenue', text: `round ${round}` }] });
        await complete(byHolder(ballots, 'reviewer2'), people.reviewer2, verdicts[1]);
        if (round === 1) await waitForPhase(env, handle.workflowId, 'drafting');
      }
      await complete((await openTasksOf(env, handle.workflowId, 'plan.final_approval', 1))[0], people.chair, 'approve');
      await waitForPhase(env, handle.workflowId, 'execution');
      await handle.executeUpdate(cancelCycleUpdate, { args: [{ reason: 'recorded for replay', by: people.admin }] });
      await handle.result();
      return [handle.workflowId];
    },
  },
  {
    // v0.5: approved plan → three months (February off track: cause, corrective action carried
    // into March), a plan change approved in March, then the cycle cancelled during April's review.
    name: 'months-with-cause-action-and-change',
    workflowType: WorkflowType.MonthlyReview,
    async run(env, taskQueue, people) {
      const DAY = 86_400_000;
      const plan = samplePlan({ finance: people.finance.unitId!, customer: people.customer.unitId! });
      const input: PlanningCycleInput = {
        baseline: CODE_BASELINE,
        cycleId: randomUUID(),
        title: 'Replay plan in execution',
        startYear: 2027,
        horizonYears: 3,
        startedBy: people.admin,
        setup: {
          contributors: [{ unitId: people.finance.unitId!, area: 'finance', name: 'Finance Center' }],
          contributionDueAt: new Date(Number(await env.currentTimeMs()) + 14 * DAY).toISOString(),
          planningOfficeUnitId: people.admin.unitId!,
          internalReviewUnitIds: [],
          committee: { memberIds: [people.reviewer1.userId], chairId: people.chair.userId, rule: { kind: 'all' }, reviewDays: 7, maxRounds: 3 },
        },
      };
      const cycle = await env.client.workflow.start(WorkflowType.PlanningCycle, { workflowId: cycleWorkflowId(input.cycleId), taskQueue, args: [input] });
      const complete = (workflowId: string, task: TaskState, actor: Actor, outcome: string, payload?: Record<string, unknown>) =>
        env.client.workflow.getHandle(workflowId).executeUpdate(completeTaskUpdate, { args: [{ taskId: task.id, outcome, actor, payload }] });
      const approve = async () => {
        await complete(cycle.workflowId, (await openTasksOf(env, cycle.workflowId, 'plan.review', 1))[0], people.reviewer1, 'approve');
        await complete(cycle.workflowId, (await openTasksOf(env, cycle.workflowId, 'plan.final_approval', 1))[0], people.chair, 'approve');
      };
      const sleepUntil = async (ms: number) => env.sleep(Math.max(1, ms - Number(await env.currentTimeMs())));

      await complete(cycle.workflowId, (await openTasksOf(env, cycle.workflowId, 'plan.contribution', 1))[0], people.finance, 'submitted', contributionFor('finance'));
      await cycle.executeUpdate(submitDraftUpdate, { args: [{ content: plan, actor: people.admin }] });
      await approve();
      await waitForPhase(env, cycle.workflowId, 'execution');

      const months: string[] = [];
      for (const month of [1, 2, 3]) {
        await sleepUntil(Date.UTC(2027, month, 1, 1));
        const id = `month-${input.cycleId}-2027-0${month}`;
        months.push(id);
        const handle = env.client.workflow.getHandle(id);
        for (let i = 0; i < 200 && !(await handle.query(periodStatusQuery).catch(() => undefined)); i++) await new Promise((r) => setTimeout(r, 25));
        await handle.executeUpdate(submitActualsUpdate, { args: [{ values: [{ kpiId: 'revenue-cny', value: month === 2 ? 500 : 800 }], source: 'api', actor: people.finance }] });
        await handle.executeUpdate(submitActualsUpdate, { args: [{ values: [{ kpiId: 'nps', value: 35 }], source: 'csv', importId: `replay-${month}`, actor: people.admin }] });
        if (month === 1) {
          // Closed early and reopened through the month's updates (v0.9).
          await handle.executeUpdate(closePeriodUpdate, { args: [{ actor: people.admin, reason: 'replay' }] });
          await handle.executeUpdate(extendPeriodUpdate, { args: [{ closesAt: new Date(Date.UTC(2027, 1, 20)).toISOString(), reason: 'replay', actor: people.admin }] });
        }
        if (month === 2) {
          const [cause] = await openTasksOf(env, id, 'monthly.cause_analysis', 1);
          await complete(id, cause, people.finance, 'analysed', {
            category: 'market_change',
            narrative: 'A large customer postponed its order.',
            actions: [{ what: 'Win back the order', ownerUnitId: people.finance.unitId!, dueAt: new Date(Date.UTC(2027, 3, 15)).toISOString(), kpiId: 'revenue-cny' }],
          });
          await openTasksOf(env, id, 'monthly.action', 1);
        }
        if (month === 3) {
          await complete(id, (await openTasksOf(env, id, 'monthly.action', 1))[0], people.finance, 'done');
          const changed = structuredClone(plan);
          changed.kpis[0].targets[0] = { year: 2027, target: 10_000, monthly: [800, 800, 800, 800, 850, 850, 850, 850, 850, 850, 850, 850] };
          await cycle.executeUpdate(proposeChangeUpdate, { args: [{ content: changed, reason: 'replay', actor: people.admin }] });
          await approve();
        }
      }
      await sleepUntil(Date.UTC(2027, 4, 1, 1));
      months.push(`month-${input.cycleId}-2027-04`);
      await cycle.executeUpdate(cancelCycleUpdate, { args: [{ reason: 'recorded for replay', by: people.admin }] });
      await cycle.result();
      const april = env.client.workflow.getHandle(months[3]);
      for (let i = 0; i < 200 && (await april.describe()).status.name === 'RUNNING'; i++) await new Promise((r) => setTimeout(r, 25));
      return [cycle.workflowId, ...months];
    },
  },
  {
    // v0.6: an approved plan, its rolling adjustment opened by hand (re-analysis with context,
    // a rolled plan, approval), then the cycle cancelled.
    name: 'rolling-adjustment-by-hand',
    workflowType: WorkflowType.PlanningCycle,
    async run(env, taskQueue, people) {
      const DAY = 86_400_000;
      const input: PlanningCycleInput = {
        baseline: CODE_BASELINE,
        cycleId: randomUUID(),
        title: 'Replay plan rolled',
        startYear: 2027,
        horizonYears: 3,
        startedBy: people.admin,
        setup: {
          contributors: [{ unitId: people.finance.unitId!, area: 'finance', name: 'Finance Center' }],
          contributionDueAt: new Date(Number(await env.currentTimeMs()) + 14 * DAY).toISOString(),
          planningOfficeUnitId: people.admin.unitId!,
          internalReviewUnitIds: [],
          committee: { memberIds: [people.reviewer1.userId], chairId: people.chair.userId, rule: { kind: 'all' }, reviewDays: 7, maxRounds: 3 },
          autoAdjustment: false,
        },
      };
      const cycle = await env.client.workflow.start(WorkflowType.PlanningCycle, { workflowId: cycleWorkflowId(input.cycleId), taskQueue, args: [input] });
      const complete = async (kind: string, actor: Actor, outcome: string, payload?: Record<string, unknown>) =>
        cycle.executeUpdate(completeTaskUpdate, { args: [{ taskId: (await openTasksOf(env, cycle.workflowId, kind, 1))[0].id, outcome, actor, payload }] });
      const units = { finance: people.finance.unitId!, customer: people.customer.unitId! };

      await complete('plan.contribution', people.finance, 'submitted', contributionFor('finance'));
      await cycle.executeUpdate(submitDraftUpdate, { args: [{ content: samplePlan(units), actor: people.admin }] });
      await complete('plan.review', people.reviewer1, 'approve');
      await complete('plan.final_approval', people.chair, 'approve');
      await waitForPhase(env, cycle.workflowId, 'execution');

      await cycle.executeUpdate(startAdjustmentUpdate, { args: [{ actor: people.admin }] });
      await complete('plan.contribution', people.finance, 'submitted', contributionFor('finance'));
      for (let i = 0; i < 200 && (await cycle.query(cycleStatusQuery)).adjustment?.stage !== 'drafting'; i++) await new Promise((r) => setTimeout(r, 25));
      await cycle.executeUpdate(submitRolledPlanUpdate, { args: [{ year: 2028, content: samplePlan(units, 2028), actor: people.admin }] });
      await complete('plan.review', people.reviewer1, 'approve');
      await complete('plan.final_approval', people.chair, 'approve');
      for (let i = 0; i < 200 && (await cycle.query(cycleStatusQuery)).adjustment; i++) await new Promise((r) => setTimeout(r, 25));
      await cycle.executeUpdate(cancelCycleUpdate, { args: [{ reason: 'recorded for replay', by: people.admin }] });
      await cycle.result();
      return [cycle.workflowId];
    },
  },
  {
    // v0.8: a plan approved in November of its first year by a committee its drafter sits on
    // (no ballot for them): past months skipped, September backfilled, October opened with fresh
    // due dates; both close, November opens; then the cycle cancelled.
    name: 'late-approval-backfill-recusal',
    workflowType: WorkflowType.PlanningCycle,
    async run(env, taskQueue, people) {
      const DAY = 86_400_000;
      const year = new Date(Number(await env.currentTimeMs())).getUTCFullYear() + 1;
      const now = Number(await env.currentTimeMs());
      if (Date.UTC(year, 10, 10) > now) await env.sleep(Date.UTC(year, 10, 10) - now);
      const input: PlanningCycleInput = {
        baseline: CODE_BASELINE,
        cycleId: randomUUID(),
        title: 'Replay plan approved late',
        startYear: year,
        horizonYears: 3,
        startedBy: people.admin,
        setup: {
          contributors: [{ unitId: people.finance.unitId!, area: 'finance', name: 'Finance Center' }],
          contributionDueAt: new Date(Number(await env.currentTimeMs()) + 14 * DAY).toISOString(),
          planningOfficeUnitId: people.admin.unitId!,
          internalReviewUnitIds: [],
          committee: { memberIds: [people.reviewer1.userId, people.admin.userId], chairId: people.chair.userId, rule: { kind: 'all' }, reviewDays: 7, maxRounds: 3 },
        },
      };
      const cycle = await env.client.workflow.start(WorkflowType.PlanningCycle, { workflowId: cycleWorkflowId(input.cycleId), taskQueue, args: [input] });
      const complete = async (kind: string, actor: Actor, outcome: string, payload?: Record<string, unknown>) =>
        cycle.executeUpdate(completeTaskUpdate, { args: [{ taskId: (await openTasksOf(env, cycle.workflowId, kind, 1))[0].id, outcome, actor, payload }] });
      const units = { finance: people.finance.unitId!, customer: people.customer.unitId! };

      await complete('plan.contribution', people.finance, 'submitted', contributionFor('finance'));
      await cycle.executeUpdate(submitDraftUpdate, { args: [{ content: samplePlan(units, year), actor: people.admin }] });
      await complete('plan.review', people.reviewer1, 'approve');
      await complete('plan.final_approval', people.chair, 'approve');
      await waitForPhase(env, cycle.workflowId, 'execution');
      const october = env.client.workflow.getHandle(`month-${input.cycleId}-${year}-10`);
      for (let i = 0; i < 200 && (await october.query(periodStatusQuery).catch(() => undefined))?.phase !== 'collecting'; i++) await new Promise((r) => setTimeout(r, 25));
      await cycle.executeUpdate(backfillPeriodUpdate, { args: [{ period: `${year}-09`, actor: people.admin }] });
      const september = env.client.workflow.getHandle(`month-${input.cycleId}-${year}-09`);
      for (let i = 0; i < 200 && (await september.query(periodStatusQuery).catch(() => undefined))?.phase !== 'collecting'; i++) await new Promise((r) => setTimeout(r, 25));
      await october.executeUpdate(submitActualsUpdate, { args: [{ values: [{ kpiId: 'revenue-cny', value: 800 }], source: 'api', actor: people.finance }] });
      // September and October close (the customer center's actuals tasks cancelled), November opens.
      await env.sleep(Date.UTC(year, 11, 2) - Number(await env.currentTimeMs()));
      const november = env.client.workflow.getHandle(`month-${input.cycleId}-${year}-11`);
      for (let i = 0; i < 200 && (await november.query(periodStatusQuery).catch(() => undefined))?.phase !== 'collecting'; i++) await new Promise((r) => setTimeout(r, 25));
      await cycle.executeUpdate(cancelCycleUpdate, { args: [{ reason: 'recorded for replay', by: people.admin }] });
      await cycle.result();
      for (let i = 0; i < 200 && (await november.describe()).status.name === 'RUNNING'; i++) await new Promise((r) => setTimeout(r, 25));
      return [cycle.workflowId, september.workflowId, october.workflowId, november.workflowId];
    },
  },
  {
    // v0.12: a cycle in the organization's time zone and business calendar; each month asks for
    // milestone progress and spend, a risk is raised in January and reviewed in February, the
    // operations meeting of January is minuted with a decision, March's close evaluates the first quarter and
    // April signs it off; then the cycle cancelled.
    name: 'controls-in-business-calendar',
    workflowType: WorkflowType.MonthlyReview,
    async run(env, taskQueue, people) {
      const DAY = 86_400_000;
      const plan = samplePlan({ finance: people.finance.unitId!, customer: people.customer.unitId! });
      plan.milestones = [{ id: 'south-office', year: 2027, title: 'Open the southern office', initiativeId: 'new-regions', dueMonth: '2027-03' }];
      plan.budget = [{ unitId: people.customer.unitId!, initiativeId: 'new-regions', year: 2027, amount: 60 }];
      const input: PlanningCycleInput = {
        baseline: CODE_BASELINE,
        cycleId: randomUUID(),
        title: 'Replay controls',
        startYear: 2027,
        horizonYears: 3,
        startedBy: people.admin,
        setup: {
          contributors: [{ unitId: people.finance.unitId!, area: 'finance', name: 'Finance Center' }],
          contributionDueAt: new Date(Number(await env.currentTimeMs()) + 14 * DAY).toISOString(),
          planningOfficeUnitId: people.admin.unitId!,
          internalReviewUnitIds: [],
          committee: { memberIds: [people.reviewer1.userId], chairId: people.chair.userId, rule: { kind: 'all' }, reviewDays: 7, maxRounds: 3 },
          timeZone: 'Asia/Shanghai',
        },
      };
      const cycle = await env.client.workflow.start(WorkflowType.PlanningCycle, { workflowId: cycleWorkflowId(input.cycleId), taskQueue, args: [input] });
      const complete = (workflowId: string, task: TaskState, actor: Actor, outcome: string, payload?: Record<string, unknown>) =>
        env.client.workflow.getHandle(workflowId).executeUpdate(completeTaskUpdate, { args: [{ taskId: task.id, outcome, actor, payload }] });
      const sleepUntil = async (ms: number) => env.sleep(Math.max(1, ms - Number(await env.currentTimeMs())));
      await complete(cycle.workflowId, (await openTasksOf(env, cycle.workflowId, 'plan.contribution', 1))[0], people.finance, 'submitted', contributionFor('finance'));
      await cycle.executeUpdate(submitDraftUpdate, { args: [{ content: plan, actor: people.admin }] });
      await complete(cycle.workflowId, (await openTasksOf(env, cycle.workflowId, 'plan.review', 1))[0], people.reviewer1, 'approve');
      await complete(cycle.workflowId, (await openTasksOf(env, cycle.workflowId, 'plan.final_approval', 1))[0], people.chair, 'approve');
      await waitForPhase(env, cycle.workflowId, 'execution');

      const months: string[] = [];
      for (const month of [1, 2, 3]) {
        await sleepUntil(Date.UTC(2027, month, 1, 1));
        const id = `month-${input.cycleId}-2027-0${month}`;
        months.push(id);
        const handle = env.client.workflow.getHandle(id);
        for (let i = 0; i < 200 && !(await handle.query(periodStatusQuery).catch(() => undefined))?.controls; i++) await new Promise((r) => setTimeout(r, 25));
        const [milestones] = await openTasksOf(env, id, 'monthly.milestones', 1);
        await complete(id, milestones, people.customer, 'reported', { reports: [{ milestoneId: 'south-office', ...(month < 3 ? { status: 'on_track' } : { status: 'late', newDueMonth: '2027-06', reason: 'lease' }) }] });
        await handle.executeUpdate(reportSpendUpdate, { args: [{ unitId: people.customer.unitId!, entries: [{ initiativeId: 'new-regions', amount: month === 2 ? 20 : 5 }], source: 'api', actor: people.customer }] });
        if (month === 1) {
          const risk = { title: 'Landlord backs out', description: '', category: 'operational' as const, ownerUnitId: people.customer.unitId!, likelihood: 4, impact: 4, response: 'reduce' as const, mitigation: [] };
          await handle.executeUpdate(raiseRiskUpdate, { args: [{ risk, actor: people.finance }] });
        }
        if (month === 2) {
          const [review] = await openTasksOf(env, id, 'monthly.risk_review', 1);
          await complete(id, review, people.customer, 'reviewed', { likelihood: 2, impact: 4, response: 'reduce', note: '', closed: false, mitigation: [] });
        }
        await handle.executeUpdate(submitActualsUpdate, { args: [{ values: [{ kpiId: 'revenue-cny', value: 800 }], source: 'api', actor: people.finance }] });
        await handle.executeUpdate(submitActualsUpdate, { args: [{ values: [{ kpiId: 'nps', value: 35 }], source: 'api', actor: people.customer }] });
        if (month > 1) continue;
        const [meeting] = await openTasksOf(env, id, 'monthly.operations_meeting', 1);
        const { controls } = await handle.query(periodStatusQuery);
        await complete(id, meeting, people.admin, 'recorded', {
          attendees: [],
          summary: '',
          items: controls!.agenda.map((a) => ({ itemId: a.id, minutes: 'discussed', decisions: a.kind === 'budget' ? [{ what: 'Freeze hiring', ownerUnitId: people.customer.unitId!, dueAt: new Date(Date.UTC(2027, month + 2, 1)).toISOString() }] : [] })),
        });
      }
      await sleepUntil(Date.UTC(2027, 4, 1, 1));
      const april = `month-${input.cycleId}-2027-04`;
      months.push(april);
      const [signOff] = await openTasksOf(env, april, 'evaluation.sign_off', 1);
      await complete(april, signOff, people.admin, 'signed_off', { note: 'replay', adjustments: [] });
      await cycle.executeUpdate(cancelCycleUpdate, { args: [{ reason: 'recorded for replay', by: people.admin }] });
      await cycle.result();
      const handle = env.client.workflow.getHandle(april);
      for (let i = 0; i < 200 && (await handle.describe()).status.name === 'RUNNING'; i++) await new Promise((r) => setTimeout(r, 25));
      return [cycle.workflowId, ...months];
    },
  },
];
