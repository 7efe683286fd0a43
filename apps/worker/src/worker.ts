import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import { createActivities, type ReportJobData } from './activities';
import { cachedExecutionsFor, heapLimitMiB } from './cache-size';

/** Source file the bundler starts from: every workflow, nothing else. */
export const WORKFLOWS_PATH = require.resolve('@rollplan/workflows/dist/workflows');

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
    ...(options.activityInterceptors ? { interceptors: { activity: options.activityInterceptors } } : {}),
    // A worker that died leaves its cached executions' next tasks on its sticky queue; after this
    // long the server hands them to any worker, so a restarted one takes over in about a second
    // (the default, 10 s, stalled decisions that long after a crash).
    stickyQueueScheduleToStartTimeout: '1s',
    maxCachedWorkflows: options.maxCachedWorkflows ?? cachedExecutionsFor(heapLimitMiB()),
  });
}
