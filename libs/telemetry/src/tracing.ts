import { hostname } from 'node:os';
import { context, propagation, trace } from '@opentelemetry/api';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
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

/** Set once startTracing has installed the provider. */
let started = false;

/** Probes and scrapes every few seconds would be most of the traces. */
const UNTRACED_PATHS = new Set(['/health', '/health/live', '/metrics']);
/** The web app's static files and the API's documentation page: files, not operations. */
const UNTRACED_PREFIXES = ['/app', '/docs'];

function untraced(url: string | undefined): boolean {
  const path = (url ?? '').split('?')[0];
  return UNTRACED_PATHS.has(path) || UNTRACED_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
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
  const resource = new Resource({
    'service.name': env.OTEL_SERVICE_NAME || serviceName,
    'service.namespace': 'rollplan',
    'service.instance.id': `${hostname()}:${process.pid}`,
  });
  // Both exporters read the endpoint, headers and timeout from the OTEL_EXPORTER_OTLP_* variables.
  const exporter = protocol === 'http/json' ? new OtlpJsonExporter() : new OtlpProtobufExporter();
  const spanProcessor = new BatchSpanProcessor(exporter);
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => untraced(request.url),
        // An outgoing call outside any traced operation (a stray fetch at start-up) is no trace.
        requireParentforOutgoingSpans: true,
      }),
      new PgInstrumentation({ requireParentSpan: true }),
      new IORedisInstrumentation({ requireParentSpan: true }),
    ],
  });
  started = true;
  return { spanProcessor, resource, shutdown: () => provider.shutdown() };
}

/**
 * BullMQ's `telemetry` option while tracing is on (else undefined): adding a job records the
 * active trace in it, and processing the job continues that trace.
 */
export function queueTelemetry(): Telemetry | undefined {
  return started ? new BullMQOtel('rollplan') : undefined;
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
