import type { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import { ActualImportEntity } from '@rollplan/db';
import { importJob } from '@rollplan/workflows';

export interface ImportJobData {
  importId: string;
}

/**
 * The imports table is the imports' outbox: a stored file waits as `queued` until its job has
 * run. The API queues the job at once when Redis answers; when it does not (or the job ran out
 * of tries while a service was down), this sweeper queues it again, so a file accepted with 202
 * is imported once Redis and Temporal are back, and exactly once (the job id is the import's).
 */
export class ImportSweeper {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly queue: Queue<ImportJobData>,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.running = this.sweepOnce()
        .then(() => undefined, this.onError)
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.intervalMs);
        });
    };
    this.timer = setTimeout(tick, this.intervalMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Queues every import still waiting for longer than one interval; returns how many it queued or retried. */
  async sweepOnce(): Promise<number> {
    const waiting = await this.dataSource
      .getRepository(ActualImportEntity)
      .createQueryBuilder('i')
      .select(['i.id'])
      .where(`i.status = 'queued' AND i.createdAt < :before`, { before: new Date(Date.now() - this.intervalMs) })
      .orderBy('i.createdAt', 'ASC')
      .take(100)
      .getMany();
    let moved = 0;
    for (const { id } of waiting) {
      const { name, data, opts } = importJob(id);
      const job = await this.queue.getJob(opts.jobId);
      if (!job) {
        await this.queue.add(name, data, opts);
        moved += 1;
      } else if (await job.isFailed()) {
        await job.retry();
        moved += 1;
      }
    }
    return moved;
  }
}
