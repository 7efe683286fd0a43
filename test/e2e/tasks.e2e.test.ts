import request from 'supertest';
import { TaskEntity } from '@rollplan/db';
import { DEMO, eventually, startTestSystem, type TestSystem } from '../support/system';

// Tasks through HTTP on the dev server: inbox, decisions through workflow updates, idempotency, votes.
describe('tasks over HTTP', () => {
  let system: TestSystem;
  const as = async (email: string) => request.agent(system.baseUrl).auth(await system.tokenFor(email), { type: 'bearer' });
  const dueIn = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

  beforeAll(async () => {
    system = await startTestSystem();
  });
  afterAll(() => system?.stop());

  async function tasksOf(requestId: string, count = 1): Promise<TaskEntity[]> {
    return eventually(() => system.db.dataSource.getRepository(TaskEntity).find({ where: { workflowId: requestId }, order: { openedAt: 'ASC' } }), (rows) => rows.length >= count);
  }

  async function request_(body: object): Promise<string> {
    const admin = await as(DEMO.admin);
    return (await admin.post('/tasks').send(body).expect(201)).body.requestId;
  }

  it('puts a request in its holder’s inbox and takes one decision, however often it is retried', async () => {
    const requestId = await request_({ kind: 'adhoc.request', title: 'Send the funding forecast', assignee: { type: 'user', userId: system.userIds[DEMO.finance] }, dueAt: dueIn(7) });
    const [task] = await tasksOf(requestId);
    const finance = await as(DEMO.finance);
    const inbox = await finance.get('/tasks').expect(200);
    expect(inbox.body.items.map((t: { id: string }) => t.id)).toContain(task.id);
    expect((await (await as(DEMO.strategy)).get('/tasks').expect(200)).body.items.map((t: { id: string }) => t.id)).not.toContain(task.id);

    const someoneElse = await (await as(DEMO.chair)).post(`/tasks/${task.id}/complete`).send({ outcome: 'done' }).expect(403);
    expect(someoneElse.body).toMatchObject({ error: 'forbidden', message: 'this task is not yours' });
    const bad = await finance.post(`/tasks/${task.id}/complete`).send({ outcome: 'approve', payload: { extra: 1 } }).expect(400);
    expect(bad.body.details).toEqual([
      { path: 'outcome', message: 'must be one of: done, declined' },
      { path: 'payload.extra', message: 'unknown field' },
    ]);

    const first = await finance.post(`/tasks/${task.id}/complete`).set('Idempotency-Key', 'k-1').send({ outcome: 'done', comment: 'sent' }).expect(200);
    const retry = await finance.post(`/tasks/${task.id}/complete`).set('Idempotency-Key', 'k-1').send({ outcome: 'done', comment: 'sent' }).expect(200);
    expect(retry.body).toEqual(first.body);
    const other = await finance.post(`/tasks/${task.id}/complete`).set('Idempotency-Key', 'k-2').send({ outcome: 'declined' }).expect(409);
    expect(other.body.error).toBe('conflict');

    const row = await eventually(() => finance.get(`/tasks/${task.id}`).then((r) => r.body), (t) => t.status === 'completed');
    expect(row).toMatchObject({ status: 'completed', outcome: 'done', comment: 'sent', decidedBy: system.userIds[DEMO.finance] });
  });

  it('refuses a task to whoever may see it but not act on it (403)', async () => {
    const requestId = await request_({ kind: 'adhoc.request', title: 'Check HR data', assignee: { type: 'user', userId: system.userIds[DEMO.admin] }, dueAt: dueIn(7) });
    const [task] = await tasksOf(requestId);
    // The auditor may read every task, but decides none.
    const auditor = await as(DEMO.auditor);
    await auditor.get(`/tasks/${task.id}`).expect(200);
    const refused = await auditor.post(`/tasks/${task.id}/complete`).send({ outcome: 'done' }).expect(403);
    expect(refused.body).toMatchObject({ error: 'forbidden', message: 'auditors read everything and change nothing' });
  });

  it('lets a member claim a group task, and delegation keep the delegator accountable', async () => {
    const requestId = await request_({ kind: 'adhoc.request', title: 'Prepare the committee pack', assignee: { type: 'committee' }, dueAt: dueIn(7) });
    const [task] = await tasksOf(requestId);
    const reviewer = await as(DEMO.reviewer);
    const chair = await as(DEMO.chair);
    await reviewer.post(`/tasks/${task.id}/claim`).expect(200);
    expect((await chair.post(`/tasks/${task.id}/claim`).expect(409)).body.message).toBe('task is claimed by someone else');

    await reviewer.post(`/tasks/${task.id}/delegate`).send({ toUserId: system.userIds[DEMO.chair] }).expect(200);
    await chair.post(`/tasks/${task.id}/comments`).send({ body: 'on it' }).expect(201);
    await chair.post(`/tasks/${task.id}/complete`).send({ outcome: 'done' }).expect(200);
    const done = await eventually(() => reviewer.get(`/tasks/${task.id}`).then((r) => r.body), (t) => t.status === 'completed');
    expect(done).toMatchObject({ delegatedBy: system.userIds[DEMO.reviewer], decidedBy: system.userIds[DEMO.chair] });
    expect((await reviewer.get(`/tasks/${task.id}/comments`).expect(200)).body.map((c: { body: string }) => c.body)).toEqual(['on it']);
  });

  it('keeps a committee ballot within the committee, one ballot per member', async () => {
    const requestId = await request_({ kind: 'committee.vote', title: 'Shift budget to the south', assignee: { type: 'committee' }, dueAt: dueIn(14), rule: { kind: 'n_of_m', n: 2 } });
    const ballots = await tasksOf(requestId, 3);
    const own = ballots.find((b) => b.eligibleUserIds[0] === system.userIds[DEMO.reviewer])!;
    const reviewer = await as(DEMO.reviewer);
    // Handing it to another voter would give them two votes; to a contributor, a vote they do not have.
    const twice = await reviewer.post(`/tasks/${own.id}/delegate`).send({ toUserId: system.userIds['reviewer2@rollplan.example'] }).expect(409);
    expect(twice.body.message).toBe('that person already holds a ballot in this vote');
    const outside = await reviewer.post(`/tasks/${own.id}/delegate`).send({ toUserId: system.userIds[DEMO.finance] }).expect(403);
    expect(outside.body.message).toBe('a committee ballot can only be delegated to another committee member');
    expect((await system.db.dataSource.getRepository(TaskEntity).findOneByOrFail({ id: own.id })).eligibleUserIds).toEqual([system.userIds[DEMO.reviewer]]);
  });

  it('runs a committee vote to a majority, then refuses the late ballot', async () => {
    const requestId = await request_({ kind: 'committee.vote', title: 'Adopt the revised KPI set', assignee: { type: 'committee' }, dueAt: dueIn(14) });
    const ballots = await tasksOf(requestId, 3);
    const ballotOf = (email: string) => ballots.find((b) => b.eligibleUserIds[0] === system.userIds[email as keyof typeof system.userIds])!;
    await (await as(DEMO.chair)).post(`/tasks/${ballotOf(DEMO.chair).id}/complete`).send({ outcome: 'approve' }).expect(200);
    await (await as(DEMO.reviewer)).post(`/tasks/${ballotOf(DEMO.reviewer).id}/complete`).send({ outcome: 'approve' }).expect(200);
    const late = ballotOf('reviewer2@rollplan.example');
    await eventually(() => system.db.dataSource.getRepository(TaskEntity).findOneByOrFail({ id: late.id }), (t) => t.status === 'cancelled');
    const refused = await (await as('reviewer2@rollplan.example')).post(`/tasks/${late.id}/complete`).send({ outcome: 'reject' }).expect(409);
    expect(refused.body.error).toBe('conflict');
    const result = await system.temporal.workflow.getHandle(requestId).result();
    expect(result.group).toEqual({ state: 'passed', passes: 2, fails: 0, needed: 2 });
  });
});

describe('requests of a cycle', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem();
  });
  afterAll(() => system?.stop());

  it('cancels the open tasks of a cycle when the cycle is cancelled, and refuses new ones', async () => {
    const admin = request.agent(system.baseUrl).auth(await system.tokenFor(DEMO.admin), { type: 'bearer' });
    const cycle = (await admin.post('/cycles').send({ title: 'Plan with requests', startYear: 2027 }).expect(201)).body;
    const due = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const { requestId } = (
      await admin.post('/tasks').send({ kind: 'adhoc.request', title: 'Industry analysis', assignee: { type: 'user', userId: system.userIds[DEMO.strategy] }, dueAt: due, cycleId: cycle.id }).expect(201)
    ).body;
    const [task] = await eventually(() => system.db.dataSource.getRepository(TaskEntity).findBy({ workflowId: requestId }), (rows) => rows.length > 0);
    expect(task.cycleId).toBe(cycle.id);

    await admin.post(`/cycles/${cycle.id}/cancel`).send({ reason: 'superseded by the group plan' }).expect(200);
    const cancelled = await eventually(() => system.db.dataSource.getRepository(TaskEntity).findOneByOrFail({ id: task.id }), (t) => t.status === 'cancelled');
    expect(cancelled.cancelReason).toBe('the request was cancelled');

    const refused = await admin.post('/tasks').send({ kind: 'adhoc.request', title: 'Too late', assignee: { type: 'committee' }, dueAt: due, cycleId: cycle.id }).expect(400);
    expect(refused.body.details).toEqual([{ path: 'cycleId', message: 'no such cycle, or it has closed' }]);
  });
});
