// The tasks read model follows the workflow even when activities run late or twice (issue 16):
// a claim, delegation, escalation or reschedule that arrives after the decision leaves the
// completed row alone, and a decision or cancellation recorded once is not recorded or announced again.
import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { seedDemoOrganization } from '@rollplan/api';
import { OutboxEntity, TaskEntity, UserEntity } from '@rollplan/db';
import type { Actor, Role } from '@rollplan/domain';
import { createActivities } from '@rollplan/worker';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testReportQueue, uniqueTaskQueue } from '../support/temporal';

describe('task rows against late and repeated activities', () => {
  let db: TestDatabase;
  let activities: ReturnType<typeof createActivities>;
  let reportQueue: ReturnType<typeof testReportQueue>;
  let finance: Actor;
  let admin: Actor;
  // Each call is its own scheduled activity unless it names the attempt it repeats.
  const run = <A extends unknown[], R>(activityId: string, fn: (...args: A) => Promise<R>, ...args: A) =>
    new MockActivityEnvironment({ activityId, workflowExecution: { workflowId: 'request-x', runId: 'run-1' } }, { logger: new DefaultLogger('ERROR') }).run(fn, ...args);

  beforeAll(async () => {
    db = await createTestDatabase();
    reportQueue = testReportQueue(uniqueTaskQueue('task-rows'));
    activities = createActivities({ dataSource: db.dataSource, reportQueue });
    await seedDemoOrganization(db.dataSource);
    const actor = async (email: string): Promise<Actor> => {
      const user = await db.dataSource.getRepository(UserEntity).findOneByOrFail({ email });
      return { userId: user.id, roles: user.roles as Role[], unitId: user.unitId, via: 'user' };
    };
    finance = await actor('finance@rollplan.example');
    admin = await actor('admin@rollplan.example');
  });
  afterAll(async () => {
    await reportQueue.obliterate({ force: true });
    await reportQueue.close();
    await db.drop();
  });

  async function openTask(): Promise<string> {
    const taskId = randomUUID();
    const spec = { kind: 'adhoc.request' as const, title: 'Send the forecast', assignee: { type: 'user' as const, userId: finance.userId }, dueAt: new Date(Date.now() + 86_400_000).toISOString(), escalation: { remindBeforeMs: [], chain: [], graceMs: 86_400_000 } };
    await run(randomUUID(), activities.openTask, { taskId, workflowId: 'request-x', spec, openedAt: new Date().toISOString() });
    return taskId;
  }
  const row = (id: string) => db.dataSource.getRepository(TaskEntity).findOneByOrFail({ id });
  const announcements = (taskId: string, event: string) =>
    db.dataSource.getRepository(OutboxEntity).createQueryBuilder('o').where(`o.payload->>'taskId' = :taskId`, { taskId }).andWhere('o.event = :event', { event }).getCount();

  it('keeps a decided task decided when a claim, delegation, escalation or new due date comes after', async () => {
    const taskId = await openTask();
    const decision = { taskId, outcome: 'done', decidedBy: finance.userId, decidedAt: new Date().toISOString() };
    await run(randomUUID(), activities.recordTaskDecision, { decision, actor: finance });
    await run(randomUUID(), activities.recordTaskClaim, { taskId, claimedBy: finance.userId, actor: finance });
    await run(randomUUID(), activities.recordTaskDelegation, { taskId, toUserId: admin.userId, actor: finance });
    await run(randomUUID(), activities.escalateTask, { taskId, to: { type: 'user', userId: admin.userId }, step: 1, dueAt: new Date().toISOString() });
    await run(randomUUID(), activities.rescheduleTask, { taskId, dueAt: new Date(Date.now() + 9 * 86_400_000).toISOString() });
    await run(randomUUID(), activities.cancelTask, { taskId, reason: 'too late' });
    expect(await row(taskId)).toMatchObject({ status: 'completed', outcome: 'done', claimedBy: null, delegatedBy: null, escalationStep: 0, eligibleUserIds: [finance.userId], cancelReason: null });
    expect(await announcements(taskId, 'task.delegated')).toBe(0);
    expect(await announcements(taskId, 'task.escalated')).toBe(0);
    expect(await announcements(taskId, 'task.cancelled')).toBe(0);
  });

  it('records and announces a decision once, however often it is delivered', async () => {
    const taskId = await openTask();
    const first = { taskId, outcome: 'done', comment: 'sent', decidedBy: finance.userId, decidedAt: new Date().toISOString() };
    await run(randomUUID(), activities.recordTaskDecision, { decision: first, actor: finance });
    await run(randomUUID(), activities.recordTaskDecision, { decision: { ...first, outcome: 'declined', comment: 'a second word' }, actor: finance });
    expect(await row(taskId)).toMatchObject({ status: 'completed', outcome: 'done', comment: 'sent' });
  });

  it('still claims, puts back and delegates an open task', async () => {
    const taskId = await openTask();
    await run(randomUUID(), activities.recordTaskClaim, { taskId, claimedBy: finance.userId, actor: finance });
    expect(await row(taskId)).toMatchObject({ status: 'claimed', claimedBy: finance.userId });
    await run(randomUUID(), activities.recordTaskDelegation, { taskId, toUserId: admin.userId, actor: finance });
    expect(await row(taskId)).toMatchObject({ status: 'open', claimedBy: null, delegatedBy: finance.userId, eligibleUserIds: [admin.userId] });
    expect(await announcements(taskId, 'task.delegated')).toBe(1);
  });
});
