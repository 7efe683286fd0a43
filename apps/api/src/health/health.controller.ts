import { Controller, Get, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import type { Response } from 'express';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
  type HealthCheckResult,
} from '@nestjs/terminus';
import { Connection } from '@temporalio/client';
import type Redis from 'ioredis';
import { Public } from '../auth/auth.decorators';
import { REDIS } from '../infra/redis.module';
import { TEMPORAL_CONNECTION } from '../infra/temporal.module';
import { API_CONFIG, type ApiConfig } from '../config';
import { HealthResultDto, LivenessDto } from './health.responses';

const PROBE_TIMEOUT_MS = 2000;
/** temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW (the proto package is not an API dependency). */
const TASK_QUEUE_TYPE_WORKFLOW = 1;
/** A worker's long polls last up to a minute: one not seen for longer is gone. */
const WORKER_POLL_WINDOW_MS = 75_000;

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly db: TypeOrmHealthIndicator,
    @Inject(TEMPORAL_CONNECTION) private readonly temporal: Connection,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  @Get()
  @Public()
  // Documented below (terminus's own documentation has no required fields and 3.0 nullables).
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOperation({ summary: 'Temporal, PostgreSQL, Redis and a worker polling the task queue, each up or down; 200 only when all are up' })
  @ApiOkResponse({ type: HealthResultDto, description: 'every service up' })
  @ApiServiceUnavailableResponse({ type: HealthResultDto, description: 'a service down: it is named in `error`' })
  async check(@Res({ passthrough: true }) response: Response): Promise<HealthCheckResult> {
    try {
      return await this.runChecks();
    } catch (error) {
      // Terminus reports "down" as a 503 exception carrying the full result: answer with it as is.
      if (error instanceof ServiceUnavailableException) {
        response.status(503);
        return error.getResponse() as HealthCheckResult;
      }
      throw error;
    }
  }

  /**
   * Liveness, as Kubernetes probes it: the process answers. It depends on no service, so an
   * outage of Temporal or PostgreSQL does not get every replica restarted (that is /health's job
   * to report, as readiness).
   */
  @Get('live')
  @Public()
  @ApiOperation({ summary: 'Liveness: 200 while the process serves requests; checks no service' })
  @ApiOkResponse({ type: LivenessDto })
  live(): LivenessDto {
    return { status: 'ok' };
  }

  private runChecks() {
    return this.health.check([
      () => this.probe('temporal', () => this.temporalServing()),
      () => this.db.pingCheck('postgres', { timeout: PROBE_TIMEOUT_MS }),
      () => this.probe('redis', () => this.redis.ping()),
      () => this.probe('worker', () => this.workerPolling()),
    ]);
  }

  /** Whether a worker polls the task queue: without one, no decision is taken and no query answered. */
  private async workerPolling(): Promise<void> {
    const { pollers } = await this.temporal.withDeadline(Date.now() + PROBE_TIMEOUT_MS, () =>
      this.temporal.workflowService.describeTaskQueue({
        namespace: this.config.TEMPORAL_NAMESPACE,
        taskQueue: { name: this.config.TEMPORAL_TASK_QUEUE },
        taskQueueType: TASK_QUEUE_TYPE_WORKFLOW,
      }),
    );
    // A polling worker renews its long poll at least once a minute.
    const since = Date.now() - WORKER_POLL_WINDOW_MS;
    const live = (pollers ?? []).filter((p) => Number(p.lastAccessTime?.seconds ?? 0) * 1000 >= since);
    if (live.length === 0) throw new Error(`no worker has polled task queue ${this.config.TEMPORAL_TASK_QUEUE} in the last ${WORKER_POLL_WINDOW_MS / 1000} s`);
  }

  private async temporalServing(): Promise<void> {
    const { status } = await this.temporal.withDeadline(Date.now() + PROBE_TIMEOUT_MS, () =>
      this.temporal.healthService.check({}),
    );
    // 1 = SERVING in grpc.health.v1.
    if (status !== 1) throw new Error(`frontend reports status ${String(status)}`);
  }

  private async probe(key: string, call: () => Promise<unknown>) {
    const indicator = this.indicators.check(key);
    try {
      await withTimeout(call(), PROBE_TIMEOUT_MS);
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms))),
  ]).finally(() => clearTimeout(timer));
}
