import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { CycleEntity } from '@rollplan/db';
import { cycleWorkflowId } from '@rollplan/domain';
import { WorkflowType, cancelCycleUpdate, cycleStatusQuery, type CycleStatus, type PlanningCycleInput } from '@rollplan/workflows';
import { useWorkflowTestBed } from '../support/temporal';

describe('planningCycle workflow', () => {
  const bed = useWorkflowTestBed('cycle');

  function startCycle(overrides: Partial<PlanningCycleInput> = {}) {
    const input: PlanningCycleInput = { cycleId: randomUUID(), title: 'Plan 2027–2029', startYear: 2027, horizonYears: 3, ...overrides };
    return bed.env.client.workflow
      .start(WorkflowType.PlanningCycle, { workflowId: cycleWorkflowId(input.cycleId), taskQueue: bed.taskQueue, args: [input] })
      .then((handle) => ({ handle, input }));
  }

  async function waitForPhase(handle: { query: (q: typeof cycleStatusQuery) => Promise<CycleStatus> }, phase: string) {
    for (let i = 0; i < 100; i++) {
      const status = await handle.query(cycleStatusQuery);
      if (status.phase === phase) return status;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`never reached ${phase}`);
  }

  it('records the cycle in the read model and opens drafting', async () => {
    const { handle, input } = await startCycle();
    const status = await waitForPhase(handle, 'drafting');
    expect(status).toMatchObject({ cycleId: input.cycleId, title: input.title, startYear: 2027, horizonYears: 3 });

    const row = await bed.db.dataSource.getRepository(CycleEntity).findOneByOrFail({ id: input.cycleId });
    expect(row).toMatchObject({ title: input.title, startYear: 2027, horizonYears: 3, phase: 'drafting', workflowId: handle.workflowId });
  });

  it('stays open in drafting across a skipped year', async () => {
    const { handle } = await startCycle();
    await waitForPhase(handle, 'drafting');
    await bed.env.sleep('365 days');
    const description = await handle.describe();
    expect(description.status.name).toBe('RUNNING');
    expect((await handle.query(cycleStatusQuery)).phase).toBe('drafting');
  });

  it('cancels with a reason, closes the workflow and records it', async () => {
    const { handle, input } = await startCycle();
    await waitForPhase(handle, 'drafting');
    const updated = await handle.executeUpdate(cancelCycleUpdate, { args: [{ reason: 'merged into group plan' }] });
    expect(updated.phase).toBe('cancelled');
    expect(updated.cancellation?.reason).toBe('merged into group plan');

    const result = await handle.result();
    expect(result.phase).toBe('cancelled');
    const row = await bed.db.dataSource.getRepository(CycleEntity).findOneByOrFail({ id: input.cycleId });
    expect(row.phase).toBe('cancelled');
    expect(row.cancelReason).toBe('merged into group plan');
  });

  it('returns the first result when the same update id is retried, and records one cancellation', async () => {
    const { handle } = await startCycle();
    await waitForPhase(handle, 'drafting');
    const first = await handle.executeUpdate(cancelCycleUpdate, { args: [{ reason: 'first' }], updateId: 'cancel-1' });
    const again = await handle.executeUpdate(cancelCycleUpdate, { args: [{ reason: 'second' }], updateId: 'cancel-1' });
    expect(again).toEqual(first);
    const { events } = await handle.fetchHistory();
    const accepted = events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
    expect(accepted).toHaveLength(1);
  });

  it('refuses a second cancellation with a new update id; the first reason stands', async () => {
    const { handle } = await startCycle();
    await waitForPhase(handle, 'drafting');
    await handle.executeUpdate(cancelCycleUpdate, { args: [{ reason: 'first' }] });
    // The workflow has closed (Temporal refuses the update) or is closing (the validator refuses it).
    await expect(handle.executeUpdate(cancelCycleUpdate, { args: [{ reason: 'second' }] })).rejects.toThrow();
    expect((await handle.result()).cancellation?.reason).toBe('first');
    const { events } = await handle.fetchHistory();
    expect(events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toHaveLength(1);
  });

  it('rejects a blank reason in the validator and keeps the cycle open', async () => {
    const { handle } = await startCycle();
    await waitForPhase(handle, 'drafting');
    const error = await handle.executeUpdate(cancelCycleUpdate, { args: [{ reason: '  ' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(((error as WorkflowUpdateFailedError).cause as ApplicationFailure).type).toBe('validation_failed');
    expect((await handle.query(cycleStatusQuery)).phase).toBe('drafting');
  });
});
