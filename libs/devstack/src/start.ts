// `npm start`: the embedded local stack, then the worker and the API. Ctrl-C stops it all.
// `npm start -- --cluster` (or ROLLPLAN_PROFILE=cluster): Temporal as a cluster of separate
// services on PostgreSQL, two workers and two API replicas behind nginx (docs/scaling.md).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError, DEFAULTS, parseEnv, port } from '@rollplan/config';
import { ensureAppLogin, runMigrations } from '@rollplan/db';
import { CLUSTER_SHAPE } from './cluster-shape';
import { acquireLock } from './lock';
import { STACK_READY_LINE } from './launch';
import { freePort, isListening, waitUntil } from './net';
import { DEFAULT_DATA_DIR, LOCAL_DIR, REPO_ROOT } from './paths';
import { run, startProcess, type ManagedProcess } from './process';
import { postgresPlacement } from './postgres';
import { startProxy } from './proxy';
import { startStack, type RunningStack } from './stack';
import { temporalServerToolsDir } from './temporal-cluster';
import { supervise, type Supervised } from './supervisor';

/** The worker's heap in MiB unless WORKER_HEAP_MIB says otherwise. */
const WORKER_HEAP_MIB = 2048;

/** The local stack's login for the API and the worker (trust auth on loopback: the password is a formality). */
const APP_LOGIN = 'rollplan_service';

const startEnv = z.object({
  /** `dev` (the default): the Temporal dev server, one worker, one API. `cluster`: see the top of this file. */
  ROLLPLAN_PROFILE: z.enum(['dev', 'cluster']).default('dev'),
  /** Defaults to .rollplan/data, or .rollplan/cluster for the cluster profile (its workflows live in another Temporal). */
  ROLLPLAN_DATA_DIR: z.string().optional(),
  /** Cluster profile: history shards of a new cluster, rollplan workers, API replicas. */
  TEMPORAL_HISTORY_SHARDS: z.coerce.number().int().min(1).max(16384).default(CLUSTER_SHAPE.historyShards),
  ROLLPLAN_WORKERS: z.coerce.number().int().min(1).max(16).default(CLUSTER_SHAPE.workers),
  ROLLPLAN_API_REPLICAS: z.coerce.number().int().min(1).max(16).default(CLUSTER_SHAPE.apiReplicas),
  API_PORT: port(DEFAULTS.apiPort),
  TEMPORAL_PORT: port(7233),
  TEMPORAL_UI_PORT: port(DEFAULTS.temporalUiPort),
  POSTGRES_PORT: port(15432),
  REDIS_PORT: port(16379),
  // Set any of these to use a service you run yourself instead of the embedded one.
  TEMPORAL_ADDRESS: z.string().optional(),
  DATABASE_URL: z.string().optional(),
  REDIS_URL: z.string().optional(),
});

async function main(): Promise<number> {
  const startedAt = Date.now();
  const env = parseEnv(startEnv);
  const cluster = env.ROLLPLAN_PROFILE === 'cluster' || process.argv.includes('--cluster');
  const dataDir = env.ROLLPLAN_DATA_DIR ?? (cluster ? join(LOCAL_DIR, 'cluster') : DEFAULT_DATA_DIR);
  const lock = acquireLock(join(dataDir, 'rollplan.pid'));
  if (!lock.ok) {
    console.error(
      `rollplan is already running (pid ${lock.heldBy}) with its data in ${dataDir}.\n` +
        `Use that one, or stop it with Ctrl-C in its terminal (or \`kill ${lock.heldBy}\`) before starting again.`,
    );
    return 1;
  }

  const busy = await busyPorts(env, dataDir);
  if (busy.length > 0) {
    lock.release();
    console.error(busy.map((b) => `Port ${b.port} (${b.what}) is in use by another program: ${b.hint}`).join('\n'));
    return 1;
  }

  if (cluster && env.TEMPORAL_PORT > 32_767) {
    lock.release();
    console.error(`TEMPORAL_PORT ${env.TEMPORAL_PORT}: the cluster's Temporal services keep their ports in a 16-bit column; choose one below 32768.`);
    return 1;
  }
  if (cluster && !existsSync(join(temporalServerToolsDir(), 'temporal-server'))) {
    // `npm start -- --cluster` passes the flag to this script only: the install step runs here.
    const setup = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts/setup.mjs'), '--cluster'], { stdio: 'inherit' });
    if (setup.status !== 0) {
      lock.release();
      return 1;
    }
  }

  console.log(`Starting the local stack${cluster ? ' as a cluster' : ''} (data in ${dataDir}) ...`);
  let stack: RunningStack | undefined;
  const apps: Supervised[] = [];
  let proxy: ManagedProcess | undefined;
  // Which process is which, for operators and the cluster test tier (kill -9 one of them).
  const processes: Record<string, { pid: number; port?: number; logFile: string }> = {};
  const record = (name: string, child: ManagedProcess, port?: number) => {
    processes[name] = { pid: child.pid, ...(port ? { port } : {}), logFile: child.logFile };
    writeFileSync(join(dataDir, 'processes.json'), JSON.stringify({ profile: cluster ? 'cluster' : 'dev', processes }, null, 2));
  };
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping rollplan ...');
    await proxy?.stop(5000);
    await Promise.allSettled(apps.map((a) => a.stop(15_000)));
    await stack?.stop();
    lock.release();
    console.log('Stopped.');
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  try {
    stack = await startStack({
      dataDir,
      mode: 'dev',
      ports: { temporal: env.TEMPORAL_PORT, temporalUi: env.TEMPORAL_UI_PORT, postgres: env.POSTGRES_PORT, redis: env.REDIS_PORT },
      external: { temporalAddress: env.TEMPORAL_ADDRESS, databaseUrl: env.DATABASE_URL, redisUrl: env.REDIS_URL },
      cluster: cluster
        ? {
            historyShards: env.TEMPORAL_HISTORY_SHARDS,
            onStart: (name, child) => record(name, child),
            onRestart: (name, code, delayMs, logFile) =>
              console.error(`\nThe ${name} service stopped unexpectedly (${code}); restarting it in ${delayMs / 1000} s. Its last words (${logFile}):\n${lastWords(logFile)}`),
          }
        : undefined,
    });
    for (const service of stack.processes) processes[service.name] = { pid: service.pid, logFile: service.logFile };
    const applied = await runMigrations(stack.databaseUrl);
    if (applied.length > 0) console.log(`Applied migrations: ${applied.join(', ')}`);
    // The API and the worker work as their own login (rows only: no DDL, no audit changes), as
    // deployed; a database you run yourself (DATABASE_URL) is used as you set it.
    const appDatabaseUrl = env.DATABASE_URL ? stack.databaseUrl : await ensureAppLogin(stack.databaseUrl, APP_LOGIN, APP_LOGIN);

    // Not in production: the seed itself refuses there.
    const seeded = run(process.execPath, [join(REPO_ROOT, 'apps/api/dist/seed-demo.js')], {
      env: { ...process.env, DATABASE_URL: appDatabaseUrl },
    }).trim();
    if (seeded) console.log(seeded);

    const appEnv = {
      ...process.env,
      NODE_ENV: process.env.NODE_ENV ?? 'development',
      TEMPORAL_ADDRESS: stack.temporalAddress,
      DATABASE_URL: appDatabaseUrl,
      REDIS_URL: stack.redisUrl,
    };
    const logs = join(dataDir, 'logs');
    // The worker's heap is bounded (WORKER_HEAP_MIB, default 2048): its cache is sized from it, and
    // V8 collects before the process grows. With Node's default (4 GiB here) and 10,000 open
    // cycles the worker reached 1.7 GB RSS (docs/performance.md).
    const workerHeap = `--max-old-space-size=${Number(process.env.WORKER_HEAP_MIB) || WORKER_HEAP_MIB}`;
    // Supervised: a worker or API that dies is started again (with backoff), and we say so.
    const launch = (name: string, entry: string, nodeArgs: string[], env: NodeJS.ProcessEnv, port?: number) =>
      apps.push(
        supervise(() => startProcess(name, process.execPath, [...nodeArgs, join(REPO_ROOT, entry)], { logFile: join(logs, `${name}.log`), env }), {
          onStart: (child) => record(name, child, port),
          onExit: (app, code, delayMs) =>
            console.error(`\nThe ${name} stopped unexpectedly (${code}); restarting it in ${delayMs / 1000} s. Last lines of ${app.logFile}:\n${tail(app.logFile, 20)}`),
        }),
      );
    const workers = cluster ? env.ROLLPLAN_WORKERS : 1;
    for (let i = 1; i <= workers; i++) {
      // Each worker's Prometheus endpoint on a port of its own (processes.json names it).
      const metricsPort = await freePort();
      launch(cluster ? `worker-${i}` : 'worker', 'apps/worker/dist/main.js', [workerHeap], { ...appEnv, WORKER_METRICS_PORT: String(metricsPort) }, metricsPort);
    }
    if (!cluster) {
      launch('api', 'apps/api/dist/main.js', [], { ...appEnv, API_PORT: String(env.API_PORT) }, env.API_PORT);
    } else {
      // The replicas listen on ports of their own; nginx takes the usual port. They see the
      // client's address in X-Forwarded-For from the proxy on loopback (login throttling per address).
      const replicaPorts: number[] = [];
      for (let i = 1; i <= env.ROLLPLAN_API_REPLICAS; i++) {
        const port = await freePort();
        replicaPorts.push(port);
        launch(`api-${i}`, 'apps/api/dist/main.js', [], { ...appEnv, API_PORT: String(port), TRUST_PROXY: 'loopback' }, port);
      }
      proxy = await startProxy({ dir: join(dataDir, 'proxy'), logFile: join(logs, 'proxy.log'), port: env.API_PORT, upstreamPorts: replicaPorts });
      record('proxy', proxy, env.API_PORT);
    }

    const health = `http://localhost:${env.API_PORT}/health`;
    await waitUntil('the API', async () => (await fetch(health)).status === 200, 120_000, 500);
    const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
    console.log(
      [
        '',
        `${STACK_READY_LINE} (ready in ${seconds}s)${cluster ? ` as a cluster: Temporal's ${CLUSTER_SHAPE.temporalServices.join(', ')} services (${env.TEMPORAL_HISTORY_SHARDS} history shards), ${env.ROLLPLAN_WORKERS} workers, ${env.ROLLPLAN_API_REPLICAS} API replicas behind nginx` : ''}.`,
        `  Web app       http://localhost:${env.API_PORT}/`,
        `  API           http://localhost:${env.API_PORT}`,
        `  Health        ${health}`,
        `  OpenAPI docs  http://localhost:${env.API_PORT}/docs`,
        stack.temporalUiUrl ? `  Temporal UI   ${stack.temporalUiUrl}` : `  Temporal      ${stack.temporalAddress} (external)`,
        `  Logs          ${logs}`,
        `  Processes     ${join(dataDir, 'processes.json')}`,
        '',
        'Press Ctrl-C to stop. Your data stays in the data folder for the next start.',
      ].join('\n'),
    );
    return -1; // keep running until a signal
  } catch (error) {
    console.error(`\nrollplan could not start: ${error instanceof Error ? error.message : String(error)}`);
    await shutdown(1);
    return 1;
  }
}

async function busyPorts(env: z.infer<typeof startEnv>, dataDir: string) {
  const ours = existsSync(join(postgresPlacement(join(dataDir, 'postgres')).dataDir, 'postmaster.pid'));
  const checks = [
    { port: env.API_PORT, what: 'API', hint: 'set API_PORT to another port', skip: false },
    { port: env.TEMPORAL_PORT, what: 'Temporal', hint: 'set TEMPORAL_PORT, or TEMPORAL_ADDRESS to use that server', skip: !!env.TEMPORAL_ADDRESS },
    { port: env.TEMPORAL_UI_PORT, what: 'Temporal UI', hint: 'set TEMPORAL_UI_PORT', skip: !!env.TEMPORAL_ADDRESS },
    // A PostgreSQL left running by an earlier start of this data folder is ours to reuse.
    { port: env.POSTGRES_PORT, what: 'PostgreSQL', hint: 'set POSTGRES_PORT, or DATABASE_URL to use that server', skip: !!env.DATABASE_URL || ours },
    { port: env.REDIS_PORT, what: 'Redis', hint: 'set REDIS_PORT, or REDIS_URL to use that server', skip: !!env.REDIS_URL },
  ];
  const busy = [];
  for (const check of checks) if (!check.skip && (await isListening(check.port))) busy.push(check);
  return busy;
}

function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** The last lines of a Temporal service's JSON log, as level, message and error (their stack traces are long). */
function lastWords(file: string): string {
  return tail(file, 3)
    .split('\n')
    .map((line) => {
      try {
        const entry = JSON.parse(line) as { level?: string; msg?: string; error?: string };
        return `${entry.level}: ${entry.msg}${entry.error ? ` (${entry.error})` : ''}`;
      } catch {
        return line.slice(0, 300);
      }
    })
    .join('\n');
}

main().then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error) => {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  },
);
