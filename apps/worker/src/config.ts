import { z } from 'zod';
import { databaseEnv, parseEnv, redisEnv, runtimeEnv, temporalEnv } from '@rollplan/config';

const workerEnv = z.object({
  ...temporalEnv,
  ...databaseEnv,
  ...redisEnv,
  ...runtimeEnv,
  /** Path of a prebuilt workflow bundle (production image); unset: bundle from source at start. */
  WORKFLOW_BUNDLE_PATH: z.string().optional(),
});
export type WorkerConfig = z.infer<typeof workerEnv>;

/** Parses the worker's environment once; throws a ConfigError naming every bad variable. */
export function loadWorkerConfig(env: Record<string, string | undefined> = process.env): WorkerConfig {
  return parseEnv(workerEnv, env);
}
