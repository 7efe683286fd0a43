// `npm start` (start.js) as a child process on free ports with a data folder of the caller's: the
// test harness's cluster tier and the benchmarks run the stack this way, never the developer's.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort, freePortBetween } from './net';

/** What start.js printed once the whole stack answers. */
export const STACK_READY_LINE = 'rollplan is running';

export interface LaunchedStack {
  ports: { API_PORT: number; TEMPORAL_PORT: number; TEMPORAL_UI_PORT: number; POSTGRES_PORT: number; REDIS_PORT: number };
  child: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** Ends it (SIGINT, as Ctrl-C) and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Starts start.js (`args`: `['--cluster']` for the cluster profile) with its data in `dataDir` and
 * `env` over the caller's environment; resolves once it is running, rejects if it exits first or
 * is not ready within `timeoutMs`.
 */
export async function launchStack(dataDir: string, { args = [], env = {}, timeoutMs }: { args?: string[]; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<LaunchedStack> {
  const ports = {
    API_PORT: await freePort(),
    // The cluster's Temporal services keep their ports in a signed 16-bit column: below 32768.
    TEMPORAL_PORT: await freePortBetween(20_000, 32_000),
    TEMPORAL_UI_PORT: await freePort(),
    POSTGRES_PORT: await freePort(),
    REDIS_PORT: await freePort(),
  };
  const child = spawn(process.execPath, [join(__dirname, 'start.js'), ...args], {
    env: { ...process.env, ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])), ROLLPLAN_DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  await new Promise<void>((resolveStarted, reject) => {
    const timer = timeoutMs ? setTimeout(() => reject(new Error(`the stack did not start within ${timeoutMs / 1000} s:\n${output}`)), timeoutMs) : undefined;
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`the stack stopped (${code}):\n${output}`));
    };
    child.stdout!.on('data', function ready() {
      if (!output.includes(STACK_READY_LINE)) return;
      clearTimeout(timer);
      child.stdout!.off('data', ready);
      child.off('exit', onExit);
      resolveStarted();
    });
    child.once('exit', onExit);
  });
  return {
    ports,
    child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGINT');
      await new Promise((resolveStopped) => child.once('exit', resolveStopped));
    },
  };
}
