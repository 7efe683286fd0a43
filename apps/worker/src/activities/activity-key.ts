import { Context } from '@temporalio/activity';
import { v5 as uuidv5 } from 'uuid';

const OUTBOX_NAMESPACE = '3b0a1d5e-7c4f-4e59-a0d2-8f6c1b2e9d47';

/** Stable across retries of one scheduled activity, distinct between activities. */
export function activityKey(): string | undefined {
  const { workflowExecution, activityId } = Context.current().info;
  return workflowExecution && `${workflowExecution.workflowId}/${workflowExecution.runId}/${activityId}`;
}

/** An outbox id derived from the activity, so a retried activity writes the same row once. */
export function activityOutboxId(suffix = ''): string {
  const key = activityKey();
  if (!key) throw new Error('outbox writes need a workflow activity context');
  return uuidv5(`${key}${suffix}`, OUTBOX_NAMESPACE);
}
