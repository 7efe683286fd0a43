// Starts the services every test tier shares, once per run: PostgreSQL (with a migrated
// template database each test file copies), Redis and the Temporal dev server; when the cluster
// tier runs, also the cluster profile (test/harness/cluster-profile.ts). The
// time-skipping test server is started per workflow-test file instead: its clock is
// global to the process, so files sharing one would skip each other's timers.
import { mkdtempSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { claimRunDir, freePort, reapAbandonedRuns, startStack, temporalTestServerPath } from '@rollplan/devstack';
import { ensureAppLogin, runMigrations } from '@rollplan/db';
import { bundlePlanningWorkflows } from '@rollplan/worker';
import { APP_DATABASE_USER, TEMPLATE_DATABASE, type HarnessEnv } from '../support/harness-env';
import { clusterTierSelected, startClusterProfile, type RunningClusterProfile } from './cluster-profile';

const RUN_DIR_PREFIX = 'rollplan-test-';

export default async function globalSetup(globalConfig: { testPathPatterns?: { patterns?: string[] } }): Promise<void> {
  const started = Date.now();
  for (const dir of reapAbandonedRuns(tmpdir(), RUN_DIR_PREFIX)) console.log(`[harness] cleaned up an abandoned run: ${dir}`);
  const dataDir = mkdtempSync(join(tmpdir(), RUN_DIR_PREFIX));
  chmodSync(dataDir, 0o755); // PostgreSQL runs as its own user under root
  const [temporal, postgres, redis] = [await freePort(), await freePort(), await freePort()];
  const stack = await startStack({ dataDir, mode: 'test', ports: { temporal, postgres, redis }, database: TEMPLATE_DATABASE });
  (globalThis as Record<string, unknown>).__ROLLPLAN_STACK__ = stack;
  claimRunDir(dataDir, stack.pids);
  // Jest skips global teardown when interrupted: stop the services ourselves.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      const cluster = (globalThis as Record<string, unknown>).__ROLLPLAN_CLUSTER__ as RunningClusterProfile | undefined;
      void Promise.allSettled([cluster?.stop(), stack.stop()]).finally(() => process.exit(130));
    });
  }

  const [applied, bundle, cluster] = await Promise.all([
    runMigrations(stack.databaseUrl).then(async (names) => {
      await ensureAppLogin(stack.databaseUrl, APP_DATABASE_USER, APP_DATABASE_USER);
      return names;
    }),
    bundlePlanningWorkflows({ logger: quietLogger }),
    clusterTierSelected(globalConfig.testPathPatterns?.patterns ?? []) ? startClusterProfile(dataDir) : Promise.resolve(undefined),
  ]);
  if (cluster) {
    (globalThis as Record<string, unknown>).__ROLLPLAN_CLUSTER__ = cluster satisfies RunningClusterProfile;
    // Every process of the profile, so that a killed run's leftovers are reaped next time.
    const table = JSON.parse(readFileSync(join(cluster.env.ROLLPLAN_TEST_CLUSTER_DATA_DIR, 'processes.json'), 'utf8')) as { processes: Record<string, { pid: number }> };
    claimRunDir(dataDir, [...stack.pids, cluster.process.pid!, ...Object.values(table.processes).map((p) => p.pid)]);
    Object.assign(process.env, cluster.env);
  }
  const bundlePath = join(dataDir, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);

  const env: HarnessEnv = {
    ROLLPLAN_TEST_DATABASE_ADMIN_URL: stack.databaseAdminUrl!,
    ROLLPLAN_TEST_TEMPORAL_ADDRESS: stack.temporalAddress,
    ROLLPLAN_TEST_REDIS_URL: stack.redisUrl,
    ROLLPLAN_TEST_WORKFLOW_BUNDLE: bundlePath,
    ROLLPLAN_TEST_SERVER_PATH: temporalTestServerPath(),
    ROLLPLAN_TEST_DATA_DIR: dataDir,
  };
  Object.assign(process.env, env);
  console.log(
    `\n[harness] Temporal ${stack.temporalAddress}, PostgreSQL ${postgres}, Redis ${stack.redisUrl}; ` +
      (cluster ? `cluster profile at ${cluster.env.ROLLPLAN_TEST_CLUSTER_URL} (Temporal ${cluster.env.ROLLPLAN_TEST_CLUSTER_TEMPORAL_ADDRESS}); ` : '') +
      `${applied.length} migrations; ready in ${((Date.now() - started) / 1000).toFixed(1)}s`,
  );
}

const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};
