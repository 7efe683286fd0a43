// Benchmark of the web app (issue 15): JavaScript a browser loads for the inbox route (gzip, as
// the API serves it) and the time from navigation to an interactive inbox, on a stack of its own
// (free ports, its own data folder), in Debian's chromium. Baseline, same run, same browser:
// navigating to the API's bare /health answer (what any page costs here before its own work).
// Usage: npm run bench:web [-- --rounds 7]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { startStack } from '../bench/stack.mjs';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');
const root = new URL('..', import.meta.url).pathname;
const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 7;
const PASSWORD = 'rollplan-demo-2027';

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function api(base, email, method, path, body) {
  const login = await fetch(`${base}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) });
  const { accessToken } = await login.json();
  const response = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' }, body: body && JSON.stringify(body) });
  return response.json();
}

const stack = await startStack('rollplan-bench-web');
const browser = await chromium.launch({ executablePath: process.env.ROLLPLAN_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'] });
try {
  // A cycle, so the finance head's inbox has work in it.
  await api(stack.base, 'admin@rollplan.example', 'POST', '/cycles', { title: 'Bench plan 2027–2029', startYear: 2027 });
  await new Promise((r) => setTimeout(r, 1500));

  // A person returning to the app: signed in before, the refresh cookie in the browser. Each
  // browser gets a login of its own (a refresh token is spent once; reuse ends the login).
  const signedInContext = async () => {
    const context = await browser.newContext({ baseURL: stack.base });
    const login = await context.request.post('/auth/login', { headers: { 'x-rollplan-client': 'web' }, data: { email: 'finance@rollplan.example', password: PASSWORD } });
    if (!login.ok()) throw new Error(`login failed: ${login.status()}`);
    return context;
  };

  const visit = async (path, ready, warmContext) => {
    const context = warmContext ?? (await signedInContext());
    const tab = await context.newPage();
    const scripts = new Set();
    tab.on('response', (r) => r.request().resourceType() === 'script' && scripts.add(new URL(r.url()).pathname));
    const started = performance.now();
    await tab.goto(path);
    await ready(tab);
    const ms = performance.now() - started;
    await tab.close();
    if (!warmContext) await context.close();
    return { ms, scripts: [...scripts] };
  };
  const inboxReady = (tab) => tab.locator('a.task-link').first().waitFor({ state: 'visible' });

  const baseline = [];
  const cold = [];
  const warm = [];
  let scripts = [];
  const warmContext = await signedInContext();
  const healthContext = await browser.newContext({ baseURL: stack.base });
  await visit('/app/inbox', inboxReady, warmContext); // fills the cache
  for (let i = 0; i < rounds; i++) {
    baseline.push((await visit('/health', (tab) => tab.waitForLoadState('load'), healthContext)).ms);
    const first = await visit('/app/inbox', inboxReady);
    cold.push(first.ms);
    scripts = first.scripts;
    warm.push((await visit('/app/inbox', inboxReady, warmContext)).ms);
  }
  await warmContext.close();
  await healthContext.close();

  const dist = join(root, 'apps/web/dist');
  const sizes = scripts.map((path) => {
    const raw = readFileSync(join(dist, path.replace(/^\/app\//, '')));
    return { path, raw: raw.length, gzip: gzipSync(raw).length };
  });
  const totalGzip = sizes.reduce((sum, s) => sum + s.gzip, 0);
  const totalRaw = sizes.reduce((sum, s) => sum + s.raw, 0);
  const result = {
    machine: `${process.platform} ${process.arch}, node ${process.version}`,
    rounds,
    inboxJavaScript: { files: sizes.length, rawKB: +(totalRaw / 1024).toFixed(1), gzipKB: +(totalGzip / 1024).toFixed(1), targetGzipKB: 350 },
    baselineHealthMs: +median(baseline).toFixed(0),
    inboxInteractiveColdMs: +median(cold).toFixed(0),
    inboxInteractiveWarmMs: +median(warm).toFixed(0),
  };
  console.log(`\nweb app, ${rounds} rounds, medians (chromium ${browser.version()})`);
  console.log('| measure | value |\n|---|---|');
  console.log(`| JavaScript for the inbox route | ${sizes.length} files, ${result.inboxJavaScript.gzipKB} KB gzip (${result.inboxJavaScript.rawKB} KB raw); target ≤ 350 KB gzip |`);
  console.log(`| baseline: navigate to /health | ${result.baselineHealthMs} ms |`);
  console.log(`| navigate → interactive inbox, empty cache | ${result.inboxInteractiveColdMs} ms (${(result.inboxInteractiveColdMs / result.baselineHealthMs).toFixed(1)}× baseline) |`);
  console.log(`| navigate → interactive inbox, cached files | ${result.inboxInteractiveWarmMs} ms (${(result.inboxInteractiveWarmMs / result.baselineHealthMs).toFixed(1)}× baseline) |`);
  for (const s of sizes.sort((a, b) => b.gzip - a.gzip)) console.log(`   ${String((s.gzip / 1024).toFixed(1)).padStart(7)} KB  ${s.path}`);
  mkdirSync(join(root, '.rollplan', 'bench'), { recursive: true });
  writeFileSync(join(root, '.rollplan', 'bench', 'web.json'), `${JSON.stringify(result, null, 2)}\n`);
} finally {
  await browser.close();
  await stack.stop();
}
