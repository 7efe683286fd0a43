import { randomUUID } from 'node:crypto';
import { Queue, UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { createTransport } from 'nodemailer';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { queueTelemetry } from '@rollplan/telemetry';
import { In, type DataSource } from 'typeorm';
import type { WebhookAllowList } from '@rollplan/domain';
import { NotificationDeliveryEntity, NotificationEntity, UserEntity, WebhookSubscriptionEntity } from '@rollplan/db';
import { QueueName, notificationsChannel } from '@rollplan/workflows';
import type { DeadLetterJobData, EmailJobData, NotificationJobData, WebhookJobData } from './jobs';
import { WebhookTargetRefused, postWebhook, type ResolveHost } from './webhook-delivery';
import { signWebhook } from './webhook-signature';

export interface NotificationOptions {
  dataSource: DataSource;
  /** ioredis options for BullMQ (maxRetriesPerRequest must be null for workers). */
  connection: ConnectionOptions;
  /** BullMQ key prefix (QUEUE_PREFIX). */
  prefix: string;
  /** `smtp://host:port`; undefined: no e-mail channel. */
  smtpUrl?: string;
  mailFrom: string;
  webhookTimeoutMs: number;
  /** Non-public webhook targets the admin allows (WEBHOOK_ALLOWED_HOSTS, see webhookAllowList()). */
  webhookAllowList: WebhookAllowList;
  /** How webhook host names are resolved (default: the system resolver). */
  resolveHost?: ResolveHost;
  /** Tries per e-mail or webhook delivery before it is dead-lettered. */
  attempts: number;
  /** First retry delay; doubles each time. */
  backoffMs: number;
  log?: (message: string, data?: Record<string, unknown>) => void;
}

const tracer = trace.getTracer('rollplan-notifications');

const SUBJECTS: Record<string, (p: Record<string, unknown>) => string> = {
  'task.opened': (p) => `New task: ${p.title}`,
  'task.reminder': (p) => `Reminder: ${p.title} is due ${String(p.dueAt).slice(0, 10)}`,
  'task.escalated': (p) => `Escalated to you: ${p.title}`,
  'task.delegated': (p) => `Delegated to you: ${p.title}`,
  'task.decided': (p) => `Decided (${p.outcome}): ${p.title}`,
  'task.cancelled': (p) => `Cancelled: ${p.title}`,
};

/**
 * The stable Message-ID of a notification mail: its delivery key (`<outbox id>.email.<user id>`)
 * at the sender's domain. A mail sent again after a crash carries the same one.
 */
export function emailMessageId(deliveryKey: string, mailFrom: string): string {
  const domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(mailFrom)?.[1] ?? 'rollplan.invalid';
  return `<${deliveryKey}@${domain}>`;
}

/**
 * The notification processors: fan-out of each outbox event to in-app rows, e-mails and
 * webhooks; then the e-mail and webhook deliveries, each retried with exponential backoff and
 * dead-lettered when its tries run out. A webhook records its key once delivered and is skipped
 * when redelivered. An e-mail records its intent (`sending`) before the SMTP call and `sent`
 * after: a redelivered job whose mail is `sent` sends nothing; one still `sending` (the worker
 * died mid-send, or between sending and recording) sends again with the same Message-ID.
 */
export function startNotificationWorkers(options: NotificationOptions) {
  const { dataSource, connection, prefix, log = () => undefined } = options;
  const telemetry = queueTelemetry();
  const retry = { attempts: options.attempts, backoff: { type: 'exponential' as const, delay: options.backoffMs } };
  const emailQueue = new Queue<EmailJobData>(QueueName.Email, { connection, prefix, telemetry });
  const webhookQueue = new Queue<WebhookJobData>(QueueName.Webhooks, { connection, prefix, telemetry });
  const deadLetters = new Queue<DeadLetterJobData>(QueueName.DeadLetters, { connection, prefix, telemetry });
  const transport = options.smtpUrl ? createTransport(options.smtpUrl) : undefined;
  const delivered = (key: string) => dataSource.getRepository(NotificationDeliveryEntity).existsBy({ key, status: 'sent' });
  const markDelivered = (key: string, channel: string) =>
    dataSource.createQueryBuilder().insert().into(NotificationDeliveryEntity).values({ key, channel }).orIgnore().execute();

  const fanOut = new Worker<NotificationJobData>(
    QueueName.Notifications,
    async (job) => {
      const { outboxId, event, payload } = job.data;
      const recipients = (payload.recipients as string[] | undefined) ?? [];
      const title = (SUBJECTS[event] ?? (() => event))(payload);
      if (recipients.length > 0) {
        await dataSource
          .createQueryBuilder()
          .insert()
          .into(NotificationEntity)
          .values(recipients.map((userId) => ({ id: randomUUID(), userId, event, title, taskId: (payload.taskId as string) ?? null, sourceId: outboxId })))
          .orIgnore()
          .execute();
        // Tells the API's open notification streams whom to look up (best effort: a stream
        // that misses it finds the row on its next reconnect).
        // (BullMQ's client is an ioredis connection; its type names only what BullMQ uses.)
        const redis = (await emailQueue.client) as unknown as { publish(channel: string, message: string): Promise<number> };
        await redis.publish(notificationsChannel(prefix), JSON.stringify({ userIds: recipients })).catch(() => undefined);
      }
      if (transport && recipients.length > 0) {
        const users = await dataSource.getRepository(UserEntity).findBy({ id: In(recipients), active: true });
        await emailQueue.addBulk(
          users.map((user) => {
            const deliveryKey = `${outboxId}.email.${user.id}`;
            const text = `${title}\n\nTask ${String(payload.taskId ?? '')}, due ${String(payload.dueAt ?? '')}.\n\n— rollplan`;
            return { name: event, data: { deliveryKey, to: user.email, subject: `[rollplan] ${title}`, text }, opts: { jobId: deliveryKey, ...retry } };
          }),
        );
      }
      const subscriptions = await dataSource
        .getRepository(WebhookSubscriptionEntity)
        .createQueryBuilder('w')
        .where('w.active = true AND (:event = ANY(w.events) OR :all = ANY(w.events))', { event, all: '*' })
        .getMany();
      await webhookQueue.addBulk(
        subscriptions.map((sub) => {
          const deliveryKey = `${outboxId}.webhook.${sub.id}`;
          return { name: event, data: { deliveryKey, subscriptionId: sub.id, event, body: { id: outboxId, event, data: payload } }, opts: { jobId: deliveryKey, ...retry } };
        }),
      );
    },
    { connection, prefix, telemetry },
  );

  const email = new Worker<EmailJobData>(
    QueueName.Email,
    async (job) => {
      if (!transport) return;
      const { deliveryKey } = job.data;
      // The intent first: a new row, or one left `sending` by an earlier try, goes on to send
      // (counting the try); a row already `sent` returns nothing and nothing is sent.
      const begun: unknown[] = await dataSource.query(
        `INSERT INTO notification_deliveries (key, channel, status, tries) VALUES ($1, 'email', 'sending', 1)
         ON CONFLICT (key) DO UPDATE SET tries = notification_deliveries.tries + 1 WHERE notification_deliveries.status = 'sending'
         RETURNING tries`,
        [deliveryKey],
      );
      if (begun.length === 0) return;
      await tracer.startActiveSpan('smtp send', { kind: SpanKind.CLIENT }, (span) =>
        transport
          .sendMail({
            from: options.mailFrom,
            to: job.data.to,
            subject: job.data.subject,
            text: job.data.text,
            messageId: emailMessageId(deliveryKey, options.mailFrom),
            headers: { 'X-Rollplan-Delivery': deliveryKey },
          })
          .catch((error: Error) => {
            span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
            throw error;
          })
          .finally(() => span.end()),
      );
      await dataSource.getRepository(NotificationDeliveryEntity).update({ key: deliveryKey }, { status: 'sent' });
    },
    { connection, prefix, telemetry },
  );

  const webhooks = new Worker<WebhookJobData>(
    QueueName.Webhooks,
    async (job) => {
      if (await delivered(job.data.deliveryKey)) return;
      const sub = await dataSource
        .getRepository(WebhookSubscriptionEntity)
        .createQueryBuilder('w')
        .addSelect('w.secret')
        .where('w.id = :id', { id: job.data.subscriptionId })
        .getOne();
      if (!sub?.active) return;
      const body = JSON.stringify(job.data.body);
      let status: number;
      try {
        status = await postWebhook({
          url: sub.url,
          headers: {
            'content-type': 'application/json',
            'x-rollplan-event': job.data.event,
            'x-rollplan-delivery': job.data.deliveryKey,
            'x-rollplan-signature': signWebhook(sub.secret, body, Math.floor(Date.now() / 1000)),
          },
          body,
          timeoutMs: options.webhookTimeoutMs,
          allowList: options.webhookAllowList,
          resolveHost: options.resolveHost,
        });
      } catch (error) {
        // Trying again will not make the target allowed: dead-letter at once (an admin may retry
        // it after changing WEBHOOK_ALLOWED_HOSTS).
        if (error instanceof WebhookTargetRefused) throw new UnrecoverableError(error.message);
        throw error;
      }
      if (status < 200 || status > 299) throw new Error(`webhook answered ${status}`);
      await markDelivered(job.data.deliveryKey, 'webhook');
    },
    { connection, prefix, telemetry },
  );

  for (const [worker, queue] of [[email, QueueName.Email], [webhooks, QueueName.Webhooks]] as const) {
    worker.on('failed', (job: Job | undefined, error) => {
      if (!job) return;
      // The operator's log keeps the detail (addresses, error codes); dead letters do not.
      log('delivery failed', { queue, jobId: job.id, attempt: job.attemptsMade, error: error.message, ...(error.cause ? { cause: String(error.cause) } : {}) });
      if (job.attemptsMade >= (job.opts.attempts ?? 1) || error.name === 'UnrecoverableError') {
        void deadLetters
          .add('dead', { queue, name: job.name, data: job.data, failedReason: error.message, attempts: job.attemptsMade }, { jobId: `dead.${job.id}.${Date.now()}` })
          .catch((e: unknown) => log('could not dead-letter', { jobId: job.id, error: String(e) }));
      }
    });
  }

  return {
    async close() {
      await Promise.all([fanOut.close(), email.close(), webhooks.close()]);
      await Promise.all([emailQueue.close(), webhookQueue.close(), deadLetters.close()]);
      transport?.close();
    },
  };
}
