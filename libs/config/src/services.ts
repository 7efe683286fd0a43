import { z } from 'zod';
import { hostPort, logLevel, url } from './env';

/**
 * Defaults for the local stack that `npm start` runs; docker-compose and production
 * set the same variables. Every app picks the groups it needs.
 */
export const DEFAULTS = {
  temporalAddress: 'localhost:7233',
  temporalNamespace: 'default',
  temporalTaskQueue: 'rollplan',
  databaseUrl: 'postgres://rollplan:rollplan@localhost:5432/rollplan',
  redisUrl: 'redis://localhost:6379',
  apiPort: 3000,
  temporalUiPort: 8233,
} as const;

export const temporalEnv = {
  TEMPORAL_ADDRESS: hostPort(DEFAULTS.temporalAddress),
  TEMPORAL_NAMESPACE: z.string().min(1).default(DEFAULTS.temporalNamespace),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default(DEFAULTS.temporalTaskQueue),
};

export const databaseEnv = {
  DATABASE_URL: url(['postgres:', 'postgresql:'], DEFAULTS.databaseUrl),
};

export const redisEnv = {
  REDIS_URL: url(['redis:', 'rediss:'], DEFAULTS.redisUrl),
};

/** BullMQ key prefix: deployments (or test systems) sharing one Redis keep their queues apart. */
export const queueEnv = {
  QUEUE_PREFIX: z.string().regex(/^[a-z0-9-]{1,40}$/, 'must be lowercase letters, digits and dashes').default('rollplan'),
};

export const runtimeEnv = {
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: logLevel,
};
