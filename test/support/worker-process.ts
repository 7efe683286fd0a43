import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { harnessEnv } from './harness-env';
import type { TestSystem } from './system';

const REPO = join(__dirname, '..', '..');

/**
 * The real worker process (apps/worker/dist/main.js) on a test system's task queue, database and
 * Redis prefix, as the fault tier kills or starves it. `nodeArgs` go to node (e.g. a heap limit),
 * `env` over the defaults; its log goes to `onLog` line by line when given.
 */
export function startWorkerProcess(
  system: Pick<TestSystem, 'taskQueue' | 'db'>,
  { env = {}, nodeArgs = [], onLog }: { env?: Record<string, string>; nodeArgs?: string[]; onLog?: (line: string) => void } = {},
): ChildProcess {
  const harness = harnessEnv();
  const child = spawn(process.execPath, [...nodeArgs, join(REPO, 'apps/worker/dist/main.js')], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'error',
      TEMPORAL_ADDRESS: harness.ROLLPLAN_TEST_TEMPORAL_ADDRESS,
      TEMPORAL_TASK_QUEUE: system.taskQueue,
      DATABASE_URL: system.db.appUrl,
      REDIS_URL: harness.ROLLPLAN_TEST_REDIS_URL,
      QUEUE_PREFIX: system.taskQueue,
      WORKFLOW_BUNDLE_PATH: harness.ROLLPLAN_TEST_WORKFLOW_BUNDLE,
      OUTBOX_POLL_MS: '100',
      ...env,
    },
    stdio: onLog ? ['ignore', 'pipe', 'pipe'] : 'ignore',
  });
  if (onLog) {
    let rest = '';
    const take = (chunk: Buffer) => {
      const lines = (rest + chunk.toString('utf8')).split('\n');
      rest = lines.pop() ?? '';
      lines.forEach(onLog);
    };
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
  }
  return child;
}
