import { existsSync } from 'node:fs';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTE_CLI_TYPES } from '@rollplan/workflows';
import { temporalCliPath } from './paths';
import { startProcess, type ManagedProcess } from './process';
import { waitUntil } from './net';

export interface TemporalDevServerOptions {
  port: number;
  /** Web UI port; `undefined` runs headless. */
  uiPort?: number;
  /** SQLite file to persist to; `undefined` keeps everything in memory. */
  dbFile?: string;
  logFile: string;
}

export interface RunningTemporal {
  address: string;
  uiUrl?: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/**
 * Runs `temporal server start-dev` with rollplan's search attributes registered.
 * WAL pragmas: the dev server has one history shard and serialises its writes; without
 * them it is about ten times slower.
 */
export async function startTemporalDevServer(options: TemporalDevServerOptions): Promise<RunningTemporal> {
  const cli = temporalCliPath();
  if (!existsSync(cli)) throw new Error(`Temporal CLI not found at ${cli}: run \`node scripts/setup.mjs\``);
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port), '--log-level', 'warn'];
  args.push(...(options.uiPort ? ['--ui-port', String(options.uiPort)] : ['--headless']));
  if (options.dbFile) args.push('--db-filename', options.dbFile);
  args.push('--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal');
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTE_CLI_TYPES)) args.push('--search-attribute', `${name}=${type}`);

  const child = startProcess('temporal', cli, args, { logFile: options.logFile });
  let exitCode: number | string | undefined;
  void child.exited.then((code) => (exitCode = code));
  const address = `127.0.0.1:${options.port}`;
  await waitUntil('Temporal dev server', async () => {
    if (exitCode !== undefined) throw new Error(`temporal exited (${exitCode}); see ${options.logFile}`);
    const connection = await Connection.connect({ address, connectTimeout: 1000 });
    try {
      await connection.workflowService.describeNamespace({ namespace: 'default' });
      return true;
    } finally {
      await connection.close();
    }
  }, 90_000, 300);
  return {
    address,
    uiUrl: options.uiPort ? `http://localhost:${options.uiPort}` : undefined,
    process: child,
    stop: () => child.stop(),
  };
}
