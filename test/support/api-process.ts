import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '@rollplan/devstack';
import { appProcessEnv, eachLine } from './app-process';
import type { TestSystem } from './system';

const REPO = join(__dirname, '..', '..');

/**
 * The real API process (apps/api/dist/main.js) on a test system's task queue, database and Redis
 * prefix, as deployed; resolves once it answers /health/live. Its log goes to `onLog` line by line.
 */
export async function startApiProcess(
  system: Pick<TestSystem, 'taskQueue' | 'db'>,
  { env = {}, onLog }: { env?: Record<string, string>; onLog?: (line: string) => void } = {},
): Promise<{ child: ChildProcess; baseUrl: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(REPO, 'apps/api/dist/main.js')], {
    env: { ...process.env, ...appProcessEnv(system), API_PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (onLog) eachLine(child.stdout!, onLog);
  else child.stdout!.resume();
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString('utf8')));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (!(await fetch(`${baseUrl}/health/live`).then((r) => r.ok, () => false))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the API process did not start (exit ${child.exitCode}): ${errors}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, baseUrl };
}
