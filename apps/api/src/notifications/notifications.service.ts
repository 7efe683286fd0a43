import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import { redisOptions } from '@rollplan/config';
import { DataSource, IsNull } from 'typeorm';
import { DomainError, ErrorCode, webhookAllowList, type Actor, type CreateWebhookRequest, type WebhookAllowList } from '@rollplan/domain';
import { NotificationEntity, WebhookSubscriptionEntity, appendAudit } from '@rollplan/db';
import { QueueName } from '@rollplan/workflows';
import { API_CONFIG, type ApiConfig } from '../config';
import { webhookTargetProblem } from './webhook-target';

interface DeadLetter {
  queue: string;
  name: string;
  data: Record<string, unknown>;
  failedReason: string;
  attempts: number;
}

/** In-app notifications, webhook subscriptions and the dead-letter queue (delivery itself runs in the worker). */
@Injectable()
export class NotificationsService implements OnApplicationShutdown {
  private readonly queues: Map<string, Queue>;
  /** Non-public webhook targets the admin allows (WEBHOOK_ALLOWED_HOSTS). */
  private readonly webhookAllowList: WebhookAllowList;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(API_CONFIG) config: ApiConfig,
  ) {
    this.webhookAllowList = webhookAllowList(config.WEBHOOK_ALLOWED_HOSTS, config.NODE_ENV);
    const connection = redisOptions(config.REDIS_URL, 'failFast');
    this.queues = new Map(
      [QueueName.DeadLetters, QueueName.Email, QueueName.Webhooks].map((name) => {
        const queue = new Queue(name, { connection, prefix: config.QUEUE_PREFIX });
        queue.on('error', () => undefined); // reported by /health; requests fail with 503 meanwhile
        return [name, queue];
      }),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }

  async mine(actor: Actor, query: { unread?: boolean; limit: number; offset: number }) {
    const [rows, total] = await this.db.getRepository(NotificationEntity).findAndCount({
      where: { userId: actor.userId, ...(query.unread ? { readAt: IsNull() } : {}) },
      order: { createdAt: 'DESC' },
      take: query.limit,
      skip: query.offset,
    });
    return {
      items: rows.map((n) => ({ id: n.id, event: n.event, title: n.title, taskId: n.taskId, createdAt: n.createdAt.toISOString(), readAt: n.readAt?.toISOString() ?? null })),
      total,
      limit: query.limit,
      offset: query.offset,
    };
  }

  async markRead(actor: Actor, id: string): Promise<void> {
    const result = await this.db.getRepository(NotificationEntity).update({ id, userId: actor.userId, readAt: IsNull() }, { readAt: new Date() });
    if (!result.affected && !(await this.db.getRepository(NotificationEntity).existsBy({ id, userId: actor.userId }))) {
      throw new DomainError(ErrorCode.NotFound, 'notification not found');
    }
  }

  async createWebhook(actor: Actor, request: CreateWebhookRequest) {
    // Loopback, private, link-local … targets only if the admin allowed them (checked again at every delivery).
    const problem = await webhookTargetProblem(request.url, this.webhookAllowList);
    if (problem) throw new DomainError(ErrorCode.ValidationFailed, 'invalid request: url', [{ path: 'url', message: problem }]);
    const id = randomUUID();
    const secret = `whsec_${randomBytes(32).toString('base64url')}`;
    await this.db.transaction(async (manager) => {
      await manager.getRepository(WebhookSubscriptionEntity).insert({ id, url: request.url, secret, events: request.events, createdBy: actor.userId });
      await appendAudit(manager, { actor, action: 'webhook.created', subjectType: 'webhook', subjectId: id, data: { url: request.url, events: request.events } });
    });
    // The secret is shown here once; receivers verify X-Rollplan-Signature with it.
    return { ...(await this.webhook(id)), secret };
  }

  async listWebhooks() {
    const rows = await this.db.getRepository(WebhookSubscriptionEntity).find({ order: { createdAt: 'DESC' } });
    return rows.map(webhookView);
  }

  async deactivateWebhook(actor: Actor, id: string): Promise<void> {
    await this.db.transaction(async (manager) => {
      const result = await manager.getRepository(WebhookSubscriptionEntity).update({ id }, { active: false });
      if (!result.affected) throw new DomainError(ErrorCode.NotFound, 'webhook not found');
      await appendAudit(manager, { actor, action: 'webhook.deactivated', subjectType: 'webhook', subjectId: id });
    });
  }

  async deadLetters(limit: number, offset: number) {
    const queue = this.queue(QueueName.DeadLetters);
    const jobs = await this.redis(() => queue.getJobs(['waiting', 'delayed', 'paused'], offset, offset + limit - 1, true));
    const total = await this.redis(() => queue.getJobCountByTypes('waiting', 'delayed', 'paused'));
    return {
      items: jobs.map((job) => {
        const dead = job.data as DeadLetter;
        return { id: job.id, queue: dead.queue, event: dead.name, failedReason: dead.failedReason, attempts: dead.attempts, deadAt: new Date(job.timestamp).toISOString(), data: dead.data };
      }),
      total,
    };
  }

  /** Puts a dead delivery back on its queue for a fresh round of tries. */
  async retryDeadLetter(actor: Actor, id: string) {
    const job = await this.redis(() => this.queue(QueueName.DeadLetters).getJob(id));
    if (!job) throw new DomainError(ErrorCode.NotFound, 'dead letter not found');
    const dead = job.data as DeadLetter;
    const retried = await this.redis(() =>
      this.queue(dead.queue).add(dead.name, dead.data, { jobId: `${String(dead.data.deliveryKey)}.retry.${Date.now()}`, attempts: dead.attempts, backoff: { type: 'exponential', delay: 2000 } }),
    );
    await this.redis(() => job.remove());
    await appendAudit(this.db.manager, { actor, action: 'dead_letter.retried', subjectType: 'delivery', subjectId: String(dead.data.deliveryKey) });
    return { retriedAs: retried.id };
  }

  private queue(name: string): Queue {
    const queue = this.queues.get(name);
    if (!queue) throw new DomainError(ErrorCode.Internal, `unknown queue ${name}`);
    return queue;
  }

  private async redis<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof DomainError) throw error;
      throw new DomainError(ErrorCode.ServiceUnavailable, 'the job store (Redis) is unavailable; try again shortly');
    }
  }

  private async webhook(id: string) {
    return webhookView(await this.db.getRepository(WebhookSubscriptionEntity).findOneByOrFail({ id }));
  }
}

function webhookView(row: WebhookSubscriptionEntity) {
  return { id: row.id, url: row.url, events: row.events, active: row.active, createdBy: row.createdBy, createdAt: row.createdAt.toISOString() };
}
