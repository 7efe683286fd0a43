import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startPostgres, type RunningPostgres } from './postgres';
import { startRedis, type RunningRedis } from './redis';
import { startTemporalDevServer, type RunningTemporal } from './temporal';
import { startTemporalCluster, type RunningTemporalCluster, type TemporalClusterOptions } from './temporal-cluster';

export interface StackOptions {
  dataDir: string;
  /** `dev`: persistent data and the Web UI (npm start). `test`: throwaway and fast. */
  mode: 'dev' | 'test';
  ports: { temporal: number; temporalUi?: number; postgres: number; redis: number };
  /** Services already running elsewhere: the stack uses these instead of starting its own. */
  external?: { temporalAddress?: string; databaseUrl?: string; redisUrl?: string };
  database?: string;
  /**
   * Temporal as a cluster on the stack's PostgreSQL instead of the dev server (the cluster
   * profile): started once PostgreSQL is up.
   */
  cluster?: Pick<TemporalClusterOptions, 'historyShards' | 'onStart' | 'onRestart'>;
}

export interface RunningStack {
  temporalAddress: string;
  temporalUiUrl?: string;
  databaseUrl: string;
  /** Maintenance database of the stack's own PostgreSQL (undefined when external). */
  databaseAdminUrl?: string;
  redisUrl: string;
  /** The cluster's supervised Temporal processes (cluster profile only). */
  temporalServices?: RunningTemporalCluster['services'];
  /** Names of the services this stack started (and will stop). */
  started: string[];
  /** Pids of the child processes it started (PostgreSQL runs detached under pg_ctl). */
  pids: number[];
  /** The same by service. */
  processes: { name: string; pid: number; logFile: string }[];
  stop(): Promise<void>;
}

/** Starts Temporal, PostgreSQL and Redis side by side; stops what started if one fails. */
export async function startStack(options: StackOptions): Promise<RunningStack> {
  const { dataDir, mode, ports, external = {} } = options;
  const logs = join(dataDir, 'logs');
  mkdirSync(logs, { recursive: true });
  const persist = mode === 'dev';

  const results = await Promise.allSettled([
    external.temporalAddress || options.cluster
      ? Promise.resolve(undefined)
      : startTemporalDevServer({
          port: ports.temporal,
          uiPort: persist ? ports.temporalUi : undefined,
          dbFile: persist ? join(dataDir, 'temporal.sqlite') : undefined,
          logFile: join(logs, 'temporal.log'),
        }),
    external.databaseUrl
      ? Promise.resolve(undefined)
      : startPostgres({
          dataDir: join(dataDir, 'postgres'),
          port: ports.postgres,
          logFile: join(logs, 'postgres.log'),
          database: options.database ?? 'rollplan',
          ephemeral: !persist,
        }),
    external.redisUrl
      ? Promise.resolve(undefined)
      : startRedis({ dataDir: join(dataDir, 'redis'), port: ports.redis, logFile: join(logs, 'redis.log'), persist }),
  ]);

  const [temporal, postgres, redis] = results.map((r) => (r.status === 'fulfilled' ? r.value : undefined)) as [
    RunningTemporal | undefined,
    RunningPostgres | undefined,
    RunningRedis | undefined,
  ];
  const running = [
    temporal && { name: 'temporal', stop: temporal.stop },
    postgres && { name: 'postgres', stop: postgres.stop },
    redis && { name: 'redis', stop: redis.stop },
  ].filter((s): s is { name: string; stop: () => Promise<void> } => Boolean(s));
  const stop = async () => {
    const [first, ...rest] = running;
    if (first?.name === 'temporal-cluster') await first.stop().catch(() => undefined);
    await Promise.allSettled((first?.name === 'temporal-cluster' ? rest : running).map((s) => s.stop()));
  };

  const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failures.length > 0) {
    await stop();
    throw new Error(failures.map((f) => (f.reason instanceof Error ? f.reason.message : String(f.reason))).join('\n'));
  }

  let cluster: RunningTemporalCluster | undefined;
  if (options.cluster && !external.temporalAddress) {
    if (!postgres) throw new Error('the cluster profile keeps Temporal in the stack\'s own PostgreSQL: unset DATABASE_URL');
    try {
      cluster = await startTemporalCluster({
        ...options.cluster,
        dir: join(dataDir, 'temporal-cluster'),
        logsDir: logs,
        postgres: postgres.credentials,
        frontendPort: ports.temporal,
        uiPort: persist ? ports.temporalUi : undefined,
      });
    } catch (error) {
      await stop();
      throw error;
    }
    // Stopped before PostgreSQL, which it writes to.
    running.unshift({ name: 'temporal-cluster', stop: cluster.stop });
  }

  return {
    temporalAddress: external.temporalAddress ?? cluster?.address ?? temporal!.address,
    temporalUiUrl: temporal?.uiUrl ?? cluster?.uiUrl,
    temporalServices: cluster?.services,
    databaseUrl: external.databaseUrl ?? postgres!.url,
    databaseAdminUrl: postgres?.adminUrl,
    redisUrl: external.redisUrl ?? redis!.url,
    started: running.map((s) => s.name),
    pids: [temporal?.process.pid, redis?.process.pid].filter((pid): pid is number => typeof pid === 'number' && pid > 0),
    processes: [temporal?.process, redis?.process].filter((p) => p !== undefined).map((p) => ({ name: p.name, pid: p.pid, logFile: p.logFile })),
    stop,
  };
}
