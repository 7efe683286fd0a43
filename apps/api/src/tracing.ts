import { startTracing } from '@rollplan/telemetry';

/**
 * The API's tracing, started when main.ts loads this module (its first import), before anything
 * loads `http`, `pg` or `ioredis`. Undefined unless an OTLP endpoint is configured.
 */
export const tracing = startTracing('rollplan-api');
