// The OpenTelemetry SDK's part of startTracing (tracing.ts), loaded only when tracing is on.
import { hostname } from 'node:os';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

/** Installs the global tracer provider and the instrumentations; `untraced` says which incoming requests to leave out. */
export function installTracerProvider(serviceName: string, protocol: 'http/protobuf' | 'http/json', untraced: (url: string | undefined) => boolean) {
  const resource = new Resource({
    'service.name': serviceName,
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
  return { spanProcessor, resource, provider };
}
