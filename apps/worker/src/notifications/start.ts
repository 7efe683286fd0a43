import { Queue } from 'bullmq';
import { redisOptions } from '@rollplan/config';
import { queueTelemetry } from '@rollplan/telemetry';
import type { DataSource } from 'typeorm';
import { webhookAllowList } from '@rollplan/domain';
import { QueueName } from '@rollplan/workflows';
import type { WorkerConfig } from '../config';
import type { NotificationJobData } from './jobs';
import { startNotificationWorkers } from './notification.processors';
import { OutboxRelay } from './outbox-relay';
import type { ResolveHost } from './webhook-delivery';

/** What startNotifications reads of the worker's config; unset WEBHOOK_ALLOWED_HOSTS and NODE_ENV take the config's defaults. */
export type NotificationsConfig = Pick<WorkerConfig, 'REDIS_URL' | 'QUEUE_PREFIX' | 'SMTP_URL' | 'MAIL_FROM' | 'OUTBOX_POLL_MS' | 'WEBHOOK_TIMEOUT_MS' | 'DELIVERY_ATTEMPTS' | 'DELIVERY_BACKOFF_MS'> &
  Partial<Pick<WorkerConfig, 'WEBHOOK_ALLOWED_HOSTS' | 'NODE_ENV'>>;

/** BullMQ connection options for a `redis://` URL (workers wait for Redis rather than fail). */
export function redisConnection(url: string) {
  return redisOptions(url, 'wait');
}

/** The outbox relay and the notification processors, as the worker runs them. `resolveHost`: how webhook host names resolve (tests). */
export function startNotifications(
  config: NotificationsConfig,
  dataSource: DataSource,
  log: (message: string, data?: Record<string, unknown>) => void,
  { resolveHost }: { resolveHost?: ResolveHost } = {},
) {
  // The relay's producer fails fast while Redis is down (rows stay in the outbox); workers wait for it.
  const queue = new Queue<NotificationJobData>(QueueName.Notifications, {
    connection: redisOptions(config.REDIS_URL, 'failFast'),
    prefix: config.QUEUE_PREFIX,
    telemetry: queueTelemetry(),
  });
  queue.on('error', () => undefined);
  const relay = new OutboxRelay(dataSource, queue, config.OUTBOX_POLL_MS, (error) => log('outbox relay waits for Redis', { error: String(error) }));
  const workers = startNotificationWorkers({
    dataSource,
    connection: redisOptions(config.REDIS_URL, 'wait'),
    prefix: config.QUEUE_PREFIX,
    smtpUrl: config.SMTP_URL,
    mailFrom: config.MAIL_FROM,
    webhookTimeoutMs: config.WEBHOOK_TIMEOUT_MS,
    webhookAllowList: webhookAllowList(config.WEBHOOK_ALLOWED_HOSTS, config.NODE_ENV ?? 'development'),
    resolveHost,
    attempts: config.DELIVERY_ATTEMPTS,
    backoffMs: config.DELIVERY_BACKOFF_MS,
    log,
  });
  relay.start();
  return {
    relay,
    async close() {
      await relay.stop();
      await workers.close();
      await queue.close();
    },
  };
}
