// Benchmark (issue 19): decision lifecycles per second (an ad-hoc request opened over HTTP, then
// decided) on the cluster profile with one rollplan worker and with two, against `npm start`'s dev
// server as the baseline, one after the other in the same run on this machine. Also measures the
// inputs of docs/scaling.md's estimate: history events and Temporal database bytes per lifecycle
// and per cycle started, and how busy the machine's cores were.
// Prints a table and writes JSON to .rollplan/artifacts/bench/.
// Usage: npm run bench:cluster [-- --quick]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { lifecyclesPerSecond, productClient, sleep, until } from './product.mjs';
import { startStack } from './stack.mjs';

const require = createRequire(import.meta.url);
const { Client, Connection } = require('@temporalio/client');
const { Client: PgClient } = require('pg');
const root = new URL('..', import.meta.url).pathname;
const quick = process.argv.includes('--quick');
const SIZE = quick ? { lifecycles: 48, cycles: 8 } : { lifecycles: 200, cycles: 40 };

/** Busy share of all cores between two readings of /proc/stat. */
function cpuTimes() {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const idle = fields[3] + fields[4];
  return { idle, total: fields.reduce((a, b) => a + b, 0) };
}
const busy = (before, after) => 1 - (after.idle - before.idle) / (after.total - before.total);

/**
 * Bytes of Temporal's two databases, and of the histories alone (history_node/history_tree, what a
 * long-lived cycle keeps; the rest is mutable state and visibility, rewritten in place and vacuumed).
 */
async function temporalBytes(stack) {
  const db = new PgClient({ connectionString: `postgres://rollplan:rollplan@127.0.0.1:${stack.postgresPort}/temporal` });
  await db.connect();
  try {
    const { rows } = await db.query(
      `SELECT (SELECT sum(pg_database_size(datname)) FROM pg_database WHERE datname IN ('temporal', 'temporal_visibility'))::bigint AS total,
              (pg_total_relation_size('history_node') + pg_total_relation_size('history_tree'))::bigint AS history`,
    );
    return { total: Number(rows[0].total), history: Number(rows[0].history) };
  } finally {
    await db.end();
  }
}

const perItem = (after, before, count) => ({ total: (after.total - before.total) / count, history: (after.history - before.history) / count });

async function measure(name, env, args) {
  const stack = await startStack(`rollplan-bench-${name}`, { LOG_LEVEL: 'warn', ...env }, args);
  const connection = await Connection.connect({ address: stack.temporal });
  const client = new Client({ connection });
  try {
    const product = await productClient(stack.base, client);
    for (let i = 0; i < 5; i++) await product.decide(await product.open()); // warm
    const cluster = args.includes('--cluster');
    const bytesBefore = cluster ? await temporalBytes(stack) : undefined;
    const result = { name };
    for (const concurrency of [8, 32]) {
      const before = cpuTimes();
      result[`lifecycles@${concurrency}`] = await lifecyclesPerSecond(product, SIZE.lifecycles, concurrency);
      result[`busy@${concurrency}`] = busy(before, cpuTimes());
    }
    // One lifecycle's history, and (on the cluster, whose histories live in PostgreSQL) its bytes.
    const task = await product.open();
    await product.decide(task);
    await until(() => client.workflow.getHandle(task.requestId).describe(), (d) => d.status.name === 'COMPLETED', 'the request completed');
    result.eventsPerLifecycle = (await client.workflow.getHandle(task.requestId).fetchHistory()).events.length;
    if (cluster) {
      await sleep(1000);
      result.bytesPerLifecycle = perItem(await temporalBytes(stack), bytesBefore, 2 * SIZE.lifecycles + 1);
      // Cycles started until every contributing unit's task is open (a planning cycle's first step).
      const cyclesBefore = await temporalBytes(stack);
      const started = Date.now();
      for (let i = 0; i < SIZE.cycles; i += 4) {
        await Promise.all(
          Array.from({ length: Math.min(4, SIZE.cycles - i) }, async (_, j) => {
            const { id } = await product.post('/cycles', { title: `Bench cycle ${i + j}`, startYear: 2030 });
            await until(() => product.admin().then((headers) => fetch(`${stack.base}/cycles/${id}`, { headers })).then((r) => r.json()), (c) => (c.pending ?? []).filter((t) => t.kind === 'plan.contribution').length >= 5, 'contributions open');
          }),
        );
      }
      result.cyclesPerSecond = SIZE.cycles / ((Date.now() - started) / 1000);
      await sleep(1000);
      result.bytesPerCycleStarted = perItem(await temporalBytes(stack), cyclesBefore, SIZE.cycles);
    }
    return result;
  } finally {
    await connection.close();
    await stack.stop();
  }
}

async function main() {
  const startedAt = new Date().toISOString();
  const runs = [
    await measure('dev-server', {}, []),
    await measure('cluster-1-worker', { ROLLPLAN_WORKERS: '1' }, ['--cluster']),
    await measure('cluster-2-workers', { ROLLPLAN_WORKERS: '2' }, ['--cluster']),
  ];
  const [baseline] = runs;
  const fmt = (n, digits = 1) => (n === undefined ? '-' : n.toFixed(digits));
  const bytes = (b) => (b ? `${fmt(b.total, 0)} (${fmt(b.history, 0)})` : '-');
  const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'})`;
  console.log(`\nrollplan cluster bench ${quick ? '(quick) ' : ''}${startedAt}, ${machine}; ${SIZE.lifecycles} lifecycles per figure\n`);
  console.log('| stack | lifecycles/s @8 | vs dev server | cores busy | lifecycles/s @32 | vs dev server | cores busy | events/lifecycle | Temporal DB bytes/lifecycle (histories) | cycles started/s | Temporal DB bytes/cycle started (histories) |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of runs) {
    console.log(
      `| ${r.name} | ${fmt(r['lifecycles@8'])} | ${fmt(r['lifecycles@8'] / baseline['lifecycles@8'], 2)}× | ${fmt(100 * r['busy@8'], 0)} % | ${fmt(r['lifecycles@32'])} | ${fmt(r['lifecycles@32'] / baseline['lifecycles@32'], 2)}× | ${fmt(100 * r['busy@32'], 0)} % | ${r.eventsPerLifecycle} | ${bytes(r.bytesPerLifecycle)} | ${fmt(r.cyclesPerSecond, 2)} | ${bytes(r.bytesPerCycleStarted)} |`,
    );
  }
  const dir = join(root, '.rollplan', 'artifacts', 'bench');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `cluster-${startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ startedAt, quick, machine, size: SIZE, runs }, null, 2));
  console.log(`\nwritten: ${file}`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
