import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { DomainError, ErrorCode } from '@rollplan/domain';
import { API_CONFIG, type ApiConfig } from '../config';
import { REDIS } from '../infra/redis.module';

/**
 * Counts failed logins per account in Redis, so the limit holds across API replicas. While
 * Redis is unreachable an in-process limiter stands in (each replica then counts alone).
 */
@Injectable()
export class LoginThrottle {
  private readonly failures: RateLimiterRedis;

  constructor(@Inject(REDIS) redis: Redis, @Inject(API_CONFIG) config: ApiConfig) {
    const points = config.LOGIN_MAX_FAILURES_PER_MINUTE;
    this.failures = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: 'rollplan:login-failures',
      points,
      duration: 60,
      insuranceLimiter: new RateLimiterMemory({ points, duration: 60 }),
    });
  }

  /** Refuses with 429 when the account has used up its failures for this minute. */
  async assertAllowed(email: string): Promise<void> {
    const state = await this.failures.get(email);
    if (state && state.remainingPoints <= 0) throw tooMany(state);
  }

  async recordFailure(email: string): Promise<void> {
    await this.failures.penalty(email, 1).catch(() => undefined);
  }

  async reset(email: string): Promise<void> {
    await this.failures.delete(email).catch(() => undefined);
  }
}

function tooMany(state: RateLimiterRes): DomainError {
  const seconds = Math.max(1, Math.ceil(state.msBeforeNext / 1000));
  return new DomainError(ErrorCode.RateLimited, `too many failed logins; try again in ${seconds}s`, [
    { path: 'retryAfterSeconds', message: String(seconds) },
  ]);
}
