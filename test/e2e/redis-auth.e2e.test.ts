// Against a Redis that wants a password and sits on another database number, every path that
// uses Redis works: health, the API's queues (dead letters), the worker's outbox relay and
// deliveries. Before one connection factory (redisOptions), some paths dropped the password.
import { spawn, type ChildProcess } from 'node:child_process';
import Redis from 'ioredis';
import request from 'supertest';
import { freePort } from '@rollplan/devstack';
import { DEMO, eventually, startTestSystem, type TestSystem } from '../support/system';

const PASSWORD = 'a p@ss/word';
let redis: ChildProcess;
let port: number;
let system: TestSystem;

beforeAll(async () => {
  port = await freePort();
  redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--requirepass', PASSWORD, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const ping = async () => {
    const probe = new Redis({ port, password: PASSWORD, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    try {
      return await probe.ping();
    } catch {
      return 'down';
    } finally {
      probe.disconnect();
    }
  };
  await eventually(ping, (answer) => answer === 'PONG');
  system = await startTestSystem({ REDIS_URL: `redis://:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}/2` });
});

afterAll(async () => {
  await system?.stop();
  redis?.kill();
});

it('serves health, queues and deliveries through a password-protected Redis on database 2', async () => {
  const admin = request.agent(system.baseUrl).auth(await system.tokenFor(DEMO.admin), { type: 'bearer' });
  const health = await request(system.baseUrl).get('/health').expect(200);
  expect(health.body.details.redis.status).toBe('up');
  await admin.get('/dead-letters').expect(200);

  const finance = await system.tokenFor(DEMO.finance);
  await admin
    .post('/tasks')
    .send({ kind: 'adhoc.request', title: 'Send the funding forecast', assignee: { type: 'user', userId: system.userIds[DEMO.finance] }, dueAt: new Date(Date.now() + 7 * 86_400_000).toISOString() })
    .expect(201);
  // In-app delivery goes outbox → relay → BullMQ → worker: all of it through this Redis.
  const inbox = await eventually(
    () => request(system.baseUrl).get('/notifications').auth(finance, { type: 'bearer' }).then((r) => r.body.items as { event: string }[]),
    (items) => items.some((n) => n.event === 'task.opened'),
  );
  expect(inbox.length).toBeGreaterThan(0);

  // The queues live in database 2, not in the default one.
  const client = new Redis({ port, password: PASSWORD, db: 2 });
  const other = new Redis({ port, password: PASSWORD, db: 0 });
  try {
    expect((await client.keys(`${system.taskQueue}:*`)).length).toBeGreaterThan(0);
    expect(await other.keys(`${system.taskQueue}:*`)).toEqual([]);
  } finally {
    client.disconnect();
    other.disconnect();
  }
});
