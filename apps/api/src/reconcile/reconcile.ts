import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { In, type DataSource } from 'typeorm';
import { CycleEntity, TaskEntity } from '@rollplan/db';
import { cycleWorkflowId } from '@rollplan/domain';
import { cycleStatusQuery, tasksQuery, type TaskState } from '@rollplan/workflows';

export interface Mismatch {
  subject: string;
  readModel: unknown;
  workflow: unknown;
}

/**
 * Compares the read models with the workflows that own them — every cycle's phase and version,
 * every task's status and holder — and reports each difference. Temporal is the source of
 * truth: a mismatch means an activity has not (yet) caught up, or something wrote behind the
 * workflows' back. `npm run reconcile` prints them; the fault tier expects none after its faults.
 */
export async function reconcile(dataSource: DataSource, client: Client, { cycleIds }: { cycleIds?: string[] } = {}): Promise<Mismatch[]> {
  const mismatches: Mismatch[] = [];
  const cycles = await dataSource.getRepository(CycleEntity).find(cycleIds ? { where: { id: In(cycleIds) } } : {});
  for (const cycle of cycles) {
    const status = await client.workflow
      .getHandle(cycleWorkflowId(cycle.id))
      .query(cycleStatusQuery)
      .catch((error: unknown) => {
        if (error instanceof WorkflowNotFoundError) return undefined;
        throw error;
      });
    if (!status) {
      mismatches.push({ subject: `cycle ${cycle.id}`, readModel: cycle.phase, workflow: 'no workflow' });
      continue;
    }
    if (status.phase !== cycle.phase) mismatches.push({ subject: `cycle ${cycle.id} phase`, readModel: cycle.phase, workflow: status.phase });
    if ((status.effectiveVersion ?? null) !== cycle.effectiveVersion) {
      mismatches.push({ subject: `cycle ${cycle.id} effective version`, readModel: cycle.effectiveVersion, workflow: status.effectiveVersion ?? null });
    }
  }

  // Tasks, by the execution holding them: each row must say what that execution says.
  const tasks = await dataSource.getRepository(TaskEntity).find(cycleIds ? { where: { cycleId: In(cycleIds) } } : {});
  const byWorkflow = new Map<string, TaskEntity[]>();
  for (const task of tasks) byWorkflow.set(task.workflowId, [...(byWorkflow.get(task.workflowId) ?? []), task]);
  for (const [workflowId, rows] of byWorkflow) {
    const handle = client.workflow.getHandle(workflowId);
    const description = await handle.describe().catch(() => undefined);
    const running = description?.status.name === 'RUNNING';
    const held: TaskState[] = running ? await handle.query(tasksQuery) : [];
    for (const row of rows) {
      const open = row.status === 'open' || row.status === 'claimed';
      const state = held.find((t) => t.id === row.id);
      if (!state) {
        // A closed execution holds nothing open any more.
        if (open) mismatches.push({ subject: `task ${row.id} (${row.kind})`, readModel: row.status, workflow: running ? `not held by ${workflowId}` : `execution ${workflowId} is ${description?.status.name ?? 'gone'}` });
        continue;
      }
      if (state.status !== row.status) mismatches.push({ subject: `task ${row.id} (${row.kind}) status`, readModel: row.status, workflow: state.status });
      else if (open && (state.claimedBy ?? null) !== row.claimedBy) mismatches.push({ subject: `task ${row.id} (${row.kind}) claimed by`, readModel: row.claimedBy, workflow: state.claimedBy ?? null });
    }
  }
  return mismatches;
}
