import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { CycleEntity, OrgUnitEntity } from '@rollplan/db';
import { samplePlan } from '../support/plans';
import { DEMO, eventually, startTestSystem, type TestSystem } from '../support/system';

// The whole system over HTTP: the real API and worker on the Temporal dev server, PostgreSQL and Redis.
describe('cycles over HTTP', () => {
  let system: TestSystem;
  let http: ReturnType<typeof request.agent>;

  beforeAll(async () => {
    system = await startTestSystem();
    // Every request in this block is the planning office admin's.
    http = request.agent(system.baseUrl).auth(await system.tokenFor(DEMO.admin), { type: 'bearer' });
  });
  afterAll(() => system?.stop());

  const getCycle = (id: string) => http.get(`/cycles/${id}`).then((r) => r.body);
  // Cycles this block started, so list assertions can wait for the read model to hold them all.
  let started = 0;
  const startCycle = async (body: object) => {
    const response = await http.post('/cycles').send(body).expect(201);
    started++;
    return response;
  };

  it('reports temporal, postgres, redis and a polling worker up on /health', async () => {
    const response = await http.get('/health').expect(200);
    expect(response.body.details).toEqual({
      temporal: { status: 'up' },
      postgres: { status: 'up' },
      redis: { status: 'up' },
      worker: { status: 'up' },
    });
  });

  it('starts a cycle, whose workflow records it and opens drafting', async () => {
    const response = await startCycle({ title: 'Group plan 2027–2029', startYear: 2027 });
    const { id } = response.body;
    expect(response.headers.location).toBe(`/cycles/${id}`);
    expect(response.body).toMatchObject({ workflowId: `cycle-${id}`, startYear: 2027, horizonYears: 3, planYears: [2027, 2028, 2029] });

    const cycle = await eventually(() => getCycle(id), (c) => c.phase === 'drafting');
    expect(cycle).toMatchObject({ id, title: 'Group plan 2027–2029', phase: 'drafting', startedBy: system.userIds[DEMO.admin] });
    expect(cycle.createdAt).toEqual(expect.any(String));

    const description = await system.temporal.workflow.getHandle(`cycle-${id}`).describe();
    expect(description.type).toBe('planningCycle');
    expect(description.taskQueue).toBe(system.taskQueue);

    const list = await http.get('/cycles').query({ phase: 'drafting' }).expect(200);
    expect(list.body.items.map((c: { id: string }) => c.id)).toContain(id);
  });

  it('answers a plan change sent while the cycle is still drafting with 409, not a server error', async () => {
    const { id } = (await startCycle({ title: 'Change too early', startYear: 2027 })).body;
    await eventually(() => getCycle(id), (c) => c.phase === 'drafting');
    const units = await system.db.dataSource.getRepository(OrgUnitEntity).find();
    const unit = (code: string) => units.find((u) => u.code === code)!.id;
    const plan = samplePlan({ finance: unit('finance'), customer: unit('customer') }, 2027);
    const response = await http.post(`/cycles/${id}/changes`).send({ content: plan, reason: 'too early' });
    expect([response.status, response.body.error]).toEqual([409, 'conflict']);
    expect(response.body.message).toMatch(/current phase/);
  });

  it('finds the cycle by its search attributes, as auditors will', async () => {
    const { body } = await startCycle({ title: 'Searchable', startYear: 2028 });
    const found = await eventually(
      async () => {
        const ids: string[] = [];
        for await (const execution of system.temporal.workflow.list({ query: `RollplanCycleId = '${body.id}'` })) ids.push(execution.workflowId);
        return ids;
      },
      (ids) => ids.length > 0,
    );
    expect(found).toEqual([`cycle-${body.id}`]);
  });

  it('lists newest first with paging', async () => {
    for (const title of ['Page A', 'Page B', 'Page C']) await startCycle({ title, startYear: 2027 });
    const all = await eventually(() => http.get('/cycles').query({ limit: 200 }).then((r) => r.body), (b) => b.total === started);
    expect(all.total).toBe(started);
    const created = all.items.map((c: { createdAt: string }) => c.createdAt);
    expect([...created].sort().reverse()).toEqual(created);
    const page = await http.get('/cycles').query({ limit: 2, offset: 1 }).expect(200);
    expect(page.body).toMatchObject({ limit: 2, offset: 1, total: all.total });
    expect(page.body.items.map((c: { id: string }) => c.id)).toEqual(all.items.slice(1, 3).map((c: { id: string }) => c.id));
  });

  it('refuses an invalid body with 400 naming each bad field, and writes nothing', async () => {
    const response = await http.post('/cycles').send({ title: '', startYear: 1850, horizonYears: 5, owner: 'me' }).expect(400);
    expect(response.body.error).toBe('validation_failed');
    expect(response.body.details.map((d: { path: string }) => d.path).sort()).toEqual(['horizonYears', 'owner', 'startYear', 'title']);

    const title = `Rejected ${randomUUID()}`;
    await http.post('/cycles').send({ title, startYear: 1850 }).expect(400);
    // No workflow was started, so no activity can write a row later either.
    const started = await system.temporal.workflow.count(`TaskQueue = '${system.taskQueue}' AND RollplanPlanYear = 1850`);
    expect(started.count).toBe(0);
    expect(await system.db.dataSource.getRepository(CycleEntity).countBy({ title })).toBe(0);
  });

  it('answers malformed JSON, oversized bodies and unknown routes in the one error shape', async () => {
    const malformed = await http.post('/cycles').set('content-type', 'application/json').send('{"title": ').expect(400);
    expect(malformed.body).toEqual({ error: 'malformed_json', message: 'request body is not valid JSON', details: [] });

    const huge = await http.post('/cycles').send({ title: 'x'.repeat(300_000), startYear: 2027 }).expect(413);
    expect(huge.body.error).toBe('payload_too_large');

    const unknown = await http.get('/no-such-thing').expect(404);
    expect(unknown.body).toMatchObject({ error: 'not_found', details: [] });

    const badId = await http.get('/cycles/not-a-uuid').expect(400);
    expect(badId.body.details).toEqual([{ path: 'id', message: 'must be a UUID' }]);

    const badQuery = await http.get('/cycles').query({ limit: 'many', sort: 'title' }).expect(400);
    expect(badQuery.body.details.map((d: { path: string }) => d.path).sort()).toEqual(['limit', 'sort']);

    await http.get(`/cycles/${randomUUID()}`).expect(404);
  });

  it('makes a retried start with the same Idempotency-Key return the first cycle, once', async () => {
    const key = `start-${randomUUID()}`;
    const body = { title: 'Idempotent plan', startYear: 2029 };
    const first = await http.post('/cycles').set('Idempotency-Key', key).send(body).expect(201);
    const retry = await http.post('/cycles').set('Idempotency-Key', key).send({ startYear: 2029, title: 'Idempotent plan' }).expect(200);
    expect(retry.body.id).toBe(first.body.id);

    const reused = await http.post('/cycles').set('Idempotency-Key', key).send({ ...body, title: 'Another plan' }).expect(409);
    expect(reused.body.error).toBe('idempotency_key_reused');

    const executions = await system.temporal.workflow.count(`RollplanCycleId = '${first.body.id}'`);
    expect(executions.count).toBe(1);
    const rows = await eventually(() => system.db.dataSource.getRepository(CycleEntity).countBy({ title: 'Idempotent plan' }), (n) => n > 0);
    expect(rows).toBe(1);
  });

  it('cancels a cycle with a reason; a retry is a no-op, a second cancel a conflict', async () => {
    const { body } = await http.post('/cycles').send({ title: 'To cancel', startYear: 2027 }).expect(201);
    await eventually(() => getCycle(body.id), (c) => c.phase === 'drafting');

    const cancelled = await http.post(`/cycles/${body.id}/cancel`).set('Idempotency-Key', 'cancel-1').send({ reason: 'merged into group plan' }).expect(200);
    expect(cancelled.body).toMatchObject({ phase: 'cancelled', cancellation: { reason: 'merged into group plan', by: system.userIds[DEMO.admin] } });

    const retried = await http.post(`/cycles/${body.id}/cancel`).set('Idempotency-Key', 'cancel-1').send({ reason: 'merged into group plan' }).expect(200);
    expect(retried.body.cancellation).toEqual(cancelled.body.cancellation);

    const again = await http.post(`/cycles/${body.id}/cancel`).send({ reason: 'again' }).expect(409);
    expect(again.body).toMatchObject({ error: 'conflict', message: 'cycle is already cancelled' });

    const row = await system.db.dataSource.getRepository(CycleEntity).findOneByOrFail({ id: body.id });
    expect(row).toMatchObject({ phase: 'cancelled', cancelReason: 'merged into group plan' });

    await http.post(`/cycles/${randomUUID()}/cancel`).send({ reason: 'x' }).expect(404);
    const blank = await http.post(`/cycles/${body.id}/cancel`).send({ reason: '' }).expect(400);
    expect(blank.body.details[0].path).toBe('reason');
  });

  it('publishes an OpenAPI document describing the cycle endpoints', async () => {
    const { body } = await http.get('/docs/openapi.json').expect(200);
    expect(Object.keys(body.paths)).toEqual(expect.arrayContaining(['/cycles', '/cycles/{id}', '/cycles/{id}/cancel', '/health']));
    expect(body.paths['/cycles'].post.requestBody).toBeDefined();
  });
});

describe('health with Redis unreachable', () => {
  let system: TestSystem;
  beforeAll(async () => {
    // Port 1 on loopback: nothing listens there.
    system = await startTestSystem({ REDIS_URL: 'redis://127.0.0.1:1' });
  });
  afterAll(() => system?.stop());

  it('answers 503 naming redis down and the others up', async () => {
    const response = await request(system.baseUrl).get('/health').expect(503);
    expect(response.body.details.redis.status).toBe('down');
    expect(response.body.details.temporal.status).toBe('up');
    expect(response.body.details.postgres.status).toBe('up');
  });
});
