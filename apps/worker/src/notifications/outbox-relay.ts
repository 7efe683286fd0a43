import type { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import { OutboxEntity } from '@rollplan/db';
import type { NotificationJobData } from './jobs';

/**
 * Moves outbox rows to the notifications queue. A row is marked dispatched only in the
 * transaction that enqueued it, so while Redis is down rows wait and go out once it is back;
 * the job id is the outbox id, so a row enqueued twice (a crash between the two) is one job.
 * Several workers may relay at once: SKIP LOCKED gives each its own rows.
 */
export class OutboxRelay {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly queue: Queue<NotificationJobData>,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.running = this.relayOnce()
        .then(() => undefined, this.onError)
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.intervalMs);
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Relays one batch; returns how many rows went out. */
  async relayOnce(batch = 100): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const rows: OutboxEntity[] = await manager
        .getRepository(OutboxEntity)
        .createQueryBuilder('o')
        .where('o.dispatchedAt IS NULL')
        .orderBy('o.createdAt', 'ASC')
        .take(batch)
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getMany();
      if (rows.length === 0) return 0;
      await this.queue.addBulk(
        rows.map((row) => ({
          name: row.event,
          data: { outboxId: row.id, event: row.event, payload: row.payload },
          // With tracing on, the job continues the trace the event was written in (BullMQ's own format).
          opts: { jobId: row.id, ...(row.traceContext ? { telemetry: { metadata: JSON.stringify(row.traceContext) } } : {}) },
        })),
      );
      await manager.getRepository(OutboxEntity).update(rows.map((r) => r.id), { dispatchedAt: new Date() });
      return rows.length;
    });
  }
}
