// The cluster tier's system: `npm start -- --cluster` itself (libs/devstack/src/start.ts) on free
// ports with its data in the harness's run folder — Temporal's services as separate processes,
// two workers, two API replicas behind nginx — started once per run when the tier is selected.
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { launchStack, temporalServerToolsDir } from '@rollplan/devstack';

export interface ClusterProfileEnv {
  /** The proxy in front of the API replicas. */
  ROLLPLAN_TEST_CLUSTER_URL: string;
  ROLLPLAN_TEST_CLUSTER_TEMPORAL_ADDRESS: string;
  /** Superuser URL of the profile's rollplan database (to check what was written). */
  ROLLPLAN_TEST_CLUSTER_DATABASE_URL: string;
  /** Its data folder: processes.json names the pid of every process. */
  ROLLPLAN_TEST_CLUSTER_DATA_DIR: string;
}

export interface RunningClusterProfile {
  env: ClusterProfileEnv;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Whether this jest run includes the cluster tier: every run does unless projects were selected
 * without it, or test paths were given none of which is under test/cluster.
 */
export function clusterTierSelected(testPathPatterns: string[]): boolean {
  const at = process.argv.findIndex((arg) => arg === '--selectProjects' || arg.startsWith('--selectProjects='));
  if (at >= 0) {
    const inline = process.argv[at].split('=')[1];
    if (inline) return inline.split(',').includes('cluster');
    const names: string[] = [];
    for (const arg of process.argv.slice(at + 1)) {
      if (arg.startsWith('-')) break;
      names.push(arg);
    }
    return names.includes('cluster');
  }
  return testPathPatterns.length === 0 || testPathPatterns.some((pattern) => pattern.includes('cluster'));
}

export async function startClusterProfile(runDir: string): Promise<RunningClusterProfile> {
  if (!existsSync(join(temporalServerToolsDir(), 'temporal-server'))) {
    throw new Error('the cluster tier needs the Temporal server: run the tests with `npm test` (its setup builds it once)');
  }
  const dataDir = join(runDir, 'cluster');
  const stack = await launchStack(dataDir, {
    args: ['--cluster'],
    // Quick to notice a killed worker in the failover test, as in the fault tier.
    env: { LOG_LEVEL: 'warn', TEMPORAL_CALL_TIMEOUT_MS: '5000' },
    timeoutMs: 180_000,
  });
  // Restarts it reports (the failover test's kills) are part of the tier's record.
  stack.child.stdout!.on('data', (chunk) => process.stdout.write(`[cluster] ${chunk}`));
  stack.child.stderr!.on('data', (chunk) => process.stdout.write(`[cluster] ${chunk}`));
  const { ports } = stack;
  return {
    env: {
      ROLLPLAN_TEST_CLUSTER_URL: `http://127.0.0.1:${ports.API_PORT}`,
      ROLLPLAN_TEST_CLUSTER_TEMPORAL_ADDRESS: `127.0.0.1:${ports.TEMPORAL_PORT}`,
      ROLLPLAN_TEST_CLUSTER_DATABASE_URL: `postgres://rollplan:rollplan@127.0.0.1:${ports.POSTGRES_PORT}/rollplan`,
      ROLLPLAN_TEST_CLUSTER_DATA_DIR: dataDir,
    },
    process: stack.child,
    stop: stack.stop,
  };
}
