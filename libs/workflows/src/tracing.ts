// Workflow interceptors module, bundled with every workflow (WORKFLOW_INTERCEPTOR_MODULES in
// apps/worker/src/worker.ts): carries the caller's trace through the workflow to its activities.
import { defaultPayloadConverter, type Headers } from '@temporalio/common';
import { AsyncLocalStorage, proxySinks, workflowInfo, type Sinks, type WorkflowInterceptorsFactory } from '@temporalio/workflow';

/**
 * Why not OpenTelemetry's own workflow interceptors: they put the OpenTelemetry SDK in the bundle,
 * which the SDK evaluates once per cached execution (worker RSS with 415 open cycles 573 → 2,049 MiB,
 * worker CPU per lifecycle 42.9 → 59.6 ms, docs/observability.md), and their awaits reorder a workflow
 * task's commands, so every running execution would need a patch. This module speaks their
 * formats instead — the `_tracer-data` header (a W3C trace-context carrier) the Temporal client
 * and activity interceptors read and write, and the span the worker's `makeWorkflowExporter` sink
 * exports — without adding an await: it only reads headers, adds headers and records spans.
 */
const TRACE_HEADER = '_tracer-data';

interface TraceContext {
  traceId: string;
  spanId: string;
  flags: string;
}

/**
 * How long an execution's own flow stays in the trace that started it: what the request set going
 * (a cycle's first activities and tasks), not the months a timer opens a year later.
 */
const START_TRACE_MS = 60_000;

/** A span as makeWorkflowExporter (@temporalio/interceptors-opentelemetry) takes it from the sandbox. */
interface SerializedSpan {
  name: string;
  kind: number;
  spanContext: { traceId: string; spanId: string; traceFlags: number };
  parentSpanId: string;
  startTime: [number, number];
  endTime: [number, number];
  duration: [number, number];
  status: { code: number; message?: string };
  attributes: Record<string, string>;
  links: [];
  events: [];
  ended: true;
  droppedAttributesCount: 0;
  droppedEventsCount: 0;
  droppedLinksCount: 0;
  instrumentationLibrary: { name: string };
}

interface TracingSinks extends Sinks {
  exporter: { export(spans: SerializedSpan[]): void };
}

const SPAN_KIND_SERVER = 1;
const STATUS = { ok: 1, error: 2 } as const;

function fromHeaders(headers: Headers): TraceContext | undefined {
  const payload = headers[TRACE_HEADER];
  if (!payload) return undefined;
  const carrier = defaultPayloadConverter.fromPayload<{ traceparent?: string }>(payload);
  const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(carrier?.traceparent ?? '');
  return match ? { traceId: match[1], spanId: match[2], flags: match[3] } : undefined;
}

function withContext(headers: Headers, context: TraceContext | undefined): Headers {
  if (!context) return headers;
  return { ...headers, [TRACE_HEADER]: defaultPayloadConverter.toPayload({ traceparent: `00-${context.traceId}-${context.spanId}-${context.flags}` }) };
}

/** Workflow time as OpenTelemetry's [seconds, nanoseconds]. */
function hrTime(ms: number): [number, number] {
  return [Math.floor(ms / 1000), (ms % 1000) * 1e6];
}

/**
 * 16 hex digits hashed from `key` (FNV-1a, two seeds): unique per run and message, and leaves the
 * workflow's seeded random alone (uuid4() ids must not depend on whether a caller traced).
 */
function spanIdFor(key: string): string {
  const hash = (seed: number) => {
    let h = seed;
    for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
    return (h >>> 0).toString(16).padStart(8, '0');
  };
  return hash(0x811c9dc5) + hash(0x2f5b7a61);
}

export const interceptors: WorkflowInterceptorsFactory = () => {
  // The trace of the message being handled, for the code its handler runs.
  const handling = new AsyncLocalStorage<TraceContext>();
  // The trace that started the execution and the workflow time until which its own flow follows it.
  // A plain variable, not an AsyncLocalStorage around the whole run: measured, that took the
  // worker's RSS from 0.65 to 1.7 GB with 415 cycles open (npm run bench -- --quick, traced).
  let started: { context: TraceContext; untilMs: number } | undefined;
  const { exporter } = proxySinks<TracingSinks>();
  /** The trace an activity or child scheduled now belongs to: its handler's, else the start's for a while. */
  const active = (): TraceContext | undefined => handling.getStore() ?? (started && Date.now() <= started.untilMs ? started.context : undefined);

  let handled = 0;
  /** Runs a message handler as a span of the sender's trace (none when the sender sent no trace). */
  function handle<T>(name: string, headers: Headers, attributes: Record<string, string>, next: () => Promise<T>): Promise<T> {
    const parent = fromHeaders(headers);
    if (!parent) return next();
    handled += 1;
    const span: TraceContext = { ...parent, spanId: spanIdFor(`${workflowInfo().runId}/${handled}/${parent.spanId}`) };
    const startedAt = Date.now();
    const result = handling.run(span, next);
    // Observed, not awaited: the handler's own promise goes back unchanged, so no command moves.
    const end = (error?: unknown) => {
      const ended = Date.now();
      exporter.export([
        {
          name,
          kind: SPAN_KIND_SERVER,
          spanContext: { traceId: span.traceId, spanId: span.spanId, traceFlags: parseInt(span.flags, 16) },
          parentSpanId: parent.spanId,
          startTime: hrTime(startedAt),
          endTime: hrTime(ended),
          duration: hrTime(ended - startedAt),
          status: error === undefined ? { code: STATUS.ok } : { code: STATUS.error, message: error instanceof Error ? error.message : String(error) },
          attributes,
          links: [],
          events: [],
          ended: true,
          droppedAttributesCount: 0,
          droppedEventsCount: 0,
          droppedLinksCount: 0,
          instrumentationLibrary: { name: '@rollplan/workflows' },
        },
      ]);
    };
    result.then(() => end(), end);
    return result;
  }

  return {
    inbound: [
      {
        // The execution's own flow continues the trace that started it for a while (no span of its
        // own: it would last as long as the run).
        execute: (input, next) => {
          const context = fromHeaders(input.headers);
          if (context) started = { context, untilMs: Date.now() + START_TRACE_MS };
          return next(input);
        },
        handleUpdate: (input, next) => handle(`HandleUpdate:${input.name}`, input.headers, { temporalUpdateId: input.updateId }, () => next(input)),
        handleSignal: (input, next) => handle(`HandleSignal:${input.signalName}`, input.headers, {}, () => next(input)),
      },
    ],
    outbound: [
      {
        scheduleActivity: (input, next) => next({ ...input, headers: withContext(input.headers, active()) }),
        scheduleLocalActivity: (input, next) => next({ ...input, headers: withContext(input.headers, active()) }),
        startChildWorkflowExecution: (input, next) => next({ ...input, headers: withContext(input.headers, active()) }),
        // Not continueAsNew: each run of a long cycle starts a trace of its own.
      },
    ],
  };
};
