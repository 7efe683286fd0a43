import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { In, type DataSource } from 'typeorm';
import { CycleEntity, TaskEntity } from '@rollplan/db';
import { cycleWorkflowId } from '@rollplan/domain';
import { Procedure, SearchAttribute, cycleStatusQuery, tasksQuery, type TaskState } from '@rollplan/workflows';

export interface Mismatch {
  subject: string;
  readModel: unknown;
  workflow: unknown;
}

const OPEN = new Set(['open', 'claimed']);

/**
 * Compares the read models with the workflows that own them — every cycle's phase and version,
 * every task's status and holder, rows missing on either side — and reports each difference.
 * Temporal is the source of truth: a mismatch means an activity has not (yet) caught up, or
 * something wrote behind the workflows' back. `npm run reconcile` prints them; the fault tier
 * expects none once its faults are over. Without `cycleIds`, every cycle visibility knows of.
 */
export async function reconcile(dataSource: DataSource, client: Client, { cycleIds }: { cycleIds?: string[] } = {}): Promise<Mismatch[]> {
  const mismatches: Mismatch[] = [];
  const ids = cycleIds ?? (await cyclesKnownToTemporal(client));
  const rows = new Map((await dataSource.getRepository(CycleEntity).findBy({ id: In(ids) })).map((row) => [row.id, row]));
  for (const id of ids) {
    const row = rows.get(id);
    const status = await client.workflow
      .getHandle(cycleWorkflowId(id))
      .query(cycleStatusQuery)
      .catch((error: unknown) => {
        if (error instanceof WorkflowNotFoundError) return undefined;
        throw error;
      });
    if (!status || !row) {
      if (status || row) mismatches.push({ subject: `cycle ${id}`, readModel: row?.phase ?? 'no row', workflow: status?.phase ?? 'no workflow' });
      continue;
    }
    if (status.phase !== row.phase) mismatches.push({ subject: `cycle ${id} phase`, readModel: row.phase, workflow: status.phase });
    if ((status.effectiveVersion ?? null) !== row.effectiveVersion) {
      mismatches.push({ subject: `cycle ${id} effective version`, readModel: row.effectiveVersion, workflow: status.effectiveVersion ?? null });
    }
  }

  // Tasks: what every running execution of these cycles holds, against the rows.
  const tasks = await dataSource.getRepository(TaskEntity).findBy({ cycleId: In(ids) });
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const held = new Map<string, { state: TaskState; workflowId: string }>();
  for (const id of ids) {
    for await (const execution of client.workflow.list({ query: `${SearchAttribute.CycleId.name} = '${id}' AND ExecutionStatus = 'Running'` })) {
      const states = await client.workflow.getHandle(execution.workflowId, execution.runId).query(tasksQuery).catch(() => [] as TaskState[]);
      for (const state of states) held.set(state.id, { state, workflowId: execution.workflowId });
    }
  }
  for (const [taskId, { state, workflowId }] of held) {
    const row = byId.get(taskId);
    // A carried task's row moves to the execution that adopted it.
    if (!row) {
      if (OPEN.has(state.status)) mismatches.push({ subject: `task ${taskId} (${state.spec.kind})`, readModel: 'no row', workflow: `${state.status} in ${workflowId}` });
    } else if (row.workflowId === workflowId && state.status !== row.status) {
      mismatches.push({ subject: `task ${taskId} (${row.kind}) status`, readModel: row.status, workflow: state.status });
    } else if (row.workflowId === workflowId && OPEN.has(row.status) && (state.claimedBy ?? null) !== row.claimedBy) {
      mismatches.push({ subject: `task ${taskId} (${row.kind}) claimed by`, readModel: row.claimedBy, workflow: state.claimedBy ?? null });
    }
  }
  for (const row of tasks) {
    const holder = held.get(row.id);
    if (!OPEN.has(row.status)) continue;
    if (!holder) mismatches.push({ subject: `task ${row.id} (${row.kind})`, readModel: row.status, workflow: `not held by a running execution (${row.workflowId})` });
    else if (holder.workflowId !== row.workflowId) mismatches.push({ subject: `task ${row.id} (${row.kind}) holder`, readModel: row.workflowId, workflow: holder.workflowId });
  }
  return mismatches;
}

async function cyclesKnownToTemporal(client: Client): Promise<string[]> {
  const ids: string[] = [];
  for await (const execution of client.workflow.list({ query: `${SearchAttribute.Procedure.name} = '${Procedure.PlanningCycle}'` })) {
    const id = execution.typedSearchAttributes.get(SearchAttribute.CycleId);
    if (id && !ids.includes(id)) ids.push(id);
  }
  return ids;
}
