// Workflow interceptors module (bundled with every workflow, see WORKFLOW_INTERCEPTOR_MODULES in
// apps/worker/src/worker.ts): OpenTelemetry's, behind a patch.
import { patched, type WorkflowInterceptorsFactory, type WorkflowInboundCallsInterceptor, type WorkflowOutboundCallsInterceptor } from '@temporalio/workflow';
import {
  OpenTelemetryInboundInterceptor,
  OpenTelemetryInternalsInterceptor,
  OpenTelemetryOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/workflow';
import { Patch } from './names';

type Method = (input: unknown, next: (input: unknown) => unknown) => unknown;

/** `otel`'s methods, each passing straight through while `traced()` is false. */
function whenTraced<T extends object>(otel: T, traced: () => boolean): T {
  const gated: Record<string, Method> = {};
  for (const name of Object.getOwnPropertyNames(Object.getPrototypeOf(otel))) {
    if (name === 'constructor') continue;
    const method = (otel as Record<string, Method>)[name].bind(otel);
    gated[name] = (input, next) => (traced() ? method(input, next) : next(input));
  }
  return gated as T;
}

/**
 * OpenTelemetry's interceptors continue the caller's trace (API request, import job) into the
 * workflow, its update handlers and its activities. Their awaits reorder the commands of a
 * workflow task, so an execution that started without them must replay without them: each run
 * decides once, as it starts, with `patched()` — its marker in new runs, absent from runs started
 * before v0.13 or by a worker without this module. The baseline never decides it (names.ts).
 */
export const interceptors: WorkflowInterceptorsFactory = () => {
  let traced = false;
  const otelInbound = new OpenTelemetryInboundInterceptor();
  return {
    inbound: [
      {
        ...whenTraced<WorkflowInboundCallsInterceptor>(otelInbound, () => traced),
        execute(input, next) {
          traced = patched(Patch.Tracing);
          return traced ? otelInbound.execute(input, next) : next(input);
        },
      },
    ],
    outbound: [whenTraced<WorkflowOutboundCallsInterceptor>(new OpenTelemetryOutboundInterceptor(), () => traced)],
    internals: [new OpenTelemetryInternalsInterceptor()],
  };
};
