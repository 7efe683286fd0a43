import { mkdtempSync, chmodSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { seedDemoOrganization } from '@rollplan/api';
import { NotificationDeliveryEntity, NotificationEntity, OutboxEntity, UserEntity, WebhookSubscriptionEntity } from '@rollplan/db';
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

  /**
   * `allowedHosts`: WEBHOOK_ALLOWED_HOSTS (unset: the development default, localhost allowed);
   * `dns`: names the worker's resolver answers itself (a name whose address changed since the
   * subscription was made, as in DNS rebinding); every other name goes to the system resolver.
   */
  function start(prefix: string, overrides: { attempts?: number; backoffMs?: number; timeoutMs?: number; allowedHosts?: string; dns?: Record<string, string> } = {}) {
    const dns = overrides.dns ?? {};
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
        NODE_ENV: 'test',
        WEBHOOK_ALLOWED_HOSTS: overrides.allowedHosts,
      },
      db.dataSource,
      (m, d) => process.env.DEBUG_NOTIFY && console.log(m, d),
      {
        resolveHost: async (host: string) =>
          dns[host] ? [{ address: dns[host], family: dns[host].includes(':') ? 6 : 4 }] : lookup(host, { all: true, verbatim: true }),
      },
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
      expect(letters.map((j) => j.data.failedReason).sort()).toEqual(['webhook answered 500', 'webhook timeout: no answer within 300 ms']);

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

  it('never connects to a webhook target that is not allowed, even one whose name resolves there only at delivery', async () => {
    const receiver = await startWebhookReceiver();
    const port = new URL(receiver.url).port;
    // Subscriptions made before the rule (or whose name pointed elsewhere when they were made).
    const hooks = [
      await subscribe(`http://hooks.rebinding.test:${port}/hooks`, ['task.delegated']), // resolves to 127.0.0.1 now
      await subscribe(`http://[::ffff:127.0.0.1]:${port}/hooks`, ['task.delegated']),
      await subscribe(`http://169.254.169.254/latest/meta-data/`, ['task.delegated']),
      await subscribe(`http://hooks.internal.test:${port}/hooks`, ['task.delegated']), // resolves to a private address
    ];
    const prefix = `n5-${randomUUID().slice(0, 6)}`;
    const notifications = start(prefix, { attempts: 3, backoffMs: 50, timeoutMs: 1000, allowedHosts: 'none', dns: { 'hooks.rebinding.test': '127.0.0.1', 'hooks.internal.test': '10.20.30.40' } });
    const dead = new Queue<DeadLetterJobData>(QueueName.DeadLetters, { connection: { port: redisPort }, prefix });
    try {
      const event = await announce('task.delegated', [finance.id]);
      const letters = await until(() => dead.getJobs(['waiting']), (jobs) => jobs.length >= hooks.length, 20_000);
      expect(letters).toHaveLength(hooks.length);
      for (const letter of letters) {
        expect(letter.data.failedReason).toMatch(/not allowed/);
        // Nothing about the inside of the network: no address, no port, no "refused" or "timeout".
        expect(letter.data.failedReason).not.toMatch(/127\.0\.0\.1|10\.20|169\.254|refused|timeout|abort/i);
        expect(letter.data.failedReason).not.toContain(port);
        // Not retried: the target will not become allowed by trying again.
        expect(letter.data.attempts).toBe(1);
      }
      await new Promise((r) => setTimeout(r, 300));
      expect(receiver.received.filter((h) => h.body.includes(event.id))).toHaveLength(0);
    } finally {
      await notifications.close();
      await dead.close();
      for (const hook of hooks) await hook.deactivate();
      await receiver.stop();
    }
  });

  it('connects to the address it checked when the admin allows it, and reports failures without network detail', async () => {
    const receiver = await startWebhookReceiver();
    const port = new URL(receiver.url).port;
    const closed = await freePort();
    const delivered = await subscribe(`http://hooks.allowed.test:${port}/hooks`, ['task.cancelled']);
    const refused = await subscribe(`http://127.0.0.1:${closed}/hooks`, ['task.cancelled']);
    const prefix = `n6-${randomUUID().slice(0, 6)}`;
    const notifications = start(prefix, { attempts: 2, backoffMs: 50, allowedHosts: '127.0.0.1', dns: { 'hooks.allowed.test': '127.0.0.1' } });
    const dead = new Queue<DeadLetterJobData>(QueueName.DeadLetters, { connection: { port: redisPort }, prefix });
    try {
      const event = await announce('task.cancelled', [finance.id]);
      const hooks = await until(() => receiver.received.filter((h) => h.body.includes(event.id)), (h) => h.length > 0);
      expect(hooks).toHaveLength(1);
      expect(hooks[0].headers.host).toBe(`hooks.allowed.test:${port}`);
      const letters = await until(() => dead.getJobs(['waiting']), (jobs) => jobs.length > 0);
      expect(letters.map((j) => j.data.failedReason)).toEqual(['webhook connection refused']);
      expect(letters[0].data.attempts).toBe(2);
    } finally {
      await notifications.close();
      await dead.close();
      await delivered.deactivate();
      await refused.deactivate();
      await receiver.stop();
    }
  });

  it('sends one e-mail with a stable Message-ID when its job is processed twice', async () => {
    const prefix = `n7-${randomUUID().slice(0, 6)}`;
    const notifications = start(prefix);
    const email = new Queue(QueueName.Email, { connection: { port: redisPort }, prefix });
    try {
      const event = await announce('task.opened', [finance.id]);
      const deliveryKey = `${event.id}.email.${finance.id}`;
      const mails = await until(() => smtp.mails.filter((m) => m.subject?.includes(event.title)), (m) => m.length > 0);
      expect(mails[0].messageId).toBe(`<${deliveryKey}@test>`);
      // The same job processed again (BullMQ redelivers a job whose worker vanished after sending).
      const again = await email.add('task.opened', { deliveryKey, to: finance.email, subject: `[rollplan] again ${event.title}`, text: 'x' }, { jobId: `again-${event.id}` });
      await until(async () => (await email.getJob(again.id!))?.finishedOn, Boolean);
      await new Promise((r) => setTimeout(r, 200));
      expect(smtp.mails.filter((m) => m.subject?.includes(event.title))).toHaveLength(1);
      expect(await db.dataSource.getRepository(NotificationDeliveryEntity).findOneByOrFail({ key: deliveryKey })).toMatchObject({ channel: 'email', status: 'sent', tries: 1 });
    } finally {
      await email.close();
      await notifications.close();
    }
  });

  it('sends an e-mail again with the same Message-ID when the worker dies between sending and recording', async () => {
    const prefix = `n8-${randomUUID().slice(0, 6)}`;
    const tag = randomUUID().slice(0, 8);
    const deliveryKey = `${randomUUID()}.email.${chair.id}`;
    // The recording step fails once, as if the worker died right after the SMTP server took the mail.
    const q = (sql: string) => db.dataSource.query(sql);
    await q(`CREATE SEQUENCE crash_${tag}`);
    await q(`CREATE FUNCTION crash_${tag}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
      IF NEW.key = '${deliveryKey}' AND NEW.status = 'sent' AND nextval('crash_${tag}') = 1 THEN RAISE EXCEPTION 'worker died'; END IF;
      RETURN NEW; END $$`);
    await q(`CREATE TRIGGER crash_${tag} BEFORE INSERT OR UPDATE ON notification_deliveries FOR EACH ROW EXECUTE FUNCTION crash_${tag}()`);
    const notifications = start(prefix, { attempts: 3, backoffMs: 50 });
    const email = new Queue(QueueName.Email, { connection: { port: redisPort }, prefix });
    try {
      await email.add('task.reminder', { deliveryKey, to: chair.email, subject: `[rollplan] Reminder ${tag}`, text: 'x' }, { jobId: deliveryKey, attempts: 3, backoff: { type: 'fixed', delay: 50 } });
      const mails = await until(() => smtp.mails.filter((m) => m.subject?.includes(tag)), (m) => m.length >= 2);
      await new Promise((r) => setTimeout(r, 300));
      // At least once: the second mail is a duplicate a receiving system can recognise (and most drop).
      expect(smtp.mails.filter((m) => m.subject?.includes(tag)).map((m) => m.messageId)).toEqual([`<${deliveryKey}@test>`, `<${deliveryKey}@test>`]);
      expect(mails[0].headers.get('x-rollplan-delivery')).toBe(deliveryKey);
      expect(await db.dataSource.getRepository(NotificationDeliveryEntity).findOneByOrFail({ key: deliveryKey })).toMatchObject({ status: 'sent', tries: 2 });
    } finally {
      await email.close();
      await notifications.close();
      await q(`DROP TRIGGER crash_${tag} ON notification_deliveries`);
      await q(`DROP FUNCTION crash_${tag}()`);
      await q(`DROP SEQUENCE crash_${tag}`);
    }
  });

  it('sends an e-mail whose earlier try died mid-send once, with the same Message-ID', async () => {
    const prefix = `n9-${randomUUID().slice(0, 6)}`;
    const tag = randomUUID().slice(0, 8);
    const deliveryKey = `${randomUUID()}.email.${finance.id}`;
    // What a worker killed during the SMTP conversation leaves: the intent, still `sending`.
    await db.dataSource.getRepository(NotificationDeliveryEntity).insert({ key: deliveryKey, channel: 'email', status: 'sending' });
    const notifications = start(prefix);
    const email = new Queue(QueueName.Email, { connection: { port: redisPort }, prefix });
    try {
      await email.add('task.opened', { deliveryKey, to: finance.email, subject: `[rollplan] Redelivered ${tag}`, text: 'x' }, { jobId: deliveryKey });
      await until(() => smtp.mails.filter((m) => m.subject?.includes(tag)), (m) => m.length > 0);
      await new Promise((r) => setTimeout(r, 300));
      expect(smtp.mails.filter((m) => m.subject?.includes(tag)).map((m) => m.messageId)).toEqual([`<${deliveryKey}@test>`]);
      expect(await db.dataSource.getRepository(NotificationDeliveryEntity).findOneByOrFail({ key: deliveryKey })).toMatchObject({ status: 'sent', tries: 2 });
    } finally {
      await email.close();
      await notifications.close();
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
