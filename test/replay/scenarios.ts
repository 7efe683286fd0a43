import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { cycleWorkflowId } from '@rollplan/domain';
import type { Actor } from '@rollplan/domain';
import {
  WorkflowType,
  cancelCycleUpdate,
  claimTaskUpdate,
  completeTaskUpdate,
  cycleStatusQuery,
  openRequestUpdate,
  tasksQuery,
  type PlanningCycleInput,
  type TaskSpec,
} from '@rollplan/workflows';

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

export const SCENARIOS: Scenario[] = [
  {
    name: 'started-then-cancelled',
    workflowType: WorkflowType.PlanningCycle,
    async run(env, taskQueue) {
      const input: PlanningCycleInput = { cycleId: randomUUID(), title: 'Replay plan', startYear: 2027, horizonYears: 3 };
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
        args: [{ requestedBy: people.admin, tasks: [ballot('chair'), ballot('reviewer1'), ballot('reviewer2')], group: { rule: { kind: 'n_of_m', n: 2 }, passOutcome: 'approve' } }],
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
      const input: PlanningCycleInput = { cycleId: randomUUID(), title: 'Replay plan with a request', startYear: 2027, horizonYears: 3, startedBy: people.admin };
      const handle = await env.client.workflow.start(WorkflowType.PlanningCycle, { workflowId: cycleWorkflowId(input.cycleId), taskQueue, args: [input] });
      await waitForPhase(env, handle.workflowId, 'drafting');
      const requestId = `task-request-${randomUUID()}`;
      const dueAt = new Date(Number(await env.currentTimeMs()) + 7 * 86_400_000).toISOString();
      await handle.executeUpdate(openRequestUpdate, {
        args: [{ requestId, request: { requestedBy: people.admin, tasks: [{ kind: 'adhoc.request', title: 'Industry analysis', assignee: { type: 'user', userId: people.strategy.userId }, dueAt, escalation: { remindBeforeMs: [86_400_000], chain: [], graceMs: 86_400_000 }, cycleId: input.cycleId }] } }],
      });
      const child = env.client.workflow.getHandle(requestId);
      let tasks = await child.query(tasksQuery);
      while (tasks.length < 1) tasks = await child.query(tasksQuery);
      await handle.executeUpdate(cancelCycleUpdate, { args: [{ reason: 'recorded for replay', by: people.admin }] });
      await handle.result();
      await child.result().catch(() => undefined);
      return [handle.workflowId, requestId];
    },
  },
];
