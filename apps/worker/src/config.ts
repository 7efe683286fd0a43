import { z } from 'zod';
import { databaseEnv, parseEnv, queueEnv, redisEnv, runtimeEnv, temporalEnv } from '@rollplan/config';
import { webhookAllowedHostsSetting } from '@rollplan/domain';

const workerEnv = z.object({
  ...temporalEnv,
  ...databaseEnv,
  ...redisEnv,
  ...queueEnv,
  ...runtimeEnv,
  /** Path of a prebuilt workflow bundle (production image); unset: bundle from source at start. */
  WORKFLOW_BUNDLE_PATH: z.string().optional(),
  /** Executions kept cached; unset: as many as fit the heap (cachedExecutionsFor, about 2,000 at 4 GiB). */
  WORKER_CACHED_EXECUTIONS: z.coerce.number().int().min(2).max(100_000).optional(),
  /** Port of the worker's Prometheus endpoint (GET /metrics); unset: none. */
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  /** Address it listens on: loopback by default; `0.0.0.0` in a container Prometheus scrapes. */
  WORKER_METRICS_HOST: z.string().default('127.0.0.1'),
  /** Outgoing mail server, `smtp://user:pass@host:port`; unset: no e-mail notifications. Secret. */
  SMTP_URL: z.string().regex(/^smtps?:\/\/\S+$/, 'must be an smtp:// or smtps:// URL').optional(),
  MAIL_FROM: z.string().default('rollplan <rollplan@localhost>'),
  OUTBOX_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  DELIVERY_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(6),
  DELIVERY_BACKOFF_MS: z.coerce.number().int().min(10).max(600_000).default(2000),
  /**
   * Non-public webhook targets allowed (comma-separated host, host:port, IP, [IPv6]:port, CIDR; `none`).
   * Unset: localhost in development and test, nothing in production. See webhookAllowList().
   */
  WEBHOOK_ALLOWED_HOSTS: webhookAllowedHostsSetting,
});
export type WorkerConfig = z.infer<typeof workerEnv>;

/** Parses the worker's environment once; throws a ConfigError naming every bad variable. */
export function loadWorkerConfig(env: Record<string, string | undefined> = process.env): WorkerConfig {
  return parseEnv(workerEnv, env);
}
