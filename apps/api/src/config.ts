import { z } from 'zod';
import { DEFAULTS, databaseEnv, parseEnv, port, queueEnv, redisEnv, runtimeEnv, temporalEnv } from '@rollplan/config';
import { isTimeZone, webhookAllowedHostsSetting } from '@rollplan/domain';

/** Development-only signing secret; production refuses it (see below). */
export const DEV_JWT_SECRET = 'rollplan-development-secret-not-for-production';

const apiEnv = z
  .object({
    ...temporalEnv,
    ...databaseEnv,
    ...redisEnv,
    ...queueEnv,
    ...runtimeEnv,
    API_PORT: port(DEFAULTS.apiPort),
    /** Largest request body accepted (body-parser syntax). */
    API_BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/i, 'must look like 100kb').default('256kb'),
    /** HMAC secret signing access tokens (HS256). Secret: never logged. */
    JWT_SECRET: z.string().default(DEV_JWT_SECRET),
    ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(86_400).default(900),
    REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
    /** How long a request waits for Temporal (start, update, query) before answering 503. */
    TEMPORAL_CALL_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
    /** New cycles and requests answer 503 while the oldest waiting workflow task is older than this (0: never). */
    START_BACKLOG_LIMIT_MS: z.coerce.number().int().min(0).max(600_000).default(2000),
    /** Failed logins per account per minute before 429. */
    LOGIN_MAX_FAILURES_PER_MINUTE: z.coerce.number().int().min(1).max(100).default(5),
    /** Failed logins per client address per minute (whatever the accounts) before 429. */
    LOGIN_MAX_FAILURES_PER_ADDRESS_PER_MINUTE: z.coerce.number().int().min(1).max(1000).default(20),
    /** Express's `trust proxy`: set it (e.g. `1`, or `loopback`) behind a reverse proxy so the client address is the proxy's X-Forwarded-For. */
    TRUST_PROXY: z.string().optional(),
    /**
     * Non-public webhook targets allowed (comma-separated host, host:port, IP, [IPv6]:port, CIDR; `none`).
     * Unset: localhost in development and test, nothing in production. See webhookAllowList().
     */
    WEBHOOK_ALLOWED_HOSTS: webhookAllowedHostsSetting,
    /** The organization's time zone (IANA): due dates, working days and month boundaries of new cycles. */
    ORG_TIME_ZONE: z.string().refine(isTimeZone, 'must be an IANA time zone such as Asia/Shanghai').default('Asia/Shanghai'),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && (env.JWT_SECRET === DEV_JWT_SECRET || env.JWT_SECRET.length < 32)) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'production needs a secret of at least 32 characters of your own' });
    }
  });
export type ApiConfig = z.infer<typeof apiEnv>;

/** Parses the API's environment once; throws a ConfigError naming every bad variable. */
export function loadApiConfig(env: Record<string, string | undefined> = process.env): ApiConfig {
  return parseEnv(apiEnv, env);
}

/** Injection token of the parsed config. */
export const API_CONFIG = Symbol('API_CONFIG');
