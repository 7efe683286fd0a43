import { z } from 'zod';
import { DEFAULTS, databaseEnv, parseEnv, port, redisEnv, runtimeEnv, temporalEnv } from '@rollplan/config';

const apiEnv = z.object({
  ...temporalEnv,
  ...databaseEnv,
  ...redisEnv,
  ...runtimeEnv,
  API_PORT: port(DEFAULTS.apiPort),
  /** Largest request body accepted (body-parser syntax). */
  API_BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/i, 'must look like 100kb').default('256kb'),
});
export type ApiConfig = z.infer<typeof apiEnv>;

/** Parses the API's environment once; throws a ConfigError naming every bad variable. */
export function loadApiConfig(env: Record<string, string | undefined> = process.env): ApiConfig {
  return parseEnv(apiEnv, env);
}

/** Injection token of the parsed config. */
export const API_CONFIG = Symbol('API_CONFIG');
