// Temporal as a cluster (the cluster profile): the server built from source (scripts/setup.mjs),
// its schema in the local PostgreSQL, and frontend, history, matching and the internal worker as
// separate supervised processes, plus the Web UI pointed at the frontend.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client as PgClient } from 'pg';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTE_CLI_TYPES } from '@rollplan/workflows';
import { CLUSTER_SHAPE } from './cluster-shape';
import { freePortBetween, isListening, waitUntil } from './net';
import { TOOLS_DIR, temporalCliPath } from './paths';
import { run, startProcess, type ManagedProcess } from './process';
import { supervise, type Supervised } from './supervisor';

export type TemporalService = (typeof CLUSTER_SHAPE.temporalServices)[number];

/** Where scripts/setup.mjs puts the server, the schema tool, the schema files and the UI server. */
export function temporalServerToolsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.TEMPORAL_SERVER_TOOLS_DIR || join(TOOLS_DIR, `temporal-server-${CLUSTER_SHAPE.temporalVersion}`);
}

export interface TemporalClusterOptions {
  /** Folder for the generated configuration. */
  dir: string;
  logsDir: string;
  /** The PostgreSQL that holds Temporal's two databases (a superuser: it creates them). */
  postgres: { host: string; port: number; user: string; password: string };
  frontendPort: number;
  /** Web UI port; `undefined` runs none. */
  uiPort?: number;
  historyShards?: number;
  namespace?: string;
  /** Told when a service starts (and starts again). */
  onStart?: (service: string, process: ManagedProcess) => void;
  /** Told when a service stops unexpectedly and is about to be started again. */
  onRestart?: (service: string, code: number | string, delayMs: number, logFile: string) => void;
}

export interface RunningTemporalCluster {
  address: string;
  uiUrl?: string;
  /** The supervised processes by name (`frontend`, `history`, `matching`, `worker`, `ui`). */
  services: Record<string, Supervised>;
  stop(): Promise<void>;
}

/** The Temporal databases and where their versioned schemas are. */
const DATABASES = [
  { name: 'temporal', schema: 'temporal' },
  { name: 'temporal_visibility', schema: 'visibility' },
] as const;

/** Creates Temporal's databases when missing and brings their schemas up to the server's version. */
export async function setupTemporalSchema(options: Pick<TemporalClusterOptions, 'postgres'>, tools = temporalServerToolsDir()): Promise<void> {
  const { host, port, user, password } = options.postgres;
  const sqlTool = join(tools, 'temporal-sql-tool');
  const admin = new PgClient({ host, port, user, password, database: 'postgres' });
  await admin.connect();
  try {
    for (const db of DATABASES) {
      const base = ['--plugin', 'postgres12', '--ep', host, '-p', String(port), '-u', user, '--pw', password, '--db', db.name];
      const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [db.name])).rowCount === 1;
      if (!exists) {
        run(sqlTool, [...base, 'create-database']);
        run(sqlTool, [...base, 'setup-schema', '-v', '0.0']);
      }
      // Idempotent: applies only the versions the database lacks.
      run(sqlTool, [...base, 'update-schema', '-d', join(tools, 'schema', 'postgresql', 'v12', db.schema, 'versioned')]);
    }
  } finally {
    await admin.end();
  }
}

/** Runs the cluster; resolves once the namespace exists with rollplan's search attributes. */
export async function startTemporalCluster(options: TemporalClusterOptions): Promise<RunningTemporalCluster> {
  const tools = temporalServerToolsDir();
  const server = join(tools, 'temporal-server');
  if (!existsSync(server)) {
    throw new Error(`Temporal server not found at ${server}: run \`node scripts/setup.mjs --cluster\` (it builds it once, about 5 minutes)`);
  }
  const namespace = options.namespace ?? 'default';
  await setupTemporalSchema(options, tools);

  mkdirSync(options.dir, { recursive: true });
  const configFile = join(options.dir, 'temporal.yaml');
  const dynamicConfigFile = join(options.dir, 'dynamic-config.yaml');
  const ports = await servicePorts(options.frontendPort);
  writeFileSync(configFile, serverConfig(options, ports, dynamicConfigFile));
  writeFileSync(dynamicConfigFile, DYNAMIC_CONFIG);

  const services: Record<string, Supervised> = {};
  const start = (name: string, command: string, args: string[], cwd?: string) => {
    const logFile = join(options.logsDir, `temporal-${name}.log`);
    services[name] = supervise(() => startProcess(`temporal-${name}`, command, args, { logFile, cwd }), {
      onStart: (process) => options.onStart?.(`temporal-${name}`, process),
      onExit: (_, code, delayMs) => options.onRestart?.(`temporal-${name}`, code, delayMs, logFile),
    });
  };
  const stop = async () => {
    // The frontend and the internal worker first: they call the others while they run.
    for (const group of [['ui', 'worker', 'frontend'], ['matching', 'history']]) {
      await Promise.allSettled(group.filter((name) => services[name]).map((name) => services[name].stop(10_000)));
    }
  };

  try {
    const startService = (service: string) => start(service, server, ['--config-file', configFile, '--allow-no-auth', 'start', '--service', service]);
    // History first: the first service to start writes the cluster's metadata, and two at once
    // would collide on it when the cluster is new.
    startService('history');
    await waitUntil('the Temporal history service', () => isListening(ports.history.grpc), 60_000, 200);
    for (const service of CLUSTER_SHAPE.temporalServices.filter((s) => s !== 'history')) startService(service);
    const address = `127.0.0.1:${options.frontendPort}`;
    await waitUntil('the Temporal cluster', () => ready(address, 'temporal-system'), 120_000, 500);
    await registerNamespace(address, namespace);
    let uiUrl: string | undefined;
    if (options.uiPort) {
      const uiDir = join(options.dir, 'ui');
      mkdirSync(join(uiDir, 'config'), { recursive: true });
      writeFileSync(join(uiDir, 'config', 'cluster.yaml'), uiConfig(address, options.uiPort, namespace));
      start('ui', join(tools, 'temporal-ui-server'), ['--root', uiDir, '--config', 'config', '--env', 'cluster', 'start']);
      uiUrl = `http://localhost:${options.uiPort}`;
    }
    return { address, uiUrl, services, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

interface ServicePorts {
  [service: string]: { grpc: number; membership: number; http?: number };
}

async function servicePorts(frontendPort: number): Promise<ServicePorts> {
  const ports: ServicePorts = {};
  const port = () => freePortBetween(20_000, 32_000);
  for (const service of CLUSTER_SHAPE.temporalServices) {
    ports[service] = {
      grpc: service === 'frontend' ? frontendPort : await port(),
      membership: await port(),
      ...(service === 'frontend' ? { http: await port() } : {}),
    };
  }
  return ports;
}

async function ready(address: string, namespace: string): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: 1000 });
  try {
    await connection.workflowService.describeNamespace({ namespace });
    return true;
  } finally {
    await connection.close();
  }
}

/** Registers the namespace and rollplan's search attributes unless already there. */
async function registerNamespace(address: string, namespace: string): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    const exists = await connection.workflowService.describeNamespace({ namespace }).then(
      () => true,
      () => false,
    );
    if (!exists) {
      // Closed workflows' histories are kept 30 days (the dev server keeps them 1 day).
      run(temporalCliPath(), ['operator', 'namespace', 'create', '--address', address, '--namespace', namespace, '--retention', '720h']);
    }
    // A new namespace reaches the services' caches within seconds: retried until it has.
    await waitUntil(`namespace ${namespace} with rollplan's search attributes`, async () => {
      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
      const missing = Object.entries(SEARCH_ATTRIBUTE_TYPES).filter(([name]) => !customAttributes?.[name]);
      if (missing.length === 0) return true;
      await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: Object.fromEntries(missing) });
      return false;
    }, 60_000, 500);
  } finally {
    await connection.close();
  }
}

/** The CLI's type names (names.ts) as the operator API's enum values (temporal.api.enums.v1.IndexedValueType). */
const INDEXED_VALUE_TYPES: Record<string, number> = { Text: 1, Keyword: 2, Int: 3, Double: 4, Bool: 5, Datetime: 6, KeywordList: 7 };
const SEARCH_ATTRIBUTE_TYPES = Object.fromEntries(
  Object.entries(SEARCH_ATTRIBUTE_CLI_TYPES).map(([name, type]) => {
    const value = INDEXED_VALUE_TYPES[type];
    if (!value) throw new Error(`unknown search attribute type ${type} of ${name}`);
    return [name, value];
  }),
);

// Settings read while the cluster runs. The search-attribute cache is refreshed on read so the
// attributes registered at start are usable at once (the dev server does the same).
const DYNAMIC_CONFIG = `system.forceSearchAttributesCacheRefreshOnRead:
  - value: true
system.namespaceCacheRefreshInterval:
  - value: 2s
`;

function serverConfig(options: TemporalClusterOptions, ports: ServicePorts, dynamicConfigFile: string): string {
  const { host, port, user, password } = options.postgres;
  const store = (database: string, maxConns: number) => `
      sql:
        pluginName: postgres12
        databaseName: ${database}
        connectAddr: "${host}:${port}"
        connectProtocol: tcp
        user: ${JSON.stringify(user)}
        password: ${JSON.stringify(password)}
        maxConns: ${maxConns}
        maxIdleConns: ${maxConns}
        maxConnLifetime: 1h`;
  const service = (name: string) => {
    const p = ports[name];
    return `
  ${name}:
    rpc:
      grpcPort: ${p.grpc}
      membershipPort: ${p.membership}
      bindOnIP: 127.0.0.1${p.http ? `\n      httpPort: ${p.http}` : ''}`;
  };
  return `# Written by the cluster profile (libs/devstack/src/temporal-cluster.ts) at each start.
log:
  stdout: true
  level: warn
persistence:
  defaultStore: default
  visibilityStore: visibility
  # Fixed when the cluster is first created: a different number later is refused by the server.
  numHistoryShards: ${options.historyShards ?? CLUSTER_SHAPE.historyShards}
  datastores:
    default:${store('temporal', 10)}
    visibility:${store('temporal_visibility', 4)}
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: 127.0.0.1
  # One port per process would be needed; the profile runs without pprof.
  pprof:
    port: 0
services:${CLUSTER_SHAPE.temporalServices.map(service).join('')}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: 127.0.0.1:${ports.frontend.grpc}
dcRedirectionPolicy:
  policy: noop
dynamicConfigClient:
  filepath: ${dynamicConfigFile}
  pollInterval: 10s
`;
}

function uiConfig(address: string, port: number, namespace: string): string {
  return `# Written by the cluster profile at each start.
temporalGrpcAddress: ${address}
host: 127.0.0.1
port: ${port}
enableUi: true
defaultNamespace: ${namespace}
cors:
  unsafeAllowAllOrigins: true
`;
}
