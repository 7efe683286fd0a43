// Static checks of docker-compose.yml and the Dockerfile: no Docker engine is needed, so they
// run everywhere and catch drift between the deployment files and the code they deploy.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { parser as promql } from '@prometheus-io/lezer-promql';
import { CLUSTER_SHAPE } from '@rollplan/devstack';
import { SEARCH_ATTRIBUTE_CLI_TYPES } from '@rollplan/workflows';

const ROOT = resolve(__dirname, '../..');
const read = (file: string): string => readFileSync(join(ROOT, file), 'utf8');

type Env = Record<string, string>;
interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Env | string[];
  ports?: (string | number | { target: number; published?: string | number })[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  container_name?: string;
  deploy?: { replicas?: number };
  volumes?: (string | { type?: string; source?: string; target?: string })[];
}

// `merge: true`: the file shares blocks through YAML merge keys (`<<: *app`), as Compose does.
const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;

const APP_SERVICES = ['migrate', 'worker', 'api'];
const OBSERVABILITY_SERVICES = ['prometheus', 'grafana', 'otel-collector', 'jaeger'];
/** Variables only one app service gets. */
const SERVICE_ONLY_ENV: Record<string, string[]> = {
  api: ['JWT_SECRET', 'TRUST_PROXY'],
  migrate: ['APP_DATABASE_USER', 'APP_DATABASE_PASSWORD'],
  worker: ['WORKER_METRICS_PORT', 'WORKER_METRICS_HOST'],
};
/** The Temporal server's services (CLUSTER_SHAPE.temporalServices), one compose service each. */
const TEMPORAL_ROLES: Record<string, string> = {
  'temporal-frontend': 'frontend',
  'temporal-history': 'history',
  'temporal-matching': 'matching',
  'temporal-internal-worker': 'worker',
};
/** Each role's gRPC port in the image's config template (FRONTEND_GRPC_PORT, HISTORY_GRPC_PORT, ...). */
const GRPC_PORTS: Record<string, string> = { frontend: '7233', history: '7234', matching: '7235', worker: '7239' };
/** Where the admin-tools image keeps the SQL schemas (temporal-sql-tool update-schema -d). */
const SCHEMA_DIR = '/etc/temporal/schema/postgresql/v12';
const REQUIRED_ENV = ['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_TASK_QUEUE', 'DATABASE_URL', 'REDIS_URL', 'API_PORT'];
/** What the workflows use (libs/workflows/src/names.ts): the deployment must register exactly these. */
const SEARCH_ATTRIBUTES = SEARCH_ATTRIBUTE_CLI_TYPES;

function service(name: string): Service {
  const found = services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
}

/** A value as Compose reads it with the variable unset: `${NAME:-default}` becomes the default. */
const interpolated = (value: string) => value.replace(/\$\{[A-Z_]+:?-([^}]*)\}/g, '$1');

function envOf(name: string): Env {
  const env = service(name).environment ?? {};
  if (!Array.isArray(env)) return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, interpolated(String(v))]));
  return Object.fromEntries(env.map((entry) => [entry.split('=')[0], interpolated(entry.slice(entry.indexOf('=') + 1))]));
}

function commandText(name: string): string {
  const { command } = service(name);
  return Array.isArray(command) ? command.join(' ') : (command ?? '');
}

/** An image's tag (`name:tag`, a registry host may carry a :port). */
const imageTag = (image: string | undefined) => image?.split('/').at(-1)?.split('@')[0].split(':')[1];
const imageName = (image: string | undefined) => image?.replace(/:[^:/@]+(@.*)?$/, '');

/** The address the apps, the UI and temporal-setup dial: the frontend's service name and gRPC port. */
const frontendAddress = () => `temporal-frontend:${envOf('temporal-frontend').FRONTEND_GRPC_PORT ?? GRPC_PORTS.frontend}`;

/** Host files mounted into a service (short or long syntax), relative to the compose file. */
function bindMounts(name: string): { source: string; target: string }[] {
  return (service(name).volumes ?? []).flatMap((volume) => {
    if (typeof volume === 'object') return volume.type === 'bind' && volume.source && volume.target ? [{ source: volume.source, target: volume.target }] : [];
    const [source, target] = volume.split(':');
    return /^[./]/.test(source) ? [{ source, target }] : [];
  });
}

function dependencies(name: string): Record<string, string> {
  const deps = service(name).depends_on ?? {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((d) => [d, 'service_started']));
  return Object.fromEntries(Object.entries(deps).map(([d, v]) => [d, v?.condition ?? 'service_started']));
}

/** `published:target` pairs of a service's port mappings (short or long syntax). */
function ports(name: string): string[] {
  return (service(name).ports ?? []).map((port) => {
    if (typeof port === 'object') return `${port.published}:${port.target}`;
    const parts = String(port).split('/')[0].split(':');
    return `${parts.at(-2)}:${parts.at(-1)}`;
  });
}

describe('docker-compose.yml', () => {
  it('defines the whole stack', () => {
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining([
        'postgres',
        'redis',
        'temporal-schema',
        ...Object.keys(TEMPORAL_ROLES),
        'temporal-setup',
        'temporal-ui',
        ...APP_SERVICES,
        'proxy',
        ...OBSERVABILITY_SERVICES,
      ]),
    );
    // No single-process Temporal any more (auto-setup is deprecated and runs every service in one process).
    expect(Object.keys(services)).not.toContain('temporal');
    const images = Object.values(services).map((s) => imageName(s.image));
    expect(images).not.toContain('temporalio/auto-setup');
  });

  it('runs Temporal in the cluster profile’s shape: one process per service on PostgreSQL', () => {
    const servers = Object.entries(services)
      .filter(([, s]) => imageName(s.image) === 'temporalio/server')
      .map(([name]) => name);
    expect(servers.sort()).toEqual(Object.keys(TEMPORAL_ROLES).sort());
    expect(Object.values(TEMPORAL_ROLES).sort()).toEqual([...CLUSTER_SHAPE.temporalServices].sort());
    const pg = envOf('postgres');
    for (const [name, role] of Object.entries(TEMPORAL_ROLES)) {
      const env = envOf(name);
      expect({ name, tag: imageTag(service(name).image) }).toEqual({ name, tag: CLUSTER_SHAPE.temporalVersion });
      // The image's entrypoint runs `temporal-server start`, which takes its services from TEMPORAL_SERVICES.
      expect({ name, services: env.TEMPORAL_SERVICES }).toEqual({ name, services: role });
      expect({ name, shards: env.NUM_HISTORY_SHARDS }).toEqual({ name, shards: String(CLUSTER_SHAPE.historyShards) });
      expect({ name, db: [env.DB, env.POSTGRES_SEEDS, env.DB_PORT ?? '5432', env.POSTGRES_USER, env.POSTGRES_PWD] }).toEqual({
        name,
        db: ['postgres12', 'postgres', '5432', pg.POSTGRES_USER, pg.POSTGRES_PASSWORD],
      });
      expect({ name, schema: dependencies(name)['temporal-schema'] }).toEqual({ name, schema: 'service_completed_successfully' });
    }
  });

  it('mounts host files that exist', () => {
    const mounts = Object.keys(services).flatMap((name) => bindMounts(name).map((mount) => ({ name, ...mount })));
    expect(mounts.length).toBeGreaterThanOrEqual(1);
    for (const { name, source } of mounts) expect({ name, source, exists: existsSync(resolve(ROOT, source)) }).toEqual({ name, source, exists: true });
    // The server's embedded config reads dynamic config from a file and refuses to start without it.
    for (const name of Object.keys(TEMPORAL_ROLES)) {
      const path = envOf(name).DYNAMIC_CONFIG_FILE_PATH ?? '/etc/temporal/config/dynamicconfig/docker.yaml';
      expect({ name, mounted: bindMounts(name).map((m) => m.target) }).toEqual({ name, mounted: expect.arrayContaining([path]) });
    }
  });

  it('creates Temporal’s databases and schemas with the admin tools of the server’s version', () => {
    for (const name of ['temporal-schema', 'temporal-setup']) {
      const { image } = service(name);
      expect({ name, image: imageName(image), tag: imageTag(image) }).toEqual({
        name,
        image: 'temporalio/admin-tools',
        tag: CLUSTER_SHAPE.temporalVersion,
      });
    }
    const script = commandText('temporal-schema');
    expect(script).toMatch(/temporal-sql-tool --plugin postgres12\b/);
    const lines = script.split('\n');
    for (const [db, schema] of [
      ['temporal', 'temporal'],
      ['temporal_visibility', 'visibility'],
    ]) {
      const steps = [/\bcreate-database\b/, /\bsetup-schema -v 0\.0\b/, new RegExp(`\\bupdate-schema -d ${SCHEMA_DIR}/${schema}/versioned\\b`)];
      const at = steps.map((step) => lines.findIndex((line) => line.split(/\s+/).includes(db) && step.test(line)));
      expect({ db, at: at.map((i) => i >= 0) }).toEqual({ db, at: [true, true, true] });
      expect({ db, ordered: [...at].sort((a, b) => a - b) }).toEqual({ db, ordered: at });
    }
    // As the PostgreSQL superuser: it creates databases.
    const pg = envOf('postgres');
    const env = envOf('temporal-schema');
    expect([env.SQL_HOST, env.SQL_PORT, env.SQL_USER, env.SQL_PASSWORD]).toEqual(['postgres', '5432', pg.POSTGRES_USER, pg.POSTGRES_PASSWORD]);
    expect(dependencies('temporal-schema')).toEqual(expect.objectContaining({ postgres: 'service_healthy' }));
  });

  it('pins every image to an explicit tag other than latest', () => {
    const images = Object.entries(services).filter(([, s]) => s.image !== undefined);
    expect(images.length).toBeGreaterThanOrEqual(5);
    for (const [name, { image }] of images) {
      const lastSegment = image!.split('/').at(-1)!; // a registry host may carry a :port
      const [, tag] = lastSegment.split('@')[0].split(':');
      expect({ name, image, tagged: Boolean(tag) || lastSegment.includes('@sha256:') }).toEqual({ name, image, tagged: true });
      expect({ name, tag }).not.toEqual({ name, tag: 'latest' });
    }
  });

  it('builds api, worker and migrate from the repository Dockerfile, whose image runs the API as non-root', () => {
    for (const name of APP_SERVICES) {
      const { build, image } = service(name);
      const context = typeof build === 'string' ? build : build?.context;
      const dockerfile = (typeof build === 'object' && build.dockerfile) || 'Dockerfile';
      expect({ name, context: context && resolve(ROOT, context), dockerfile, image }).toEqual({
        name,
        context: ROOT,
        dockerfile: 'Dockerfile',
        image: undefined,
      });
    }
    expect(existsSync(join(ROOT, 'Dockerfile'))).toBe(true);
    const stages = read('Dockerfile').split(/^FROM\s/im);
    const runtime = stages[stages.length - 1];
    expect(runtime).toMatch(/^CMD\s+\[\s*"node",\s*"apps\/api\/dist\/main\.js"\s*\]/m);
    expect(runtime).toMatch(/^ENV\s+NODE_ENV=production\b/m);
    const user = runtime.match(/^USER\s+(\S+)/m)?.[1];
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    // Host installs and builds stay out of the context, in every package (a bare `dist` only matches the root).
    const ignored = read('.dockerignore').split('\n').map((line) => line.trim());
    expect(ignored).toEqual(expect.arrayContaining(['**/node_modules', '**/dist']));
  });

  it('runs entry points that exist in the source tree', () => {
    const entry = (name: string) => commandText(name).match(/node\s+(?:--\S+\s+)*(\S+)\/dist\/(\S+)\.js/);
    // The worker on a bounded heap: its cache is sized from it (docs/performance.md).
    expect(commandText('worker')).toMatch(/^node --max-old-space-size=\d+ apps\/worker\/dist\/main\.js$/);
    expect(commandText('migrate')).toMatch(/^node libs\/db\/dist\/migrate\.js$/);
    for (const name of ['worker', 'migrate']) {
      const [, pkg, file] = entry(name)!;
      expect(existsSync(join(ROOT, pkg, 'src', `${file}.ts`))).toBe(true);
    }
    expect(service('api').command).toBeUndefined(); // the image's CMD starts the API
  });

  it('gives every app service the same variables, covering what the apps need', () => {
    const shared = (name: string) =>
      Object.keys(envOf(name))
        .filter((key) => !(SERVICE_ONLY_ENV[name] ?? []).includes(key))
        .sort();
    for (const name of APP_SERVICES) expect({ name, env: shared(name) }).toEqual({ name, env: shared('api') });
    expect(shared('api')).toEqual(expect.arrayContaining([...REQUIRED_ENV, 'NODE_ENV']));
    for (const name of APP_SERVICES) expect({ name, NODE_ENV: envOf(name).NODE_ENV }).toEqual({ name, NODE_ENV: 'production' });
  });

  it('sets only variables the apps actually read', () => {
    // The apps' zod schemas are keyed by variable name: `TEMPORAL_ADDRESS: hostPort(...)`.
    const sources = [
      read('libs/config/src/services.ts'),
      read('libs/db/src/migrate.ts'),
      ...['apps/api', 'apps/worker'].map((app) => read(`${app}/src/config.ts`)),
    ].join('\n');
    // OpenTelemetry's standard variables are read where tracing starts.
    const tracing = read('libs/telemetry/src/tracing.ts');
    const names = new Set(APP_SERVICES.flatMap((name) => Object.keys(envOf(name))));
    const unread = [...names].filter((name) => !new RegExp(`\\b${name}:`).test(sources) && !tracing.includes(`env.${name}`));
    expect(unread).toEqual([]);
  });

  it('points the apps at the compose services: migrations as the owner, the apps as the login migrate makes', () => {
    const pg = envOf('postgres');
    const migrate = envOf('migrate');
    for (const name of APP_SERVICES) {
      const env = envOf(name);
      const db = new URL(env.DATABASE_URL);
      const [user, password] = name === 'migrate' ? [pg.POSTGRES_USER, pg.POSTGRES_PASSWORD] : [migrate.APP_DATABASE_USER, migrate.APP_DATABASE_PASSWORD];
      expect({ name, db: [db.protocol, db.hostname, db.port || '5432', db.username, db.password, db.pathname] }).toEqual({
        name,
        db: ['postgres:', 'postgres', '5432', user, password, `/${pg.POSTGRES_DB}`],
      });
      // Never the owner (who could disable the audit log's triggers) for the apps.
      if (name !== 'migrate') expect(db.username).not.toBe(pg.POSTGRES_USER);
      const redis = new URL(env.REDIS_URL);
      expect({ name, redis: [redis.protocol, redis.hostname] }).toEqual({ name, redis: ['redis:', 'redis'] });
      expect({ name, temporal: env.TEMPORAL_ADDRESS }).toEqual({ name, temporal: frontendAddress() });
    }
    expect(frontendAddress()).toBe('temporal-frontend:7233');
    expect(envOf('temporal-ui').TEMPORAL_ADDRESS).toBe(frontendAddress());
  });

  it('publishes the API (through the proxy) on 3000, Temporal’s frontend on 7233 and its UI on 8233', () => {
    const listen = read('deploy/nginx.conf').match(/^\s*listen\s+(\d+)\s*;/m)?.[1];
    expect(ports('proxy')).toContain(`3000:${listen}`);
    expect(ports('proxy')).toContain('3000:3000');
    expect(ports('api')).toEqual([]); // the replicas are reached through the proxy only
    expect(ports('temporal-frontend')).toContain('7233:7233');
    expect(ports('temporal-ui')).toContain('8233:8080');
  });

  it('balances the api replicas behind an nginx proxy that finds them through Docker’s DNS', () => {
    const proxy = service('proxy');
    expect(imageName(proxy.image)).toBe('nginx');
    expect(bindMounts('proxy')).toContainEqual({ source: './deploy/nginx.conf', target: '/etc/nginx/conf.d/default.conf' });
    const conf = read('deploy/nginx.conf').replace(/#.*$/gm, '');
    // The upstream names the api service on its API_PORT, re-resolved (`resolve`, with a zone) by Docker's resolver.
    const upstream = conf.match(/upstream\s+(\S+)\s*\{([^}]*)\}/);
    expect(upstream).not.toBeNull();
    const [, upstreamName, upstreamBody] = upstream!;
    expect(upstreamBody).toMatch(new RegExp(`^\\s*server\\s+api:${envOf('api').API_PORT}\\s+resolve\\b`, 'm'));
    expect(upstreamBody).toMatch(/^\s*zone\s+\S+/m);
    expect(conf).toMatch(/^\s*resolver\s+127\.0\.0\.11\b/m);
    expect(conf).toMatch(new RegExp(`proxy_pass\\s+http://${upstreamName}\\s*;`));
    // Forwarded client address and request id.
    expect(conf).toMatch(/proxy_set_header\s+X-Forwarded-For\s+\$proxy_add_x_forwarded_for\s*;/);
    expect(conf).toMatch(/proxy_set_header\s+X-Request-Id\s+\S+\s*;/);
    // ... which the api believes for one hop (Express's `trust proxy`, apps/api/src/config.ts).
    expect(envOf('api').TRUST_PROXY).toBe('1');
    // Server-Sent Events pass unbuffered, and an open stream outlives the default 60 s read timeout.
    expect(read('apps/api/src/notifications/notifications.controller.ts')).toContain("'notifications/stream'");
    const stream = conf.match(/location\s+(?:=\s*)?\/notifications\/stream\s*\{([^}]*)\}/)?.[1] ?? '';
    expect(stream).toMatch(/proxy_buffering\s+off\s*;/);
    expect(stream).toMatch(new RegExp(`proxy_pass\\s+http://${upstreamName}\\s*;`));
    const timeout = stream.match(/proxy_read_timeout\s+(\d+)([smh]?)\s*;/);
    expect(timeout).not.toBeNull();
    const seconds = Number(timeout![1]) * ({ '': 1, s: 1, m: 60, h: 3600 } as Record<string, number>)[timeout![2]];
    expect(seconds).toBeGreaterThanOrEqual(600);
    expect(dependencies('proxy')).toEqual(expect.objectContaining({ api: 'service_healthy' }));
  });

  it('creates the namespace when missing, once the cluster reports healthy', () => {
    const script = commandText('temporal-setup');
    expect(script).toMatch(/temporal operator cluster health\b/);
    expect(script).toMatch(/temporal operator namespace describe\b.*--namespace\b/);
    expect(script).toMatch(/temporal operator namespace create\b.*--namespace\b/);
    expect(script.indexOf('temporal operator cluster health')).toBeLessThan(script.indexOf('temporal operator namespace create'));
    expect(script.indexOf('temporal operator namespace create')).toBeLessThan(script.indexOf('temporal operator search-attribute create'));
  });

  it('registers exactly rollplan’s six search attributes, tolerating ones that exist', () => {
    const script = commandText('temporal-setup');
    expect(script).toMatch(/temporal operator search-attribute create\b.*--name\b.*--type\b/);
    expect(script).toMatch(/already exists/);
    const registered = Object.fromEntries([...script.matchAll(/^\s*register\s+(\S+)\s+(\S+)\s*$/gm)].map((m) => [m[1], m[2]]));
    expect(registered).toEqual(SEARCH_ATTRIBUTES);
    // ... in the namespace and on the server the apps use.
    const setupEnv = envOf('temporal-setup');
    expect([setupEnv.TEMPORAL_NAMESPACE, setupEnv.TEMPORAL_ADDRESS]).toEqual([
      envOf('api').TEMPORAL_NAMESPACE,
      envOf('api').TEMPORAL_ADDRESS,
    ]);
  });

  it('health-checks postgres, redis, each Temporal service, the api and the proxy', () => {
    const probe = (name: string) => {
      const { healthcheck } = service(name);
      const test = healthcheck?.test;
      if (!test || healthcheck?.disable || (Array.isArray(test) && test[0] === 'NONE')) return '';
      return Array.isArray(test) ? test.join(' ') : test;
    };
    expect(probe('postgres')).toMatch(/pg_isready/);
    expect(probe('redis')).toMatch(/redis-cli ping/);
    // The server image has no Temporal CLI: its own gRPC port answers (temporal-setup then waits for cluster health).
    for (const [name, role] of Object.entries(TEMPORAL_ROLES)) {
      expect({ name, probe: probe(name) }).toEqual({ name, probe: expect.stringMatching(new RegExp(`\\b${GRPC_PORTS[role]}\\b`)) });
    }
    expect(probe('api')).toMatch(/localhost:.*\/health/);
    expect(probe('proxy')).toMatch(/localhost:3000\/health/);
  });

  it('starts worker and api only after migrations, search attributes and healthy backing services', () => {
    for (const name of ['worker', 'api']) {
      expect({ name, deps: dependencies(name) }).toEqual({
        name,
        deps: expect.objectContaining({
          migrate: 'service_completed_successfully',
          'temporal-setup': 'service_completed_successfully',
          'temporal-frontend': 'service_healthy',
          postgres: 'service_healthy',
          redis: 'service_healthy',
        }),
      });
    }
    expect(dependencies('migrate')).toEqual(expect.objectContaining({ postgres: 'service_healthy' }));
    expect(dependencies('temporal-setup')).toEqual(
      expect.objectContaining(Object.fromEntries(Object.keys(TEMPORAL_ROLES).map((name) => [name, 'service_healthy']))),
    );
    expect(dependencies('temporal-ui')).toEqual(expect.objectContaining({ 'temporal-frontend': 'service_healthy' }));
  });

  it('runs the cluster profile’s number of workers and api replicas, free to scale out', () => {
    expect(service('worker').deploy?.replicas).toBe(CLUSTER_SHAPE.workers);
    expect(service('api').deploy?.replicas).toBe(CLUSTER_SHAPE.apiReplicas);
    for (const name of ['worker', 'api']) expect({ name, container_name: service(name).container_name }).toEqual({ name });
    expect(ports('worker')).toEqual([]);
    expect(ports('api')).toEqual([]);
  });

  describe('observability (docs/observability.md)', () => {
    const prometheus = parse(read('deploy/prometheus.yml')) as {
      scrape_configs: { job_name: string; metrics_path?: string; dns_sd_configs?: { names: string[]; port: number }[]; static_configs?: { targets: string[] }[] }[];
    };
    const job = (name: string) => {
      const found = prometheus.scrape_configs.find((j) => j.job_name === name);
      if (!found) throw new Error(`deploy/prometheus.yml has no job ${name}`);
      return found;
    };
    const mountedAt = (name: string, source: string) => bindMounts(name).find((m) => m.source === source)?.target;

    it('scrapes /metrics of every api and worker replica through Docker’s DNS, and each Temporal service', () => {
      expect(bindMounts('prometheus')).toContainEqual({ source: './deploy/prometheus.yml', target: '/etc/prometheus/prometheus.yml' });
      expect(commandText('prometheus')).toContain('--config.file=/etc/prometheus/prometheus.yml');
      // DNS service discovery: a replica added with --scale is scraped without a config change.
      expect(job('api').dns_sd_configs).toEqual([expect.objectContaining({ names: ['api'], port: Number(envOf('api').API_PORT) })]);
      expect(job('worker').dns_sd_configs).toEqual([expect.objectContaining({ names: ['worker'], port: Number(envOf('worker').WORKER_METRICS_PORT) })]);
      expect(envOf('worker').WORKER_METRICS_HOST).toBe('0.0.0.0');
      for (const name of ['api', 'worker']) expect(job(name).metrics_path ?? '/metrics').toBe('/metrics');
      // Temporal's services publish their metrics where PROMETHEUS_ENDPOINT says.
      const targets = job('temporal').static_configs!.flatMap((c) => c.targets).sort();
      expect(targets).toEqual(Object.keys(TEMPORAL_ROLES).map((name) => `${name}:${envOf(name).PROMETHEUS_ENDPOINT?.split(':')[1]}`).sort());
    });

    it('sends the apps’ traces to the collector, which passes them to Jaeger', () => {
      for (const name of ['api', 'worker']) expect({ name, endpoint: envOf(name).OTEL_EXPORTER_OTLP_ENDPOINT }).toEqual({ name, endpoint: 'http://otel-collector:4318' });
      const config = parse(read('deploy/otel-collector.yaml')) as {
        receivers: { otlp: { protocols: { http: { endpoint: string } } } };
        exporters: Record<string, { endpoint: string }>;
        service: { pipelines: { traces: { receivers: string[]; exporters: string[] } } };
      };
      expect(config.receivers.otlp.protocols.http.endpoint).toBe('0.0.0.0:4318');
      expect(commandText('otel-collector')).toContain(`--config=${mountedAt('otel-collector', './deploy/otel-collector.yaml')}`);
      const { traces } = config.service.pipelines;
      expect(traces.receivers).toEqual(['otlp']);
      expect(traces.exporters.map((name) => config.exporters[name].endpoint)).toEqual(['jaeger:4317']);
      expect(ports('jaeger')).toContain('16686:16686');
    });

    it('provisions Grafana with Prometheus, Jaeger and the rollplan dashboard', () => {
      const provisioning = mountedAt('grafana', './deploy/grafana/provisioning');
      expect(provisioning).toBe('/etc/grafana/provisioning');
      const sources = (parse(read('deploy/grafana/provisioning/datasources/datasources.yaml')) as { datasources: { uid: string; type: string; url: string }[] }).datasources;
      expect(sources.map((d) => [d.type, d.url])).toEqual([
        ['prometheus', `http://prometheus:${ports('prometheus')[0].split(':')[1]}`],
        ['jaeger', 'http://jaeger:16686'],
      ]);
      const providers = (parse(read('deploy/grafana/provisioning/dashboards/rollplan.yaml')) as { providers: { options: { path: string } }[] }).providers;
      expect(providers.map((p) => p.options.path)).toEqual([mountedAt('grafana', './deploy/grafana/dashboards')]);
      expect(envOf('grafana').GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH).toBe(`${providers[0].options.path}/rollplan.json`);

      const dashboard = JSON.parse(read('deploy/grafana/dashboards/rollplan.json')) as {
        uid: string;
        panels: { type: string; title: string; datasource?: { uid: string }; targets?: { expr: string; datasource: { uid: string } }[] }[];
      };
      const panels = dashboard.panels.filter((p) => p.type !== 'row');
      // Every query goes to a provisioned data source.
      for (const panel of panels) for (const target of panel.targets ?? []) expect({ panel: panel.title, uid: target.datasource.uid }).toEqual({ panel: panel.title, uid: 'prometheus' });
      // What an operator looks at first, each answered by the metric it needs.
      const queries = (title: string) => (panels.find((p) => p.title === title)?.targets ?? []).map((t) => t.expr).join('\n');
      expect(queries('Decision latency')).toMatch(/histogram_quantile\(0\.5,.*http_request_duration_seconds_bucket\{route="\/tasks\/:id\/complete"/);
      expect(queries('Decision latency')).toMatch(/histogram_quantile\(0\.99,.*http_request_duration_seconds_bucket/);
      expect(queries('Throughput')).toContain('http_request_duration_seconds_count');
      expect(queries('Schedule-to-start')).toContain('temporal_workflow_task_schedule_to_start_latency_bucket');
      expect(queries('Queue depth')).toContain('rollplan_queue_jobs');
      expect(queries('Outbox lag')).toContain('rollplan_outbox_lag_seconds');
      expect(queries('Overdue tasks')).toContain('rollplan_tasks{state="overdue"}');
      // Every query is PromQL that Prometheus's own parser reads (Grafana's $__rate_interval becomes a duration).
      const unparsable = panels.flatMap((panel) =>
        (panel.targets ?? []).filter((target) => {
          let errors = 0;
          promql.parse(target.expr.replaceAll('$__rate_interval', '1m')).iterate({ enter: (node) => void (node.type.isError && errors++) });
          return errors > 0;
        }).map((target) => `${panel.title}: ${target.expr}`),
      );
      expect(unparsable).toEqual([]);
    });
  });
});
