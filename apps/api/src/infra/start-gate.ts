import { Inject, Injectable } from '@nestjs/common';
import { Client } from '@temporalio/client';
import { DomainError, ErrorCode } from '@rollplan/domain';
import { API_CONFIG, type ApiConfig } from '../config';

/** temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW. */
const TASK_QUEUE_TYPE_WORKFLOW = 1;
/** One look at the backlog serves every start for this long. */
const LOOK_EVERY_MS = 500;

/**
 * Back-pressure on new work. Every new cycle or request is a workflow task on the task queue,
 * beside the decisions of the executions already running; when the workers fall behind (a flood
 * of starts), the oldest waiting task's age grows and decisions wait behind the starts. While
 * that age is above `START_BACKLOG_LIMIT_MS`, new cycles and requests are refused with 503 and
 * Retry-After; decisions, reads and everything else go on.
 */
@Injectable()
export class StartGate {
  private look: { at: number; backlogAgeMs: Promise<number> } | undefined;

  constructor(
    private readonly temporal: Client,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  /** Throws a 503 while the workers are behind; otherwise returns at once. */
  async admit(): Promise<void> {
    const limit = this.config.START_BACKLOG_LIMIT_MS;
    if (limit === 0) return;
    const backlogAgeMs = await this.backlogAgeMs();
    if (backlogAgeMs > limit) {
      throw new DomainError(
        ErrorCode.ServiceUnavailable,
        `the workflow workers are behind (the oldest waiting task has waited ${(backlogAgeMs / 1000).toFixed(1)} s): new cycles and requests are paused; decisions go on`,
      );
    }
  }

  private backlogAgeMs(): Promise<number> {
    if (!this.look || Date.now() - this.look.at > LOOK_EVERY_MS) {
      this.look = { at: Date.now(), backlogAgeMs: this.describe() };
    }
    return this.look.backlogAgeMs;
  }

  private async describe(): Promise<number> {
    try {
      const { stats } = await this.temporal.workflowService.describeTaskQueue({
        namespace: this.config.TEMPORAL_NAMESPACE,
        taskQueue: { name: this.config.TEMPORAL_TASK_QUEUE },
        taskQueueType: TASK_QUEUE_TYPE_WORKFLOW,
        reportStats: true,
      });
      const age = stats?.approximateBacklogAge;
      return age ? Number(age.seconds ?? 0) * 1000 + Math.floor((age.nanos ?? 0) / 1e6) : 0;
    } catch {
      // Temporal not answering: the start itself will say so (503 naming temporal).
      return 0;
    }
  }
}
