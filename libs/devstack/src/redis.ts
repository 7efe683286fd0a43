import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { startProcess, type ManagedProcess } from './process';
import { waitUntil } from './net';

export interface RedisOptions {
  dataDir: string;
  port: number;
  logFile: string;
  /** Keep data across restarts (append-only file) — the `npm start` stack; tests keep nothing. */
  persist: boolean;
}

export interface RunningRedis {
  url: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

export async function startRedis(options: RedisOptions): Promise<RunningRedis> {
  mkdirSync(options.dataDir, { recursive: true });
  const args = [
    '--port', String(options.port),
    '--bind', '127.0.0.1',
    '--dir', options.dataDir,
    '--save', '',
    '--appendonly', options.persist ? 'yes' : 'no',
    '--daemonize', 'no',
  ];
  const child = startProcess('redis', 'redis-server', args, { logFile: options.logFile });
  let exitCode: number | string | undefined;
  void child.exited.then((code) => (exitCode = code));
  await waitUntil('Redis', async () => {
    if (exitCode !== undefined) throw new Error(`redis-server exited (${exitCode}); see ${options.logFile}`);
    return (await ping(options.port)) === '+PONG';
  }, 30_000);
  return { url: `redis://127.0.0.1:${options.port}`, process: child, stop: () => child.stop() };
}

/** Sends PING over RESP; resolves with the first reply line. */
export function ping(port: number, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolvePing, reject) => {
    const socket = connect({ port, host }, () => socket.write('PING\r\n'));
    socket.setTimeout(1000, () => socket.destroy(new Error('timeout')));
    socket.once('data', (data) => {
      socket.end();
      resolvePing(data.toString().split('\r\n')[0]);
    });
    socket.once('error', reject);
  });
}
