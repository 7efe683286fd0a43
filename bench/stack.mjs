// The stack a benchmark runs against: `npm start`'s devstack on free ports with a data folder of
// its own, so a benchmark never touches the developer's stack. Shared by bench/run.mjs and
// scripts/bench-web.mjs.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const { launchStack } = require('../libs/devstack/dist/launch.js');
const { postgresPlacement } = require('../libs/devstack/dist/postgres.js');

/**
 * Starts the stack and resolves once it says it is running; `stop()` ends it and removes its data.
 * `args`: `['--cluster']` for the cluster profile.
 */
export async function startStack(prefix, env = {}, args = []) {
  const dataDir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  // As root, PostgreSQL's cluster lives outside a folder its user cannot reach (/var/lib/rollplan/…).
  const cluster = postgresPlacement(join(dataDir, 'postgres'));
  const stack = await launchStack(dataDir, { args, env });
  const { ports } = stack;
  const stop = async () => {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
    if (cluster.movedBecause) rmSync(dirname(cluster.dataDir), { recursive: true, force: true });
  };
  return { base: `http://127.0.0.1:${ports.API_PORT}`, temporal: `127.0.0.1:${ports.TEMPORAL_PORT}`, postgresPort: ports.POSTGRES_PORT, dataDir, output: stack.output, stop };
}
