// Static checks of docker-compose.yml and the Dockerfile: no Docker engine is needed, so they
// run everywhere and catch drift between the deployment files and the code they deploy.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
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
}

// `merge: true`: the file shares blocks through YAML merge keys (`<<: *app`), as Compose does.
const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;

const APP_SERVICES = ['migrate', 'worker', 'api'];
/** Variables only one app service gets. */
const SERVICE_ONLY_ENV: Record<string, string[]> = { api: ['JWT_SECRET'], migrate: ['APP_DATABASE_USER', 'APP_DATABASE_PASSWORD'] };
const REQUIRED_ENV = ['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_TASK_QUEUE', 'DATABASE_URL', 'REDIS_URL', 'API_PORT'];
/** What the workflows use (libs/workflows/src/names.ts): the deployment must register exactly these. */
const SEARCH_ATTRIBUTES = SEARCH_ATTRIBUTE_CLI_TYPES;

function service(name: string): Service {
  const found = services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
}

/** A value as Compose reads it with the variable unset: `${NAME:-default}` becomes the default. */
const interpolated = (value: string) => value.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');

function envOf(name: string): Env {
  const env = service(name).environment ?? {};
  if (!Array.isArray(env)) return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, interpolated(String(v))]));
  return Object.fromEntries(env.map((entry) => [entry.split('=')[0], interpolated(entry.slice(entry.indexOf('=') + 1))]));
}

function commandText(name: string): string {
  const { command } = service(name);
  return Array.isArray(command) ? command.join(' ') : (command ?? '');
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
      expect.arrayContaining(['postgres', 'redis', 'temporal', 'temporal-setup', 'temporal-ui', ...APP_SERVICES]),
    );
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
    const names = new Set(APP_SERVICES.flatMap((name) => Object.keys(envOf(name))));
    const unread = [...names].filter((name) => !new RegExp(`\\b${name}:`).test(sources));
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
      expect({ name, temporal: env.TEMPORAL_ADDRESS }).toEqual({ name, temporal: 'temporal:7233' });
    }
  });

  it('publishes the API on 3000 and the Temporal UI on 8233', () => {
    expect(ports('api')).toContain(`3000:${envOf('api').API_PORT}`);
    expect(ports('api')).toContain('3000:3000');
    expect(ports('temporal-ui')).toContain('8233:8080');
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

  it('health-checks postgres, redis, temporal and the api', () => {
    const probe = (name: string) => {
      const { healthcheck } = service(name);
      const test = healthcheck?.test;
      if (!test || healthcheck?.disable || (Array.isArray(test) && test[0] === 'NONE')) return '';
      return Array.isArray(test) ? test.join(' ') : test;
    };
    expect(probe('postgres')).toMatch(/pg_isready/);
    expect(probe('redis')).toMatch(/redis-cli ping/);
    expect(probe('temporal')).toMatch(/temporal operator cluster health/);
    expect(probe('api')).toMatch(/localhost:.*\/health/);
  });

  it('starts worker and api only after migrations, search attributes and healthy backing services', () => {
    for (const name of ['worker', 'api']) {
      expect({ name, deps: dependencies(name) }).toEqual({
        name,
        deps: expect.objectContaining({
          migrate: 'service_completed_successfully',
          'temporal-setup': 'service_completed_successfully',
          temporal: 'service_healthy',
          postgres: 'service_healthy',
          redis: 'service_healthy',
        }),
      });
    }
    expect(dependencies('migrate')).toEqual(expect.objectContaining({ postgres: 'service_healthy' }));
    expect(dependencies('temporal-setup')).toEqual(expect.objectContaining({ temporal: 'service_healthy' }));
  });

  it('leaves api and worker free to scale out', () => {
    for (const name of ['worker', 'api']) expect({ name, container_name: service(name).container_name }).toEqual({ name });
    expect(ports('worker')).toEqual([]);
  });
});
