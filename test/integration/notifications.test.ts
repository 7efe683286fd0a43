import { mkdtempSync, chmodSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { seedDemoOrganization } from '@rollplan/api';
import { NotificationEntity, OutboxEntity, UserEntity, WebhookSubscriptionEntity } from '@rollplan/db';
import { freePort, startRedis, type RunningRedis } from '@rollplan/devstack';
import { QueueName } from '@rollplan/workflows';
import { startNotifications, verifyWebhook, type DeadLetterJobData } from '@rollplan/worker';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startSmtpSink, startWebhookReceiver } from '../support/receivers';

async function until<T>(probe: () => Promise<T> | T, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await probe();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    value = await probe();
  }
  return value;
}

// Outbox → BullMQ → in-app, SMTP and signed webhooks, on a Redis of this file's own (so it can be stopped).
describe('notifications', () => {
  let db: TestDatabase;
  let redis: RunningRedis;
  let redisPort: number;
  const redisDir = mkdtempSync(join(tmpdir(), 'rollplan-redis-'));
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  let finance: UserEntity;
  let chair: UserEntity;

  beforeAll(async () => {
    chmodSync(redisDir, 0o755);
    redisPort = await freePort();
    [db, redis, smtp] = await Promise.all([
      createTestDatabase(),
      startRedis({ dataDir: redisDir, port: redisPort, logFile: join(redisDir, 'redis.log'), persist: true }),
      startSmtpSink(),
    ]);
    await seedDemoOrganization(db.dataSource);
    finance = await db.dataSource.getRepository(UserEntity).findOneByOrFail({ email: 'finance@rollplan.example' });
    chair = await db.dataSource.getRepository(UserEntity).findOneByOrFail({ email: 'chair@rollplan.example' });
  });

  afterAll(async () => {
    await redis?.stop();
    await smtp?.stop();
    await db?.drop();
    rmSync(redisDir, { recursive: true, force: true });
  });

  function start(prefix: string, overrides: { attempts?: number; backoffMs?: number; timeoutMs?: number } = {}) {
    return startNotifications(
      {
        REDIS_URL: `redis://127.0.0.1:${redisPort}`,
        QUEUE_PREFIX: prefix,
        SMTP_URL: smtp.url,
        MAIL_FROM: 'rollplan <rollplan@test>',
        OUTBOX_POLL_MS: 50,
        WEBHOOK_TIMEOUT_MS: overrides.timeoutMs ?? 2000,
        DELIVERY_ATTEMPTS: overrides.attempts ?? 3,
        DELIVERY_BACKOFF_MS: overrides.backoffMs ?? 50,
      },
      db.dataSource,
      (m, d) => process.env.DEBUG_NOTIFY && console.log(m, d),
    );
  }

  /** What a task activity writes: an outbox row in the same transaction as the task change. */
  async function announce(event: string, recipients: string[], title = `Task ${randomUUID().slice(0, 6)}`) {
    const id = randomUUID();
    await db.dataSource.getRepository(OutboxEntity).insert({ id, event, payload: { taskId: randomUUID(), title, kind: 'adhoc.request', dueAt: '2027-03-01T00:00:00.000Z', recipients } });
    return { id, title };
  }

  async function subscribe(url: string, events: string[] = ['*']) {
    const secret = `whsec_${randomUUID()}`;
    const id = randomUUID();
    await db.dataSource.getRepository(WebhookSubscriptionEntity).insert({ id, url, secret, events, createdBy: chair.id });
    return { id, secret, deactivate: () => db.dataSource.getRepository(WebhookSubscriptionEntity).update({ id }, { active: false }) };
  }

  it('delivers a task event in-app, by e-mail and to a signed webhook, once each', async () => {
    const receiver = await startWebhookReceiver();
    const hook = await subscribe(receiver.url, ['task.opened']);
    const notifications = start(`n1-${randomUUID().slice(0, 6)}`);
    try {
      const event = await announce('task.opened', [finance.id]);
      const mails = await until(() => smtp.mails.filter((m) => m.subject?.includes(event.title)), (m) => m.length > 0);
      const hooks = await until(() => receiver.received.filter((h) => h.body.includes(event.id)), (h) => h.length > 0);
      await new Promise((r) => setTimeout(r, 300)); // room for a wrong second delivery to show up

      expect(mails).toHaveLength(1);
      expect(mails[0].subject).toBe(`[rollplan] New task: ${event.title}`);
      expect((mails[0].to as { text: string }).text).toBe('finance@rollplan.example');

      expect(hooks).toHaveLength(1);
      const signature = String(hooks[0].headers['x-rollplan-signature']);
      expect(verifyWebhook(hook.secret, hooks[0].body, signature, Math.floor(Date.now() / 1000))).toBe(true);
      expect(verifyWebhook('whsec_wrong', hooks[0].body, signature, Math.floor(Date.now() / 1000))).toBe(false);
      expect(JSON.parse(hooks[0].body)).toMatchObject({ id: event.id, event: 'task.opened', data: { title: event.title } });

      const inApp = await db.dataSource.getRepository(NotificationEntity).findBy({ sourceId: event.id });
      expect(inApp.map((n) => n.userId)).toEqual([finance.id]);
    } finally {
      await notifications.close();
      await hook.deactivate();
      await receiver.stop();
    }
  });

  it('sends nothing twice when a delivery job is redelivered', async () => {
    const prefix = `n2-${randomUUID().slice(0, 6)}`;
    const notifications = start(prefix);
    try {
      const event = await announce('task.reminder', [chair.id]);
      await until(() => smtp.mails.filter((m) => m.subject?.includes(event.title)), (m) => m.length > 0);
      // The same delivery again, as BullMQ would after a worker crash: same idempotency key, new job.
      const email = new Queue(QueueName.Email, { connection: { port: redisPort }, prefix });
      await email.add('task.reminder', { deliveryKey: `${event.id}.email.${chair.id}`, to: chair.email, subject: `[rollplan] again ${event.title}`, text: 'x' }, { jobId: `again-${event.id}` });
      await until(async () => (await email.getJob(`again-${event.id}`))?.finishedOn, (finished) => Boolean(finished));
      await email.close();
      expect(smtp.mails.filter((m) => m.subject?.includes(event.title))).toHaveLength(1);
    } finally {
      await notifications.close();
    }
  });

  it('retries a failing webhook with growing delays, then dead-letters it; a hanging one too', async () => {
    const failing = await startWebhookReceiver(() => 500);
    const hanging = await startWebhookReceiver(() => 'hang');
    const hooks = [await subscribe(failing.url, ['task.escalated']), await subscribe(hanging.url, ['task.escalated'])];
    const prefix = `n3-${randomUUID().slice(0, 6)}`;
    const notifications = start(prefix, { attempts: 3, backoffMs: 200, timeoutMs: 300 });
    const dead = new Queue<DeadLetterJobData>(QueueName.DeadLetters, { connection: { port: redisPort }, prefix });
    try {
      const event = await announce('task.escalated', [finance.id]);
      const letters = await until(() => dead.getJobs(['waiting']), (jobs) => jobs.length >= 2, 30_000);
      expect(letters.map((j) => j.data.queue)).toEqual([QueueName.Webhooks, QueueName.Webhooks]);
      expect(letters.map((j) => j.data.attempts)).toEqual([3, 3]);
      expect(letters.map((j) => j.data.failedReason).sort()).toEqual([expect.stringMatching(/aborted|timeout/i), 'webhook answered 500'].sort());

      const tries = failing.received.filter((h) => h.body.includes(event.id));
      expect(tries).toHaveLength(3);
      const gaps = [tries[1].at - tries[0].at, tries[2].at - tries[1].at];
      expect(gaps[0]).toBeGreaterThanOrEqual(180); // 200 ms, then 400 ms: exponential
      expect(gaps[1]).toBeGreaterThanOrEqual(380);
      expect(hanging.received.filter((h) => h.body.includes(event.id))).toHaveLength(3);
    } finally {
      await notifications.close();
      await dead.close();
      for (const hook of hooks) await hook.deactivate();
      await failing.stop();
      await hanging.stop();
    }
  });

  it('keeps a decision’s notification while Redis is down and delivers it once Redis is back', async () => {
    const notifications = start(`n4-${randomUUID().slice(0, 6)}`);
    try {
      await redis.stop();
      // Deciding a task writes the outbox row in PostgreSQL only: it works with Redis down.
      const event = await announce('task.decided', [finance.id]);
      await new Promise((r) => setTimeout(r, 500));
      const waiting = await db.dataSource.getRepository(OutboxEntity).findOneByOrFail({ id: event.id });
      expect(waiting.dispatchedAt).toBeNull();

      redis = await startRedis({ dataDir: redisDir, port: redisPort, logFile: join(redisDir, 'redis.log'), persist: true });
      const mails = await until(() => smtp.mails.filter((m) => m.subject?.includes(event.title)), (m) => m.length > 0, 30_000);
      await new Promise((r) => setTimeout(r, 500));
      expect(smtp.mails.filter((m) => m.subject?.includes(event.title))).toHaveLength(1);
      expect(mails[0].subject).toMatch(/^\[rollplan\] Decided/);
      expect(await db.dataSource.getRepository(NotificationEntity).countBy({ sourceId: event.id })).toBe(1);
    } finally {
      await notifications.close();
    }
  });
});
