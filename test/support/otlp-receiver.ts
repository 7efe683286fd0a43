import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
// The OTLP protobuf messages as the exporter's own package generates them (typed there as a bare root).
import generated from '@opentelemetry/otlp-transformer/build/src/generated/root';

interface KeyValue {
  key: string;
  value?: { stringValue?: string | null; intValue?: number | null; boolValue?: boolean | null } | null;
}
interface ExportTraceServiceRequest {
  resourceSpans?: {
    resource?: { attributes?: KeyValue[] } | null;
    scopeSpans?: { spans?: { traceId?: Uint8Array; spanId?: Uint8Array; parentSpanId?: Uint8Array; name?: string; attributes?: KeyValue[] }[] }[];
  }[];
}
const { ExportTraceServiceRequest } = (
  generated as unknown as { opentelemetry: { proto: { collector: { trace: { v1: { ExportTraceServiceRequest: { decode(bytes: Uint8Array): ExportTraceServiceRequest } } } } } } }
).opentelemetry.proto.collector.trace.v1;

export interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  /** Empty for a trace's root. */
  parentSpanId: string;
  name: string;
  attributes: Record<string, unknown>;
}

const hex = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('hex');

/** An OTLP/HTTP trace receiver (`POST /v1/traces`, protobuf, as the exporters send by default) keeping every span. */
export async function startOtlpReceiver() {
  const spans: ReceivedSpan[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces' || req.headers['content-type'] !== 'application/x-protobuf') {
        res.writeHead(400).end();
        return;
      }
      const request = ExportTraceServiceRequest.decode(Buffer.concat(chunks));
      for (const resourceSpans of request.resourceSpans ?? []) {
        const service = resourceSpans.resource?.attributes?.find((a) => a.key === 'service.name')?.value?.stringValue ?? '';
        for (const scope of resourceSpans.scopeSpans ?? []) {
          for (const span of scope.spans ?? []) {
            const attributes = Object.fromEntries((span.attributes ?? []).map((a) => [a.key, a.value?.stringValue ?? a.value?.intValue ?? a.value?.boolValue]));
            spans.push({ service, traceId: hex(span.traceId), spanId: hex(span.spanId), parentSpanId: hex(span.parentSpanId), name: span.name ?? '', attributes });
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    /** For OTEL_EXPORTER_OTLP_ENDPOINT (the exporter appends /v1/traces). */
    endpoint: `http://127.0.0.1:${port}`,
    spans,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
