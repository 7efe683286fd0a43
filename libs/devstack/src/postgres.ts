import { createHash } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { userInfo } from 'node:os';
import { Client } from 'pg';
import { postgresBinDir } from './paths';
import { run } from './process';
import { waitUntil } from './net';

export interface PostgresOptions {
  /** Folder of the cluster; created and initialised when empty. */
  dataDir: string;
  port: number;
  logFile: string;
  /** Database created for the app (owner: the `rollplan` superuser). */
  database: string;
  /** Trade durability for speed: tests only. */
  ephemeral?: boolean;
}

export interface RunningPostgres {
  url: string;
  /** URL of the same server's maintenance database, for creating and dropping databases. */
  adminUrl: string;
  /** The superuser's login, for tools that take host, port, user and password apart (Temporal's schema tool). */
  credentials: { host: string; port: number; user: string; password: string };
  stop(): Promise<void>;
}

const SUPERUSER = 'rollplan';

/**
 * Runs a PostgreSQL cluster from Debian's server binaries. PostgreSQL refuses to run as
 * root, so as root every command runs as the `postgres` user, who must own the folder.
 */
export async function startPostgres(requested: PostgresOptions): Promise<RunningPostgres> {
  const bin = postgresBinDir();
  const asRoot = userInfo().uid === 0;
  const pg = (tool: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]) : run(join(bin, tool), args);

  const placed = postgresPlacement(requested.dataDir);
  if (placed.movedBecause) console.log(`PostgreSQL's cluster is kept in ${placed.dataDir} (${placed.movedBecause})`);
  const options = { ...requested, dataDir: placed.dataDir, logFile: placed.movedBecause ? join(dirname(placed.dataDir), 'postgres.log') : requested.logFile };
  mkdirSync(options.dataDir, { recursive: true });
  if (asRoot) {
    const { uid, gid } = postgresIds();
    chownSync(options.dataDir, uid, gid);
    chmodSync(options.dataDir, 0o700);
    if (!existsSync(options.logFile)) run('touch', [options.logFile]);
    chownSync(options.logFile, uid, gid);
  }

  if (!existsSync(join(options.dataDir, 'PG_VERSION'))) {
    if (readdirSync(options.dataDir).length > 0) {
      throw new Error(`${options.dataDir} is neither empty nor a PostgreSQL cluster; move it away and start again`);
    }
    // Trust on loopback only: the local stack is for one developer's machine; deployments use compose.
    pg('initdb', ['-D', options.dataDir, '-U', SUPERUSER, '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']);
  }

  const serverOptions = [
    `-p ${options.port}`,
    `-c listen_addresses=127.0.0.1`,
    `-c unix_socket_directories=${options.dataDir}`,
    ...(options.ephemeral ? ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off'] : []),
    '-c max_connections=200',
  ].join(' ');
  const running = (() => {
    try {
      pg('pg_ctl', ['-D', options.dataDir, 'status']);
      return true;
    } catch {
      return false;
    }
  })();
  if (!running) {
    pg('pg_ctl', ['-D', options.dataDir, '-l', options.logFile, '-o', serverOptions, '-w', '-t', '60', 'start']);
  }

  const adminUrl = `postgres://${SUPERUSER}:${SUPERUSER}@127.0.0.1:${options.port}/postgres`;
  await waitUntil('PostgreSQL', async () => {
    const client = new Client({ connectionString: adminUrl });
    await client.connect();
    await client.end();
    return true;
  }, 30_000);
  await ensureDatabase(adminUrl, options.database);

  return {
    url: `postgres://${SUPERUSER}:${SUPERUSER}@127.0.0.1:${options.port}/${options.database}`,
    adminUrl,
    credentials: { host: '127.0.0.1', port: options.port, user: SUPERUSER, password: SUPERUSER },
    async stop() {
      pg('pg_ctl', ['-D', options.dataDir, '-m', 'fast', '-w', 'stop']);
    },
  };
}

/** Creates `database` unless it exists; `template` copies another database (fast: no migrations). */
export async function ensureDatabase(adminUrl: string, database: string, template?: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) {
      await client.query(`CREATE DATABASE ${quoteIdent(database)}${template ? ` TEMPLATE ${quoteIdent(template)}` : ''}`);
    }
  } finally {
    await client.end();
  }
}

export async function dropDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function postgresIds(): { uid: number; gid: number } {
  const line = run('id', ['postgres']);
  const uid = Number(/uid=(\d+)/.exec(line)?.[1]);
  const gid = Number(/gid=(\d+)/.exec(line)?.[1]);
  if (!Number.isFinite(uid) || !Number.isFinite(gid)) throw new Error('no postgres user: install PostgreSQL with scripts/setup.mjs');
  return { uid, gid };
}

/**
 * Where the cluster lives. As root, PostgreSQL runs as the `postgres` user, who must reach its
 * folder: a clone under a private directory (root's home, any `mktemp -d`, both mode 700) is out
 * of its reach. Then the cluster goes to /var/lib/rollplan/<hash of the requested folder>, the
 * same place on every start of that folder, and the requested folder is left as it is.
 */
export function postgresPlacement(dataDir: string): { dataDir: string; movedBecause?: string } {
  if (userInfo().uid !== 0) return { dataDir };
  const blocked = firstUntraversable(resolve(dataDir));
  if (!blocked) return { dataDir };
  const home = join('/var/lib/rollplan', createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 16));
  mkdirSync(home, { recursive: true, mode: 0o755 });
  writeFileSync(join(home, 'FOR'), `${resolve(dataDir)}\n`);
  return { dataDir: join(home, 'postgres'), movedBecause: `the postgres user cannot enter ${blocked}` };
}

/** The first existing ancestor of `path` that others (the `postgres` user) cannot traverse. */
function firstUntraversable(path: string): string | undefined {
  const parts = path.split('/').filter(Boolean);
  for (let i = 1; i <= parts.length; i++) {
    const dir = `/${parts.slice(0, i).join('/')}`;
    if (!existsSync(dir)) return undefined;
    const { mode, uid } = statSync(dir);
    const postgresUid = postgresIds().uid;
    const traversable = uid === postgresUid ? (mode & 0o100) !== 0 : (mode & 0o001) !== 0;
    // The folder PostgreSQL owns itself is chowned to it later; its parents must let it through.
    if (!traversable && i < parts.length) return dir;
  }
  return undefined;
}
