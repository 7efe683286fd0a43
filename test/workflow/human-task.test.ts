import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { seedDemoOrganization } from '@rollplan/api';
import { OrgUnitEntity, OutboxEntity, TaskEntity, UserEntity } from '@rollplan/db';
import type { Actor, Role } from '@rollplan/domain';
import {
  WorkflowType,
  claimTaskUpdate,
  completeTaskUpdate,
  tasksQuery,
  type HumanTaskInput,
  type TaskSpec,
  type TaskState,
} from '@rollplan/workflows';
import type { humanTask } from '@rollplan/workflows/dist/human-task.workflow';
import { useWorkflowTestBed } from '../support/temporal';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('humanTask workflow (time-skipping)', () => {
  const bed = useWorkflowTestBed('tasks');
  const people: Record<string, Actor> = {};
  const units: Record<string, string> = {};

  beforeAll(async () => {
    await seedDemoOrganization(bed.db.dataSource);
    for (const u of await bed.db.dataSource.getRepository(UserEntity).find()) {
      people[u.email.split('@')[0]] = { userId: u.id, roles: u.roles as Role[], unitId: u.unitId, via: 'user' };
    }
    for (const unit of await bed.db.dataSource.getRepository(OrgUnitEntity).find()) units[unit.code] = unit.id;
  });

  async function start(input: HumanTaskInput): Promise<WorkflowHandle<typeof humanTask>> {
    return bed.env.client.workflow.start(WorkflowType.HumanTask, { workflowId: `task-${randomUUID()}`, taskQueue: bed.taskQueue, args: [input] });
  }

  async function openTasks(handle: WorkflowHandle, count: number): Promise<TaskState[]> {
    for (let i = 0; i < 200; i++) {
      const tasks = await handle.query(tasksQuery);
      if (tasks.length >= count) return tasks;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('tasks never opened');
  }

  async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
    const error = await promise.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
    return (error as WorkflowUpdateFailedError).cause as ApplicationFailure;
  }

  /** Virtual times at which the workflow scheduled each call of an activity type. */
  async function scheduledAt(handle: WorkflowHandle, activityType: string): Promise<number[]> {
    const { events } = await handle.fetchHistory();
    return events!
      .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === activityType)
      .map((e) => Number(e.eventTime!.seconds) * 1000 + Math.floor((e.eventTime!.nanos ?? 0) / 1e6));
  }

  /** Ballots open concurrently, in no fixed order: find each by its holder. */
  function ballotOf(tasks: TaskState[], who: string): TaskState {
    return tasks.find((t) => t.eligible[0] === people[who].userId)!;
  }

  function spec(overrides: Partial<TaskSpec>, dueInMs: number, now: number): TaskSpec {
    return {
      kind: 'adhoc.request',
      title: 'Confirm the finance center’s funding analysis',
      assignee: { type: 'unit', unitId: units['finance'] },
      dueAt: new Date(now + dueInMs).toISOString(),
      escalation: { remindBeforeMs: [2 * DAY, 2 * HOUR], chain: [], graceMs: 3 * DAY },
      ...overrides,
    };
  }

  it('reminds before due and escalates along the chain at the right instants', async () => {
    const opened = (await bed.env.currentTimeMs()) as unknown as number;
    const handle = await start({
      requestedBy: people.admin,
      tasks: [
        spec({ escalation: { remindBeforeMs: [2 * DAY, 2 * HOUR], chain: [{ type: 'user', userId: people.finance.userId }, { type: 'unit', unitId: units['planning-office'] }], graceMs: 3 * DAY } }, 7 * DAY, Number(opened)),
      ],
    });
    const [task] = await openTasks(handle, 1);
    expect(task.eligible).toEqual([people.finance.userId]);

    await bed.env.sleep(8 * DAY);
    const [afterFirst] = await handle.query(tasksQuery);
    expect(afterFirst.escalationStep).toBe(1);
    expect(afterFirst.eligible).toEqual([people.finance.userId]);

    await bed.env.sleep(3 * DAY);
    const [afterSecond] = await handle.query(tasksQuery);
    expect(afterSecond.escalationStep).toBe(2);
    // The planning office's members who act: its auditor reads the task but may not take it.
    expect(afterSecond.eligible).toEqual([people.admin.userId]);

    // The planning office decides; the finance head, no longer holding it, may not.
    expect((await failureOf(handle.executeUpdate(completeTaskUpdate, { args: [{ taskId: task.id, outcome: 'done', actor: people.finance }] }))).type).toBe('forbidden');
    await handle.executeUpdate(completeTaskUpdate, { args: [{ taskId: task.id, outcome: 'done', comment: 'checked', actor: people.admin }] });
    const result = await handle.result();
    expect(result.decisions[0]).toMatchObject({ outcome: 'done', decidedBy: people.admin.userId });

    const start0 = Number(opened);
    const near = (times: number[], expected: number[]) => times.forEach((t, i) => expect(Math.abs(t - expected[i])).toBeLessThan(2000));
    const reminders = await scheduledAt(handle, 'remindTask');
    const escalations = await scheduledAt(handle, 'escalateTask');
    expect(reminders).toHaveLength(2);
    expect(escalations).toHaveLength(2);
    near(reminders, [start0 + 5 * DAY, start0 + 7 * DAY - 2 * HOUR]);
    near(escalations, [start0 + 7 * DAY, start0 + 10 * DAY]);

    const row = await bed.db.dataSource.getRepository(TaskEntity).findOneByOrFail({ id: task.id });
    expect(row).toMatchObject({ status: 'completed', outcome: 'done', comment: 'checked', decidedBy: people.admin.userId, escalationStep: 2 });
    const events = (await bed.db.dataSource.getRepository(OutboxEntity).find()).filter((o) => o.payload.taskId === task.id).map((o) => o.event);
    expect(events.sort()).toEqual(['task.decided', 'task.escalated', 'task.escalated', 'task.opened', 'task.reminder', 'task.reminder'].sort());
  });

  it('lets a group member claim a group task; others then may not decide it', async () => {
    const now = Number(await bed.env.currentTimeMs());
    const handle = await start({ requestedBy: people.admin, tasks: [spec({ assignee: { type: 'committee' } }, 7 * DAY, now)] });
    const [task] = await openTasks(handle, 1);
    expect(task.eligible).toHaveLength(3);
    await handle.executeUpdate(claimTaskUpdate, { args: [{ taskId: task.id, actor: people.reviewer1 }] });
    expect((await failureOf(handle.executeUpdate(claimTaskUpdate, { args: [{ taskId: task.id, actor: people.reviewer2 }] }))).type).toBe('conflict');
    expect((await failureOf(handle.executeUpdate(completeTaskUpdate, { args: [{ taskId: task.id, outcome: 'done', actor: people.reviewer2 }] }))).type).toBe('forbidden');
    await handle.executeUpdate(completeTaskUpdate, { args: [{ taskId: task.id, outcome: 'declined', actor: people.reviewer1 }] });
    expect((await handle.result()).decisions[0].outcome).toBe('declined');
  });

  it('refuses a bad outcome, a stranger and a closed task; a retried update id returns the first result', async () => {
    const now = Number(await bed.env.currentTimeMs());
    const handle = await start({ requestedBy: people.admin, tasks: [spec({ assignee: { type: 'user', userId: people.hr.userId } }, 7 * DAY, now)] });
    const [task] = await openTasks(handle, 1);
    const bad = await failureOf(handle.executeUpdate(completeTaskUpdate, { args: [{ taskId: task.id, outcome: 'maybe', payload: { mood: 1 }, actor: people.hr }] }));
    expect(bad.type).toBe('validation_failed');
    // The payload's shape is the API's to check (tasks.e2e): no schema library in workflow code.
    expect(bad.details).toEqual([{ path: 'outcome', message: 'must be one of: done, declined' }]);
    expect((await failureOf(handle.executeUpdate(completeTaskUpdate, { args: [{ taskId: task.id, outcome: 'done', actor: people.finance }] }))).type).toBe('forbidden');

    const first = await handle.executeUpdate(completeTaskUpdate, { args: [{ taskId: task.id, outcome: 'done', actor: people.hr }], updateId: 'same-key' });
    const retried = await handle.executeUpdate(completeTaskUpdate, { args: [{ taskId: task.id, outcome: 'declined', actor: people.hr }], updateId: 'same-key' });
    expect(retried).toEqual(first);
    await handle.result();
    expect((await bed.db.dataSource.getRepository(TaskEntity).findOneByOrFail({ id: task.id })).outcome).toBe('done');
  });

  it('decides a committee vote 2-of-3 as soon as two approve, and cancels the third ballot', async () => {
    const now = Number(await bed.env.currentTimeMs());
    const ballot = (who: string) => spec({ kind: 'committee.vote', title: 'Approve the 2027 plan', assignee: { type: 'user', userId: people[who].userId } }, 14 * DAY, now);
    const handle = await start({
      requestedBy: people.admin,
      tasks: [ballot('chair'), ballot('reviewer1'), ballot('reviewer2')],
      group: { rule: { kind: 'n_of_m', n: 2 }, passOutcome: 'approve' },
    });
    const tasks = await openTasks(handle, 3);
    const byHolder = (who: string) => ballotOf(tasks, who);
    await handle.executeUpdate(completeTaskUpdate, { args: [{ taskId: byHolder('reviewer1').id, outcome: 'approve', actor: people.reviewer1 }] });
    await handle.executeUpdate(completeTaskUpdate, { args: [{ taskId: byHolder('chair').id, outcome: 'approve', actor: people.chair }] });
    const result = await handle.result();
    expect(result.group).toEqual({ state: 'passed', passes: 2, fails: 0, needed: 2 });
    const third = await bed.db.dataSource.getRepository(TaskEntity).findOneByOrFail({ id: byHolder('reviewer2').id });
    expect(third).toMatchObject({ status: 'cancelled', cancelReason: 'the group has decided' });
  });

  it('fails a 2-of-3 vote once two reject', async () => {
    const now = Number(await bed.env.currentTimeMs());
    const ballot = (who: string) => spec({ kind: 'committee.vote', assignee: { type: 'user', userId: people[who].userId } }, 14 * DAY, now);
    const handle = await start({ requestedBy: people.admin, tasks: [ballot('chair'), ballot('reviewer1'), ballot('reviewer2')], group: { rule: { kind: 'n_of_m', n: 2 }, passOutcome: 'approve' } });
    const tasks = await openTasks(handle, 3);
    await handle.executeUpdate(completeTaskUpdate, { args: [{ taskId: ballotOf(tasks, 'reviewer1').id, outcome: 'reject', actor: people.reviewer1 }] });
    await handle.executeUpdate(completeTaskUpdate, { args: [{ taskId: ballotOf(tasks, 'reviewer2').id, outcome: 'reject', actor: people.reviewer2 }] });
    expect((await handle.result()).group).toMatchObject({ state: 'failed', passes: 0, fails: 2 });
  });

  it('records every one of three votes cast at the same instant, and one result', async () => {
    const now = Number(await bed.env.currentTimeMs());
    const ballot = (who: string) => spec({ kind: 'committee.vote', assignee: { type: 'user', userId: people[who].userId } }, 14 * DAY, now);
    const handle = await start({ requestedBy: people.admin, tasks: [ballot('chair'), ballot('reviewer1'), ballot('reviewer2')], group: { rule: { kind: 'all' }, passOutcome: 'approve' } });
    const tasks = await openTasks(handle, 3);
    const voters = ['chair', 'reviewer1', 'reviewer2'];
    await Promise.all(voters.map((who) => handle.executeUpdate(completeTaskUpdate, { args: [{ taskId: ballotOf(tasks, who).id, outcome: 'approve', actor: people[who] }] })));
    const result = await handle.result();
    expect(result.group).toEqual({ state: 'passed', passes: 3, fails: 0, needed: 3 });
    expect(result.decisions).toHaveLength(3);
    const rows = await bed.db.dataSource.getRepository(TaskEntity).findBy(tasks.map((t) => ({ id: t.id })));
    expect(rows.map((r) => r.outcome)).toEqual(['approve', 'approve', 'approve']);
  });

  it('refuses the submitter a vote on their own work (four-eyes)', async () => {
    const now = Number(await bed.env.currentTimeMs());
    const handle = await start({
      requestedBy: people.admin,
      tasks: [spec({ kind: 'committee.vote', assignee: { type: 'user', userId: people.admin.userId }, submittedBy: people.admin.userId }, 7 * DAY, now)],
    });
    const [task] = await openTasks(handle, 1);
    const failure = await failureOf(handle.executeUpdate(completeTaskUpdate, { args: [{ taskId: task.id, outcome: 'approve', actor: people.admin }] }));
    expect(failure.type).toBe('forbidden');
    expect(failure.message).toMatch(/four-eyes/);
    await handle.cancel();
  });

  it('records the kind’s timeout outcome when the last escalation runs out', async () => {
    const now = Number(await bed.env.currentTimeMs());
    const handle = await start({
      requestedBy: people.admin,
      tasks: [spec({ kind: 'notice.acknowledge', escalation: { remindBeforeMs: [], chain: [{ type: 'user', userId: people.finance.userId }], graceMs: 2 * DAY } }, 3 * DAY, now)],
    });
    const result = await handle.result();
    expect(result.decisions[0]).toMatchObject({ outcome: 'expired' });
    expect(result.decisions[0].decidedBy).toBeUndefined();
    const finishedAt = Number(await bed.env.currentTimeMs());
    expect(finishedAt - now).toBeGreaterThanOrEqual(5 * DAY);
  });

  it('cancels its open tasks when the workflow is cancelled', async () => {
    const now = Number(await bed.env.currentTimeMs());
    const handle = await start({ requestedBy: people.admin, tasks: [spec({}, 7 * DAY, now)] });
    const [task] = await openTasks(handle, 1);
    await handle.cancel();
    await expect(handle.result()).rejects.toThrow();
    const row = await bed.db.dataSource.getRepository(TaskEntity).findOneByOrFail({ id: task.id });
    expect(row).toMatchObject({ status: 'cancelled', cancelReason: 'the request was cancelled' });
  });
});
