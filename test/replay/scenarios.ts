import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { cycleWorkflowId } from '@rollplan/domain';
import { WorkflowType, cancelCycleUpdate, cycleStatusQuery, type PlanningCycleInput } from '@rollplan/workflows';

/**
 * Runs recorded for replay: each drives one workflow type through a path worth keeping
 * replayable, and returns the workflow ids whose histories to save. Add a scenario when a
 * workflow type or a branch of one is added.
 */
export interface Scenario {
  name: string;
  workflowType: string;
  run(env: TestWorkflowEnvironment, taskQueue: string): Promise<string[]>;
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
];
