import { Controller, Get, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import type { Response } from 'express';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
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

const PROBE_TIMEOUT_MS = 2000;

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly db: TypeOrmHealthIndicator,
    @Inject(TEMPORAL_CONNECTION) private readonly temporal: Connection,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  @Get()
  @Public()
  @HealthCheck()
  @ApiOperation({ summary: 'Temporal, PostgreSQL and Redis each up or down; 200 only when all are up' })
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

  private runChecks() {
    return this.health.check([
      () => this.probe('temporal', () => this.temporalServing()),
      () => this.db.pingCheck('postgres', { timeout: PROBE_TIMEOUT_MS }),
      () => this.probe('redis', () => this.redis.ping()),
    ]);
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
