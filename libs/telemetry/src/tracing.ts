import { context, propagation, trace } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Telemetry } from 'bullmq';
import { BullMQOtel } from 'bullmq-otel';

/** What the worker hands to Temporal's workflow span exporter; the rest is global. */
export interface Tracing {
  spanProcessor: SpanProcessor;
  resource: Resource;
  /** Flushes the spans not yet exported. */
  shutdown(): Promise<void>;
}

type Env = Record<string, string | undefined>;

/** BullMQ's telemetry, made once startTracing has installed the provider. */
let bullmqTelemetry: Telemetry | undefined;

/** Probes and scrapes: every few seconds, they would be most of the traces (and of the API's log). */
export const PROBE_PATHS: readonly string[] = ['/health', '/health/live', '/metrics'];
/** The web app's static files and the API's documentation page: files, not operations. */
const UNTRACED_PREFIXES = ['/app', '/docs'];

function untraced(url: string | undefined): boolean {
  const path = (url ?? '').split('?')[0];
  return PROBE_PATHS.includes(path) || UNTRACED_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

/**
 * Tracing is on when an OTLP endpoint is configured (the standard OpenTelemetry variables:
 * OTEL_EXPORTER_OTLP_ENDPOINT, or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) and OTEL_SDK_DISABLED is
 * not `true`. Off, nothing is exported and the instrumentation is not loaded at all.
 */
export function tracingEnabled(env: Env = process.env): boolean {
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  return Boolean(endpoint) && env.OTEL_SDK_DISABLED?.toLowerCase() !== 'true';
}

/**
 * Starts tracing for one process when it is enabled (see tracingEnabled): a tracer provider with
 * the async-local-storage context manager and W3C trace-context propagation, spans batched to
 * OTLP over HTTP (protobuf, or JSON with OTEL_EXPORTER_OTLP_PROTOCOL=http/json), and the
 * instrumentation of incoming and outgoing HTTP and, inside a traced operation, PostgreSQL and
 * Redis calls. Call it before anything loads `http`, `pg` or `ioredis`: first thing in main.
 */
export function startTracing(serviceName: string, env: Env = process.env): Tracing | undefined {
  if (!tracingEnabled(env)) return undefined;
  const protocol = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL || 'http/protobuf';
  if (protocol !== 'http/protobuf' && protocol !== 'http/json') {
    throw new Error(`OTEL_EXPORTER_OTLP_PROTOCOL=${protocol} is not supported: use http/protobuf (default) or http/json`);
  }
  // Loaded only now: the SDK, exporters and instrumentations cost every process ~100 ms and
  // 10 MB at start, which an untraced one need not pay.
  const { installTracerProvider } = require('./sdk') as typeof import('./sdk');
  const { spanProcessor, resource, provider } = installTracerProvider(env.OTEL_SERVICE_NAME || serviceName, protocol, untraced);
  bullmqTelemetry = new BullMQOtel('rollplan');
  return { spanProcessor, resource, shutdown: () => provider.shutdown() };
}

/**
 * BullMQ's `telemetry` option while tracing is on (else undefined): adding a job records the
 * active trace in it, and processing the job continues that trace.
 */
export function queueTelemetry(): Telemetry | undefined {
  return bullmqTelemetry;
}

/**
 * The active trace for a log line (a pino `mixin`): `trace_id` and `span_id` while a traced
 * operation runs, nothing otherwise, so a log line can be found from its trace and back.
 */
export function traceLogFields(): { trace_id?: string; span_id?: string } {
  const span = trace.getActiveSpan()?.spanContext();
  if (!span || !trace.isSpanContextValid(span)) return {};
  return { trace_id: span.traceId, span_id: span.spanId };
}

/**
 * The active trace as W3C trace-context headers (`traceparent`, `tracestate`), to store with work
 * that is picked up later (an outbox row); null outside a traced operation.
 */
export function traceCarrier(): Record<string, string> | null {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return Object.keys(carrier).length > 0 ? carrier : null;
}
