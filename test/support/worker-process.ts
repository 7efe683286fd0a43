import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { appProcessEnv, eachLine } from './app-process';
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
  const child = spawn(process.execPath, [...nodeArgs, join(REPO, 'apps/worker/dist/main.js')], {
    env: {
      ...process.env,
      ...appProcessEnv(system),
      WORKFLOW_BUNDLE_PATH: harnessEnv().ROLLPLAN_TEST_WORKFLOW_BUNDLE,
      OUTBOX_POLL_MS: '100',
      ...env,
    },
    stdio: onLog ? ['ignore', 'pipe', 'pipe'] : 'ignore',
  });
  if (onLog) {
    eachLine(child.stdout!, onLog);
    eachLine(child.stderr!, onLog);
  }
  return child;
}
