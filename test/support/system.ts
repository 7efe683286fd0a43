import type { INestApplication } from '@nestjs/common';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { DEMO_PASSWORD, createApp, loadApiConfig, seedDemoOrganization } from '@rollplan/api';
import { UserEntity, dataSourceOptions } from '@rollplan/db';
import { DataSource } from 'typeorm';
import { createPlanningWorker, redisConnection, startMonitoringJobs, startNotifications } from '@rollplan/worker';
import { createTestDatabase, type TestDatabase } from './database';
import { harnessEnv } from './harness-env';
import { quietRuntime, uniqueTaskQueue } from './temporal';

export const DEMO = {
  admin: 'admin@rollplan.example',
  strategy: 'strategy@rollplan.example',
  finance: 'finance@rollplan.example',
  customer: 'customer@rollplan.example',
  chair: 'chair@rollplan.example',
  reviewer: 'reviewer1@rollplan.example',
  auditor: 'auditor@rollplan.example',
} as const;
/** A demo login (or any user the test made). */
export type DemoEmail = string;

/** The whole system for e2e tests: the real API on a free port and the real worker, on the dev server. */
export interface TestSystem {
  baseUrl: string;
  /** Access token of a demo person (see apps/api/src/people/demo-organization.ts). */
  tokenFor(email: DemoEmail): Promise<string>;
  /** Ids of the demo people, by e-mail. */
  userIds: Record<DemoEmail, string>;
  app: INestApplication;
  db: TestDatabase;
  temporal: Client;
  taskQueue: string;
  stop(): Promise<void>;
}

/**
 * Starts the system on the harness's services. `overrides` are the API's config variables (e.g. a
 * TEMPORAL_ADDRESS through a proxy the test can cut); `databaseVia` (host:port) sends the API's and
 * the worker's database connections elsewhere; `worker: false` runs no worker at all (no one polls the queue); `temporalAddress` runs the
 * whole system on another Temporal server than the harness's.
 */
export async function startTestSystem(
  overrides: Record<string, string> = {},
  { worker: withWorker = true, databaseVia, temporalAddress }: { worker?: boolean; databaseVia?: string; temporalAddress?: string } = {},
): Promise<TestSystem> {
  quietRuntime();
  const env = harnessEnv();
  const temporalAt = temporalAddress ?? env.ROLLPLAN_TEST_TEMPORAL_ADDRESS;
  const db = await createTestDatabase();
  const taskQueue = uniqueTaskQueue('e2e');
  // Its own BullMQ prefix: systems sharing the harness's Redis never take each other's jobs.
  const queuePrefix = taskQueue;
  const config = loadApiConfig({
    QUEUE_PREFIX: queuePrefix,
    TEMPORAL_ADDRESS: temporalAt,
    TEMPORAL_TASK_QUEUE: taskQueue,
    // The API may reach its database through another host:port (a proxy the test can cut).
    DATABASE_URL: databaseVia ? db.appUrl.replace(/@[^/]+\//, `@${databaseVia}/`) : db.appUrl,
    REDIS_URL: env.ROLLPLAN_TEST_REDIS_URL,
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    ...overrides,
  });

  // The apps work as their own login, a member of rollplan_app (no DDL, no audit changes), as deployed.
  const appData = await new DataSource(dataSourceOptions(databaseVia ? db.appUrl.replace(/@[^/]+\//, `@${databaseVia}/`) : db.appUrl)).initialize();
  const nativeConnection = await NativeConnection.connect({ address: temporalAt });
  const connection = await Connection.connect({ address: temporalAt });
  const temporal = new Client({ connection, namespace: 'default' });
  const monitoring = startMonitoringJobs({
    dataSource: appData,
    temporal,
    connection: redisConnection(overrides.REDIS_URL ?? env.ROLLPLAN_TEST_REDIS_URL),
    prefix: queuePrefix,
    log: () => undefined,
    sweepMs: 300,
  });
  const worker: Worker | undefined = !withWorker ? undefined : await createPlanningWorker({
    connection: nativeConnection,
    namespace: 'default',
    taskQueue,
    dataSource: appData,
    reportQueue: monitoring.reportQueue,
    workflowBundle: { codePath: env.ROLLPLAN_TEST_WORKFLOW_BUNDLE },
  });
  const workerRun = worker?.run();
  const notifications = startNotifications(
    {
      REDIS_URL: overrides.REDIS_URL ?? env.ROLLPLAN_TEST_REDIS_URL,
      QUEUE_PREFIX: queuePrefix,
      SMTP_URL: overrides.SMTP_URL,
      MAIL_FROM: 'rollplan <rollplan@test>',
      OUTBOX_POLL_MS: 100,
      WEBHOOK_TIMEOUT_MS: 1000,
      DELIVERY_ATTEMPTS: Number(overrides.DELIVERY_ATTEMPTS ?? 2),
      DELIVERY_BACKOFF_MS: 100,
      // The worker applies the same webhook allow-list as the API under test.
      NODE_ENV: config.NODE_ENV,
      ...(config.WEBHOOK_ALLOWED_HOSTS ? { WEBHOOK_ALLOWED_HOSTS: config.WEBHOOK_ALLOWED_HOSTS } : {}),
    },
    appData,
    () => undefined,
  );

  const app = await createApp(config);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const baseUrl = `http://127.0.0.1:${address.port}`;

  await seedDemoOrganization(db.dataSource);
  const users = await db.dataSource.getRepository(UserEntity).find();
  const userIds = Object.fromEntries(users.map((u) => [u.email, u.id])) as Record<DemoEmail, string>;
  const tokens = new Map<string, string>();

  return {
    baseUrl,
    userIds,
    async tokenFor(email) {
      if (!tokens.has(email)) {
        const response = await fetch(`${baseUrl}/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email, password: DEMO_PASSWORD }),
        });
        if (response.status !== 200) throw new Error(`login of ${email} failed: ${response.status} ${await response.text()}`);
        tokens.set(email, ((await response.json()) as { accessToken: string }).accessToken);
      }
      return tokens.get(email)!;
    },
    app,
    db,
    temporal,
    taskQueue,
    async stop() {
      await app.close();
      await notifications.close();
      await monitoring.close();
      worker?.shutdown();
      await workerRun;
      await nativeConnection.close();
      await connection.close();
      await appData.destroy();
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
