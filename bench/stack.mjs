// The stack a benchmark runs against: `npm start`'s devstack on free ports with a data folder of
// its own, so a benchmark never touches the developer's stack. Shared by bench/run.mjs and
// scripts/bench-web.mjs.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const { freePort, freePortBetween } = require('../libs/devstack/dist/net.js');
const { postgresPlacement } = require('../libs/devstack/dist/postgres.js');
const root = new URL('..', import.meta.url).pathname;

/**
 * Starts the stack and resolves once it says it is running; `stop()` ends it and removes its data.
 * `args`: `['--cluster']` for the cluster profile.
 */
export async function startStack(prefix, env = {}, args = []) {
  const dataDir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  // As root, PostgreSQL's cluster lives outside a folder its user cannot reach (/var/lib/rollplan/…).
  const cluster = postgresPlacement(join(dataDir, 'postgres'));
  // The cluster's Temporal services keep their ports in a 16-bit column: below 32768.
  const ports = { API_PORT: await freePort(), TEMPORAL_PORT: await freePortBetween(20_000, 32_000), TEMPORAL_UI_PORT: await freePort(), POSTGRES_PORT: await freePort(), REDIS_PORT: await freePort() };
  const child = spawn('node', [join(root, 'libs/devstack/dist/start.js'), ...args], {
    env: { ...process.env, ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])), ROLLPLAN_DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      output += chunk;
      if (output.includes('rollplan is running')) resolve();
    });
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('exit', () => reject(new Error(`the stack stopped:\n${output}`)));
  });
  const stop = async () => {
    child.kill('SIGINT');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
    if (cluster.movedBecause) rmSync(dirname(cluster.dataDir), { recursive: true, force: true });
  };
  return { base: `http://127.0.0.1:${ports.API_PORT}`, temporal: `127.0.0.1:${ports.TEMPORAL_PORT}`, postgresPort: ports.POSTGRES_PORT, dataDir, output: () => output, stop };
}
