import { In, type DataSource, type EntityManager } from 'typeorm';
import { mayActOnTasks, type Actor, type Assignee } from '@rollplan/domain';
import { OutboxEntity, TaskEntity, UserEntity, activeCommitteeMembers, appendAudit } from '@rollplan/db';
import { traceCarrier } from '@rollplan/telemetry';
import type { TaskActivities } from '@rollplan/workflows';
import { activityKey, activityOutboxId } from './activity-key';

/** Outbox events of the task mechanism (persisted: the notification processors read them). */
export const TaskEvent = {
  Opened: 'task.opened',
  Reminder: 'task.reminder',
  Escalated: 'task.escalated',
  Delegated: 'task.delegated',
  Decided: 'task.decided',
  Cancelled: 'task.cancelled',
} as const;

/**
 * The tasks read model, its outbox rows and audit records, always in one transaction; ids
 * and keys come from the activity's identity, so a retried activity changes nothing more.
 */
export function createTaskActivities({ dataSource }: { dataSource: DataSource }): TaskActivities {
  const tasks = (manager: EntityManager) => manager.getRepository(TaskEntity);
  /**
   * Changes a task row that is still open or claimed and returns it; null when it is already completed or
   * cancelled. Activities may run late or twice: a claim retried after the decision must not flip
   * a completed row back, and a decision or cancellation recorded once is not announced again.
   */
  async function changeOpenTask(manager: EntityManager, taskId: string, changes: Parameters<ReturnType<typeof tasks>['update']>[1]): Promise<TaskEntity | null> {
    // One statement: the row as changed comes back with it (RETURNING), none when it was closed.
    const result = await tasks(manager).createQueryBuilder().update().set(changes).where({ id: taskId, status: In(['open', 'claimed']) }).returning('*').execute();
    const [row] = result.raw as Record<string, unknown>[];
    if (!row) return null;
    const task = tasks(manager).create();
    for (const column of manager.connection.getMetadata(TaskEntity).columns) Object.assign(task, { [column.propertyName]: row[column.databaseName] });
    return task;
  }

  async function announce(manager: EntityManager, event: string, task: TaskEntity, recipients: string[], extra: Record<string, unknown> = {}) {
    await manager
      .createQueryBuilder()
      .insert()
      .into(OutboxEntity)
      .values({
        id: activityOutboxId(),
        event,
        payload: { taskId: task.id, title: task.title, kind: task.kind, dueAt: task.dueAt.toISOString(), recipients, ...extra } as never,
        traceContext: traceCarrier(),
      })
      .orIgnore()
      .execute();
  }

  function audit(manager: EntityManager, actor: Actor | null, action: string, taskId: string, data: Record<string, unknown> = {}) {
    return appendAudit(manager, { actor, action, subjectType: 'task', subjectId: taskId, data, dedupeKey: activityKey() });
  }

  return {
    async openTask({ taskId, workflowId, spec, openedAt }) {
      return dataSource.transaction(async (manager) => {
        const eligible = await resolveAssignee(manager, spec.assignee);
        const task = tasks(manager).create({
          id: taskId,
          workflowId,
          kind: spec.kind,
          title: spec.title,
          status: 'open',
          assignee: spec.assignee,
          eligibleUserIds: eligible,
          submittedBy: spec.submittedBy ?? null,
          cycleId: spec.cycleId ?? null,
          links: spec.links ?? {},
          context: (spec.context ?? null) as never,
          dueAt: new Date(spec.dueAt),
          openedAt: new Date(openedAt),
        });
        // Insert, or find the row a retried activity wrote (and the holders it resolved then).
        const inserted = await tasks(manager).createQueryBuilder().insert().values(task as never).orIgnore().returning('id').execute();
        if (inserted.raw.length === 0) return { eligible: (await tasks(manager).findOneByOrFail({ id: taskId })).eligibleUserIds };
        await announce(manager, TaskEvent.Opened, task, eligible);
        await audit(manager, null, 'task.opened', taskId, { kind: spec.kind, assignee: spec.assignee, dueAt: spec.dueAt });
        return { eligible };
      });
    },

    async remindTask({ taskId }) {
      await dataSource.transaction(async (manager) => {
        const task = await tasks(manager).findOneByOrFail({ id: taskId });
        await announce(manager, TaskEvent.Reminder, task, task.claimedBy ? [task.claimedBy] : task.eligibleUserIds);
        await audit(manager, null, 'task.reminded', taskId);
      });
    },

    async escalateTask({ taskId, to, step, dueAt }) {
      return dataSource.transaction(async (manager) => {
        const eligible = await resolveAssignee(manager, to);
        const task = await changeOpenTask(manager, taskId, { assignee: to, eligibleUserIds: eligible, claimedBy: null, status: 'open', escalationStep: step, dueAt: new Date(dueAt) });
        if (!task) return { eligible };
        await announce(manager, TaskEvent.Escalated, task, eligible, { step });
        await audit(manager, null, 'task.escalated', taskId, { to, step, dueAt });
        return { eligible };
      });
    },

    async recordTaskClaim({ taskId, claimedBy, actor }) {
      await dataSource.transaction(async (manager) => {
        if (!(await changeOpenTask(manager, taskId, { claimedBy, status: claimedBy ? 'claimed' : 'open' }))) return;
        await audit(manager, actor, claimedBy ? 'task.claimed' : 'task.unclaimed', taskId);
      });
    },

    async recordTaskDelegation({ taskId, toUserId, actor }) {
      await dataSource.transaction(async (manager) => {
        const task = await changeOpenTask(manager, taskId, { assignee: { type: 'user', userId: toUserId }, eligibleUserIds: [toUserId], delegatedBy: actor.userId, claimedBy: null, status: 'open' });
        if (!task) return;
        await announce(manager, TaskEvent.Delegated, task, [toUserId], { delegatedBy: actor.userId });
        await audit(manager, actor, 'task.delegated', taskId, { toUserId });
      });
    },

    async recordTaskDecision({ decision, actor }) {
      await dataSource.transaction(async (manager) => {
        const task = await changeOpenTask(manager, decision.taskId, {
          status: 'completed',
          outcome: decision.outcome,
          comment: decision.comment ?? null,
          payload: (decision.payload ?? null) as never,
          decidedBy: decision.decidedBy ?? null,
          decidedAt: new Date(decision.decidedAt),
        });
        if (!task) return;
        const recipients = [task.submittedBy, task.delegatedBy].filter((id): id is string => Boolean(id) && id !== decision.decidedBy);
        await announce(manager, TaskEvent.Decided, task, recipients, { outcome: decision.outcome, decidedBy: decision.decidedBy ?? null });
        await audit(manager, actor, 'task.completed', decision.taskId, { outcome: decision.outcome, comment: decision.comment ?? null });
      });
      return { decision, actor };
    },

    async rescheduleTask({ taskId, dueAt, reason, actor }) {
      await dataSource.transaction(async (manager) => {
        if (!(await changeOpenTask(manager, taskId, { dueAt: new Date(dueAt) }))) return;
        await audit(manager, actor ?? null, 'task.rescheduled', taskId, { dueAt, ...(reason ? { reason } : {}) });
      });
    },

    async transferTask({ taskId, workflowId }) {
      await dataSource.transaction(async (manager) => {
        await tasks(manager).update({ id: taskId }, { workflowId });
        await audit(manager, null, 'task.transferred', taskId, { workflowId });
      });
    },

    async cancelTask({ taskId, reason }) {
      await dataSource.transaction(async (manager) => {
        const task = await changeOpenTask(manager, taskId, { status: 'cancelled', cancelReason: reason });
        if (!task) return;
        await announce(manager, TaskEvent.Cancelled, task, task.eligibleUserIds, { reason });
        await audit(manager, null, 'task.cancelled', taskId, { reason });
      });
    },
  };
}

/**
 * Who may act for an assignee: the user, or the active members of the group whose roles let
 * them act (an auditor sitting in the unit reads its tasks but is never eligible).
 */
async function resolveAssignee(manager: EntityManager, assignee: Assignee): Promise<string[]> {
  if (assignee.type === 'user') return [assignee.userId];
  if (assignee.type === 'unit') {
    const members = await manager.getRepository(UserEntity).find({ select: { id: true, roles: true }, where: { unitId: assignee.unitId, active: true }, order: { email: 'ASC' } });
    return members.filter((m) => mayActOnTasks(m.roles)).map((m) => m.id);
  }
  return (await activeCommitteeMembers(manager)).map((m) => m.userId);
}
