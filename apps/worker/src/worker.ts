import { NoopSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Resource } from '@opentelemetry/resources';
import { NativeConnection, Worker, bundleWorkflowCode, type BundleOptions, type WorkerOptions } from '@temporalio/worker';
import {
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  makeWorkflowExporter,
} from '@temporalio/interceptors-opentelemetry';
import type { Tracing } from '@rollplan/telemetry';
import type { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import { createActivities, type ReportJobData } from './activities';
import { cachedExecutionsFor, heapLimitMiB } from './cache-size';

/** Source file the bundler starts from: every workflow, nothing else. */
export const WORKFLOWS_PATH = require.resolve('@rollplan/workflows/dist/workflows');

/**
 * Workflow interceptors every bundle carries (libs/workflows/src/tracing.ts): they continue a
 * caller's trace through the workflow to its activities, in the format of OpenTelemetry's Temporal
 * interceptors. In the bundle whether tracing is on or not; they never change a workflow's commands.
 */
export const WORKFLOW_INTERCEPTOR_MODULES = [require.resolve('@rollplan/workflows/dist/tracing')];

/**
 * The sinks the workflow bundle calls: `exporter` takes the spans of the messages a workflow
 * handles (libs/workflows/src/tracing.ts) to `tracing`'s processor, or nowhere. Not called during
 * replay, but a replaying worker must still register it.
 */
export function workflowSinks(tracing?: Tracing) {
  return { exporter: makeWorkflowExporter(tracing?.spanProcessor ?? new NoopSpanProcessor(), tracing?.resource ?? Resource.empty()) };
}

/** The workflow bundle as the worker runs it: the production image and the tests prebuild it with this. */
export function bundlePlanningWorkflows(options: Omit<BundleOptions, 'workflowsPath' | 'workflowInterceptorModules'> = {}) {
  return bundleWorkflowCode({ ...options, workflowsPath: WORKFLOWS_PATH, workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES });
}

export interface PlanningWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  dataSource: DataSource;
  reportQueue: Queue<ReportJobData>;
  /** A prebuilt bundle (production, tests); without it the worker bundles from WORKFLOWS_PATH. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Identity shown in Temporal's UI and histories. */
  identity?: string;
  /** Executions kept in the worker's cache; default: what fits its heap (cachedExecutionsFor). */
  maxCachedWorkflows?: number;
  /** Activity interceptors (tests hold an activity open with one to send racing messages). */
  activityInterceptors?: NonNullable<WorkerOptions['interceptors']>['activity'];
  /** Where workflow spans go (startTracing); unset: nowhere. */
  tracing?: Tracing;
}

/** The worker for every rollplan workflow and activity, as main.ts and the tests build it. */
export async function createPlanningWorker(options: PlanningWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.identity ? { identity: options.identity } : {}),
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities({ dataSource: options.dataSource, reportQueue: options.reportQueue }),
    interceptors: {
      // A prebuilt bundle has them already (bundlePlanningWorkflows).
      ...(options.workflowBundle ? {} : { workflowModules: WORKFLOW_INTERCEPTOR_MODULES }),
      activity: [
        (ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) }),
        ...(options.activityInterceptors ?? []),
      ],
    },
    sinks: workflowSinks(options.tracing),
    // A worker that died leaves its cached executions' next tasks on its sticky queue; after this
    // long the server hands them to any worker, so a restarted one takes over in about a second
    // (the default, 10 s, stalled decisions that long after a crash).
    stickyQueueScheduleToStartTimeout: '1s',
    maxCachedWorkflows: options.maxCachedWorkflows ?? cachedExecutionsFor(heapLimitMiB()),
  });
}
