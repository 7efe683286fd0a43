import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { DomainError, ErrorCode } from '@rollplan/domain';
import { API_CONFIG, type ApiConfig } from '../config';
import { REDIS } from '../infra/redis.module';

/** Failed logins from one address logged one by one; past this, one record when the throttle trips. */
export const AUDITED_FAILURES_PER_ADDRESS = 3;

/**
 * Counts failed logins per account and per client address in Redis, so the limits hold across
 * API replicas: one account cannot be guessed at, and one address cannot try account after
 * account. While Redis is unreachable an in-process limiter stands in (each replica then
 * counts alone).
 */
@Injectable()
export class LoginThrottle {
  private readonly accounts: RateLimiterRedis;
  private readonly addresses: RateLimiterRedis;
  readonly addressLimit: number;

  constructor(@Inject(REDIS) redis: Redis, @Inject(API_CONFIG) config: ApiConfig) {
    const limiter = (keyPrefix: string, points: number) =>
      new RateLimiterRedis({ storeClient: redis, keyPrefix, points, duration: 60, insuranceLimiter: new RateLimiterMemory({ points, duration: 60 }) });
    this.accounts = limiter('rollplan:login-failures', config.LOGIN_MAX_FAILURES_PER_MINUTE);
    this.addressLimit = config.LOGIN_MAX_FAILURES_PER_ADDRESS_PER_MINUTE;
    this.addresses = limiter('rollplan:login-failures-by-address', this.addressLimit);
  }

  /** Refuses with 429 when the account, or the address the attempt comes from, has used up its failures for this minute. */
  async assertAllowed(email: string, address: string): Promise<void> {
    for (const [limiter, key] of [[this.addresses, address], [this.accounts, email]] as const) {
      const state = await limiter.get(key);
      if (state && state.remainingPoints <= 0) throw tooMany(state);
    }
  }

  /** Counts a failure; returns how many the address has had this minute. */
  async recordFailure(email: string, address: string): Promise<number> {
    await this.accounts.penalty(email, 1).catch(() => undefined);
    const state = await this.addresses.penalty(address, 1).catch(() => undefined);
    return state?.consumedPoints ?? 1;
  }

  async reset(email: string): Promise<void> {
    await this.accounts.delete(email).catch(() => undefined);
  }
}

function tooMany(state: RateLimiterRes): DomainError {
  const seconds = Math.max(1, Math.ceil(state.msBeforeNext / 1000));
  return new DomainError(ErrorCode.RateLimited, `too many failed logins; try again in ${seconds}s`, [
    { path: 'retryAfterSeconds', message: String(seconds) },
  ]);
}
