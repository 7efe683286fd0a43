import type { INestApplication } from '@nestjs/common';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { createApp, loadApiConfig } from '@rollplan/api';
import { createPlanningWorker } from '@rollplan/worker';
import { createTestDatabase, type TestDatabase } from './database';
import { harnessEnv } from './harness-env';
import { quietRuntime, uniqueTaskQueue } from './temporal';

/** The whole system for e2e tests: the real API on a free port and the real worker, on the dev server. */
export interface TestSystem {
  baseUrl: string;
  app: INestApplication;
  db: TestDatabase;
  temporal: Client;
  taskQueue: string;
  stop(): Promise<void>;
}

export async function startTestSystem(overrides: Record<string, string> = {}): Promise<TestSystem> {
  quietRuntime();
  const env = harnessEnv();
  const db = await createTestDatabase();
  const taskQueue = uniqueTaskQueue('e2e');
  const config = loadApiConfig({
    TEMPORAL_ADDRESS: env.ROLLPLAN_TEST_TEMPORAL_ADDRESS,
    TEMPORAL_TASK_QUEUE: taskQueue,
    DATABASE_URL: db.url,
    REDIS_URL: env.ROLLPLAN_TEST_REDIS_URL,
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    ...overrides,
  });

  const nativeConnection = await NativeConnection.connect({ address: env.ROLLPLAN_TEST_TEMPORAL_ADDRESS });
  const worker: Worker = await createPlanningWorker({
    connection: nativeConnection,
    namespace: 'default',
    taskQueue,
    dataSource: db.dataSource,
    workflowBundle: { codePath: env.ROLLPLAN_TEST_WORKFLOW_BUNDLE },
  });
  const workerRun = worker.run();

  const app = await createApp(config);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const connection = await Connection.connect({ address: env.ROLLPLAN_TEST_TEMPORAL_ADDRESS });
  const temporal = new Client({ connection, namespace: 'default' });

  return {
    baseUrl: `http://127.0.0.1:${address.port}`,
    app,
    db,
    temporal,
    taskQueue,
    async stop() {
      await app.close();
      worker.shutdown();
      await workerRun;
      await nativeConnection.close();
      await connection.close();
      await db.drop();
    },
  };
}

/** Polls `probe` until it returns a value that `done` accepts (eventual read models). */
export async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!done(last)) {
    if (Date.now() > deadline) return last;
    await new Promise((r) => setTimeout(r, 100));
    last = await probe();
  }
  return last;
}
