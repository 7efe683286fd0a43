import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type Redis from 'ioredis';
import { DataSource, MoreThan } from 'typeorm';
import { NotificationEntity } from '@rollplan/db';
import { notificationsChannel } from '@rollplan/workflows';
import { API_CONFIG, type ApiConfig } from '../config';
import { REDIS } from '../infra/redis.module';

export interface StreamedNotification {
  id: string;
  event: string;
  title: string;
  taskId: string | null;
  createdAt: string;
}

type Listener = () => void;

/**
 * Live in-app notifications for `GET /notifications/stream`. The worker announces on a Redis
 * channel whom a new notification is for; one subscriber connection per API replica wakes the
 * streams of those users, each of which reads its new rows from PostgreSQL (the rows are the
 * truth: an announcement missed while Redis was away is read on the next wake or reconnect).
 */
@Injectable()
export class NotificationStreams implements OnApplicationShutdown {
  private readonly listeners = new Map<string, Set<Listener>>();
  private subscriber?: Redis;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @InjectDataSource() private readonly db: DataSource,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  /** Calls `onNew` whenever the user may have new notifications; returns the unsubscribe. */
  listen(userId: string, onNew: Listener): () => void {
    this.ensureSubscribed();
    const set = this.listeners.get(userId) ?? new Set<Listener>();
    set.add(onNew);
    this.listeners.set(userId, set);
    return () => {
      set.delete(onNew);
      if (set.size === 0) this.listeners.delete(userId);
    };
  }

  /** The user's notifications after `cursor` (ms since the epoch), oldest first. */
  async since(userId: string, cursor: number): Promise<StreamedNotification[]> {
    const rows = await this.db.getRepository(NotificationEntity).find({ where: { userId, createdAt: MoreThan(new Date(cursor)) }, order: { createdAt: 'ASC' }, take: 100 });
    return rows.map((n) => ({ id: n.id, event: n.event, title: n.title, taskId: n.taskId, createdAt: n.createdAt.toISOString() }));
  }

  private ensureSubscribed(): void {
    if (this.subscriber) return;
    // A subscribed connection can do nothing else: its own, with an offline queue so it resubscribes.
    this.subscriber = this.redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
    this.subscriber.on('error', () => undefined); // reported by /health
    void this.subscriber.subscribe(notificationsChannel(this.config.QUEUE_PREFIX)).catch(() => undefined);
    this.subscriber.on('message', (_channel, message) => {
      let userIds: unknown;
      try {
        userIds = (JSON.parse(message) as { userIds?: unknown }).userIds;
      } catch {
        return;
      }
      if (!Array.isArray(userIds)) return;
      for (const userId of userIds) for (const listener of this.listeners.get(String(userId)) ?? []) listener();
    });
  }

  onApplicationShutdown(): void {
    this.subscriber?.disconnect();
  }
}
