import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { redisOptions } from '@rollplan/config';
import { API_CONFIG, type ApiConfig } from '../config';

export const REDIS = Symbol('REDIS');

/** One shared ioredis connection (BullMQ queues open their own). */
@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [API_CONFIG],
      // No offline queue: while Redis is down, commands fail fast instead of piling up.
      useFactory: (config: ApiConfig) => new Redis({ ...redisOptions(config.REDIS_URL, 'failFast'), lazyConnect: false }),
    },
  ],
  exports: [REDIS],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}
