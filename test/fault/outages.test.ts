import request from 'supertest';
import { reconcile } from '@rollplan/api';
import { TaskEntity } from '@rollplan/db';
import { harnessEnv } from '../support/harness-env';
import { DEMO, eventually, startTestSystem, type TestSystem } from '../support/system';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';

// Outages answered honestly (issue 14, item 4): with PostgreSQL or Temporal out of the API's
// reach, or no worker polling, requests answer 503 service_unavailable with Retry-After within
// a bound the API sets, /health says which part is down, and service resumes when it is back.
// The services are taken away through loopback proxies, so other tests sharing them are unharmed.
const CALL_TIMEOUT_MS = 1500;
const BACKLOG_LIMIT_MS = 1000;

function hostPort(url: string): { host: string; port: number } {
  const { hostname, port } = new URL(url.includes('://') ? url : `tcp://${url}`);
  return { host: hostname, port: Number(port) };
}

async function timed<T>(call: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await call();
  return { value, ms: Date.now() - started };
}

function expectUnavailableBecause(response: request.Response, message: RegExp) {
  expect([response.status, response.body.error]).toEqual([503, 'service_unavailable']);
  expect(response.body.message).toMatch(message);
  expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
}

function expectUnavailable(response: request.Response, service: string) {
  expect(response.status).toBe(503);
  expect(response.body).toEqual({ error: 'service_unavailable', message: `${service} is unavailable; try again shortly`, details: [] });
  expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
}

describe('PostgreSQL and Temporal out of reach', () => {
  let system: TestSystem;
  let database: TcpProxy;
  let temporal: TcpProxy;
  beforeAll(async () => {
    const env = harnessEnv();
    database = await startTcpProxy(hostPort(env.ROLLPLAN_TEST_DATABASE_ADMIN_URL));
    temporal = await startTcpProxy(hostPort(env.ROLLPLAN_TEST_TEMPORAL_ADDRESS));
    system = await startTestSystem({ TEMPORAL_ADDRESS: temporal.address, TEMPORAL_CALL_TIMEOUT_MS: String(CALL_TIMEOUT_MS) }, { databaseVia: database.address });
  });
  afterAll(async () => {
    // Calls that met the outage may still have a retry scheduled in the client: let them finish
    // against the restored services before the connection closes.
    await new Promise((r) => setTimeout(r, 2000));
    await system?.stop();
    await database?.close();
    await temporal?.close();
  });

  it('answers 503 with Retry-After while PostgreSQL is down, and serves again once it is back', async () => {
    const token = await system.tokenFor(DEMO.admin);
    const api = () => request(system.baseUrl).get('/cycles').auth(token, { type: 'bearer' });
    await api().expect(200);
    database.cut();
    try {
      const { value: response, ms } = await timed(() => api());
      expectUnavailable(response, 'postgres');
      expect(ms).toBeLessThan(5000);
      const health = await request(system.baseUrl).get('/health').expect(503);
      expect(health.body.details.postgres.status).toBe('down');
    } finally {
      database.restore();
    }
    await api().expect(200);
  });

  it('lets the read models catch up with the workflows once PostgreSQL is back', async () => {
    const admin = request.agent(system.baseUrl).auth(await system.tokenFor(DEMO.admin), { type: 'bearer' });
    const finance = (await admin.get('/org-units').expect(200)).body.find((u: { code: string }) => u.code === 'finance').id;
    // Started just before the outage: its activities (cycle row, contribution task) meet it and retry.
    const { body: cycle } = await admin.post('/cycles').send({ title: 'Across a database outage', startYear: 2028, contributingUnitIds: [finance] }).expect(201);
    database.cut();
    await new Promise((r) => setTimeout(r, 3000));
    database.restore();
    const mismatches = await eventually(() => reconcile(system.db.dataSource, system.temporal, { cycleIds: [cycle.id] }).catch(() => [{ subject: 'not yet' }]), (m) => m.length === 0, 30_000);
    expect(mismatches).toEqual([]);
    // The task row comes from an activity still backing off from the outage: it catches up too.
    const tasks = await eventually(() => system.db.dataSource.getRepository(TaskEntity).findBy({ cycleId: cycle.id }), (rows) => rows.length > 0, 30_000);
    expect(tasks.map((t) => [t.kind, t.status])).toEqual([['plan.contribution', 'open']]);
  });

  it('answers 503 within the API’s bound while Temporal is unreachable, and serves again once it is back', async () => {
    const admin = request.agent(system.baseUrl).auth(await system.tokenFor(DEMO.admin), { type: 'bearer' });
    const { body: cycle } = await admin.post('/cycles').send({ title: 'Before the outage', startYear: 2028 }).expect(201);
    temporal.cut();
    try {
      const start = await timed(() => admin.post('/cycles').send({ title: 'During the outage', startYear: 2028 }));
      expectUnavailable(start.value, 'temporal');
      const read = await timed(() => admin.get(`/cycles/${cycle.id}`));
      expectUnavailable(read.value, 'temporal');
      const cancel = await timed(() => admin.post(`/cycles/${cycle.id}/cancel`).send({ reason: 'outage' }));
      expectUnavailable(cancel.value, 'temporal');
      for (const { ms } of [start, read, cancel]) expect(ms).toBeLessThan(CALL_TIMEOUT_MS + 3000);
      expect((await request(system.baseUrl).get('/health').expect(503)).body.details.temporal.status).toBe('down');
    } finally {
      temporal.restore();
    }
    // The client reconnects with backoff: service resumes within seconds.
    expect(await eventually(() => admin.get(`/cycles/${cycle.id}`).then((r) => r.status), (status) => status === 200, 20_000)).toBe(200);
  });
});

describe('no worker polling the task queue', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem({ TEMPORAL_CALL_TIMEOUT_MS: String(CALL_TIMEOUT_MS), START_BACKLOG_LIMIT_MS: String(BACKLOG_LIMIT_MS) }, { worker: false });
  });
  afterAll(async () => {
    await new Promise((r) => setTimeout(r, 2000));
    await system?.stop();
  });

  it('says so in /health and answers reads and decisions with 503 within the bound instead of waiting', async () => {
    const health = await request(system.baseUrl).get('/health').expect(503);
    expect(health.body.details.worker).toMatchObject({ status: 'down' });
    expect(health.body.details.temporal.status).toBe('up');

    const admin = request.agent(system.baseUrl).auth(await system.tokenFor(DEMO.admin), { type: 'bearer' });
    // Starting is accepted by Temporal alone; everything that needs the workflow to answer is not.
    const { body: cycle } = await admin.post('/cycles').send({ title: 'Nobody runs me', startYear: 2028 }).expect(201);
    const read = await timed(() => admin.get(`/cycles/${cycle.id}`));
    expectUnavailable(read.value, 'temporal');
    const cancel = await timed(() => admin.post(`/cycles/${cycle.id}/cancel`).set('Idempotency-Key', 'no-worker').send({ reason: 'no worker' }));
    expectUnavailable(cancel.value, 'temporal');
    for (const { ms } of [read, cancel]) expect(ms).toBeLessThan(CALL_TIMEOUT_MS + 3000);
  });

  it('pauses new cycles and requests once the oldest waiting workflow task is older than the limit (back-pressure)', async () => {
    const admin = request.agent(system.baseUrl).auth(await system.tokenFor(DEMO.admin), { type: 'bearer' });
    // Nobody takes the workflow tasks of the cycles started so far: their backlog ages in real time.
    await admin.post('/cycles').send({ title: 'Waiting in the backlog', startYear: 2028 }).expect(201);
    await new Promise((r) => setTimeout(r, BACKLOG_LIMIT_MS + 1000));
    const refused = await admin.post('/cycles').send({ title: 'One too many', startYear: 2028 });
    expectUnavailableBecause(refused, /workflow workers are behind/);
    const request_ = await admin.post('/tasks').send({ kind: 'adhoc.request', title: 'Also paused', assignee: { type: 'user', userId: system.userIds[DEMO.finance] }, dueAt: new Date(Date.now() + 7 * 86_400_000).toISOString() });
    expectUnavailableBecause(request_, /new cycles and requests are paused/);
    // Reads do not wait on the backlog.
    await admin.get('/cycles').expect(200);
  });
});
