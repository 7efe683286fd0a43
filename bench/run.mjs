// Benchmark (issue 17): rollplan's product path against bare Temporal, side by side in one run on
// one dev server. Starts its own stack (free ports, its own data folder), a bare worker on a task
// queue of its own (bench/bare-worker.js, its own process), and measures:
//   - a reviewer's decision: HTTP POST /tasks/:id/complete vs a bare update, p50/p90/p99;
//   - decision lifecycles per second (open a request, decide it) at concurrency 8 and 32;
//   - cycles started and ready (contribution tasks open) per second;
//   - worker memory (RSS) per open cycle with the cache holding them;
//   - history events of one decision lifecycle;
//   - a decision's latency while a flood of cycle starts arrives (back-pressure at work);
//   - with many cycles open on one worker (10,000 in a full run): its RSS, and a decision's latency
//     on cycles the cache has mostly evicted.
// Prints a table with ratios and writes JSON to .rollplan/artifacts/bench/.
// Usage: npm run bench [-- --quick]
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { productClient, sleep, until } from './product.mjs';
import { startStack } from './stack.mjs';

const require = createRequire(import.meta.url);
const { Client, Connection } = require('@temporalio/client');
const root = new URL('..', import.meta.url).pathname;
const quick = process.argv.includes('--quick');
const SIZE = quick
  ? { latency: 30, lifecycles: 48, cycles: 12, memoryCycles: 60, flood: 100, floodDecisions: 10, openCycles: 400, openDecisions: 20 }
  : { latency: 120, lifecycles: 160, cycles: 30, memoryCycles: 300, flood: 500, floodDecisions: 30, openCycles: 10_000, openDecisions: 60 };
const sum = (byRole) => Object.values(byRole).reduce((a, b) => a + b, 0);

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}


/** Resident memory (MiB) of the first process `match` picks by pid and command line. */
function rssMiB(match) {
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!match(pid, cmdline)) continue;
      const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
      return kb / 1024;
    } catch {
      // the process ended meanwhile
    }
  }
  throw new Error('process not found');
}

/**
 * CPU time (ms) used so far by the processes `match` picks, by role: for each process its role
 * (or undefined to skip) from pid and command line. /proc/<pid>/stat fields 14 and 15, in ticks of 10 ms.
 */
function cpuMsByRole(roleOf) {
  const byRole = {};
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const role = roleOf(pid, readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
      if (!role) continue;
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      byRole[role] = (byRole[role] ?? 0) + (Number(fields[11]) + Number(fields[12])) * 10;
    } catch {
      // the process ended meanwhile
    }
  }
  return byRole;
}

async function main() {
  const startedAt = new Date().toISOString();
  const stack = await startStack('rollplan-bench', { LOG_LEVEL: 'warn' });
  const connection = await Connection.connect({ address: stack.temporal });
  const client = new Client({ connection });
  const bareQueue = `bare-${randomUUID().slice(0, 8)}`;
  const bare = fork(join(root, 'bench/bare-worker.js'), [stack.temporal, bareQueue], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    await new Promise((resolve, reject) => {
      bare.once('message', resolve);
      bare.once('exit', () => reject(new Error('the bare worker stopped')));
    });

    // --- the product side over HTTP, as a reviewer's client would call it (bench/product.mjs)
    const product = await productClient(stack.base, client);
    const { admin, finance, post } = product;
    const productOpen = product.open;
    const productDecide = product.decide;

    // --- the bare side on the same server
    const bareOpen = async () => client.workflow.start('bareDecision', { taskQueue: bareQueue, workflowId: `bare-${randomUUID()}` });
    const bareDecide = (handle) => handle.executeUpdate('decide', { args: [{ outcome: 'done' }] });

    const timed = async (fn) => {
      const started = process.hrtime.bigint();
      await fn();
      return Number(process.hrtime.bigint() - started) / 1e6;
    };

    // Warm both paths (bundles loaded, connections open).
    for (let i = 0; i < 5; i++) {
      await productDecide(await productOpen());
      await bareDecide(await bareOpen());
    }

    // 1. A decision's latency, one at a time, on tasks already open.
    const latency = {};
    for (const [side, open, decide] of [['product', productOpen, productDecide], ['bare', bareOpen, bareDecide]]) {
      const opened = [];
      for (let i = 0; i < SIZE.latency; i++) opened.push(await open());
      const samples = [];
      for (const task of opened) samples.push(await timed(() => decide(task)));
      latency[side] = { p50: percentile(samples, 50), p90: percentile(samples, 90), p99: percentile(samples, 99) };
    }

    // 2. Lifecycles per second (open + decide) at concurrency 8 and 32; the CPU they take, by process
    //    (the stack's processes carry its data folder in their environment; the bench's client is apart).
    const inStack = (pid) => {
      try {
        return readFileSync(`/proc/${pid}/environ`, 'utf8').includes(stack.dataDir);
      } catch {
        return false;
      }
    };
    // PostgreSQL runs as its own user (runuser resets the environment) and may keep its cluster
    // outside the data folder: its server is the postgres process on the stack's port, its
    // backends that process's children.
    const parentOf = (pid) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1];
    const isPostgres = (pid, cmd) => /(^|\/)postgres\0/.test(cmd) && cmd.includes(`\0-p\0${stack.postgresPort}\0`);
    const roleOf = (pid, cmd) => {
      if (Number(pid) === bare.pid) return 'bare worker';
      if (isPostgres(pid, cmd)) return 'postgres';
      if (cmd.startsWith('postgres:')) {
        const parent = parentOf(pid);
        return isPostgres(parent, readFileSync(`/proc/${parent}/cmdline`, 'utf8')) ? 'postgres' : undefined;
      }
      if (!inStack(pid)) return undefined;
      if (cmd.includes('apps/api/dist/main.js')) return 'api';
      if (cmd.includes('apps/worker/dist/main.js')) return 'worker';
      if (cmd.includes('temporal')) return 'temporal';
      if (cmd.includes('redis')) return 'redis';
      return undefined;
    };
    const cpu = {};
    const lifecycles = {};
    for (const concurrency of [8, 32]) {
      for (const [side, open, decide] of [['product', productOpen, productDecide], ['bare', bareOpen, bareDecide]]) {
        let next = 0;
        const cpuBefore = cpuMsByRole(roleOf);
        const started = Date.now();
        await Promise.all(
          Array.from({ length: concurrency }, async () => {
            while (next++ < SIZE.lifecycles) await decide(await open());
          }),
        );
        lifecycles[`${side}@${concurrency}`] = SIZE.lifecycles / ((Date.now() - started) / 1000);
        if (concurrency === 8) {
          const cpuAfter = cpuMsByRole(roleOf);
          cpu[side] = Object.fromEntries(Object.entries(cpuAfter).map(([role, ms]) => [role, (ms - (cpuBefore[role] ?? 0)) / SIZE.lifecycles]).filter(([, ms]) => ms > 0));
        }
      }
    }

    // 3. History events of one decision lifecycle.
    const productTask = await productOpen();
    await productDecide(productTask);
    const bareHandle = await bareOpen();
    await bareDecide(bareHandle);
    await until(() => client.workflow.getHandle(productTask.requestId).describe(), (d) => d.status.name === 'COMPLETED', 'the request completed');
    await bareHandle.result();
    const events = {
      product: (await client.workflow.getHandle(productTask.requestId).fetchHistory()).events.length,
      bare: (await bareHandle.fetchHistory()).events.length,
    };

    // 4. Cycles started and ready (every contributing unit's task open), concurrency 4; then
    //    memory per open cycle with all of them cached.
    // The worker's V8 heap in use and reserved, and its external memory (buffers), from its
    // Prometheus endpoint (port in processes.json): what of its RSS is live.
    const workerMemoryMiB = async () => {
      const { port } = JSON.parse(readFileSync(join(stack.dataDir, 'processes.json'), 'utf8')).processes.worker;
      const text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
      const mib = (name) => Number(new RegExp(`^${name}\\S* (\\S+)$`, 'm').exec(text)?.[1]) / 2 ** 20;
      return { heapUsed: mib('nodejs_heap_size_used_bytes'), heapTotal: mib('nodejs_heap_size_total_bytes'), external: mib('nodejs_external_memory_bytes') };
    };
    const workerRss = () => rssMiB((pid, cmd) => cmd.includes('apps/worker/dist/main.js') && readFileSync(`/proc/${pid}/environ`, 'utf8').includes(stack.dataDir));
    const bareRss = () => rssMiB((pid) => Number(pid) === bare.pid);
    const cycleIds = [];
    const productCycle = async (i) => {
      const { id } = await post('/cycles', { title: `Bench cycle ${i} ${randomUUID().slice(0, 6)}`, startYear: 2030 });
      cycleIds.push(id);
      await until(() => admin().then((headers) => fetch(`${stack.base}/cycles/${id}`, { headers })).then((r) => r.json()), (c) => (c.pending ?? []).filter((t) => t.kind === 'plan.contribution').length >= 5, 'contributions open');
    };
    const bareCycle = async () => {
      const handle = await client.workflow.start('bareCycle', { taskQueue: bareQueue, workflowId: `bare-cycle-${randomUUID()}` });
      await until(() => handle.fetchHistory().then((h) => h.events.filter((e) => e.activityTaskCompletedEventAttributes).length), (n) => n >= 7, 'bare cycle ready');
    };
    const cyclesPerSecond = {};
    const memory = {};
    for (const [side, start, rss] of [['product', productCycle, workerRss], ['bare', bareCycle, bareRss]]) {
      const before = rss();
      let next = 0;
      const started = Date.now();
      await Promise.all(Array.from({ length: 4 }, async () => {
        while (next < SIZE.cycles) await start(next++);
      }));
      cyclesPerSecond[side] = SIZE.cycles / ((Date.now() - started) / 1000);
      for (let i = SIZE.cycles; i < SIZE.memoryCycles; ) await Promise.all(Array.from({ length: 8 }, () => (i++ < SIZE.memoryCycles ? start(i) : undefined)));
      await sleep(2000);
      memory[side] = { beforeMiB: before, afterMiB: rss(), perCycleMiB: (rss() - before) / SIZE.memoryCycles };
    }

    // 5. A flood of cycle starts (all posted at once, retried on 503) while a reviewer decides:
    //    what back-pressure leaves of a decision's latency.
    const refusedBefore = product.state.refused;
    const flood = Promise.all(Array.from({ length: SIZE.flood }, (_, i) => post('/cycles', { title: `Flood ${i} ${randomUUID().slice(0, 6)}`, startYear: 2031 }).then(({ id }) => cycleIds.push(id))));
    const duringFlood = [];
    const floodTasks = [];
    for (let i = 0; i < SIZE.floodDecisions; i++) floodTasks.push(await productOpen());
    for (const task of floodTasks) duringFlood.push(await timed(() => productDecide(task)));
    await flood;
    const floodLatency = { p50: percentile(duringFlood, 50), p99: percentile(duringFlood, 99), max: Math.max(...duringFlood), refused: product.state.refused - refusedBefore };

    // 6. Many cycles open on the one worker, as `npm start` runs it (its cache sized from its heap):
    //    start cycles 16 at a time until SIZE.openCycles are open, then decide contributions on
    //    cycles picked across all of them, most long evicted from the cache (each replays first).
    const openStarted = Date.now();
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (cycleIds.length < SIZE.openCycles) {
          const { id } = await post('/cycles', { title: `Open ${cycleIds.length} ${randomUUID().slice(0, 6)}`, startYear: 2032 });
          cycleIds.push(id);
        }
      }),
    );
    const contribution = { area: 'finance', funding: 'Bench.', investmentCapacity: 'Bench.', financingCapacity: 'Bench.', financialPosition: 'Bench.' };
    const picked = Array.from({ length: SIZE.openDecisions }, (_, i) => cycleIds[Math.floor(((i + 0.5) / SIZE.openDecisions) * cycleIds.length)]);
    const financeTask = (cycleId) =>
      until(() => finance().then((headers) => fetch(`${stack.base}/tasks?cycleId=${cycleId}&kind=plan.contribution`, { headers })).then((r) => r.json()), (page) => page.items?.length > 0, 'the finance task open', 600_000).then((page) => page.items[0].id);
    // Quiet first: every cycle's finance task open (the starts' backlog worked off).
    await until(() => finance().then((headers) => fetch(`${stack.base}/tasks?kind=plan.contribution&limit=1`, { headers })).then((r) => r.json()), (page) => page.total >= cycleIds.length, 'every cycle ready', 1_800_000);
    const openSeconds = (Date.now() - openStarted) / 1000;
    const openTasks = [];
    for (const cycleId of picked) openTasks.push(await financeTask(cycleId));
    const withOpen = [];
    for (const taskId of openTasks) {
      withOpen.push(
        await timed(async () => {
          const response = await fetch(`${stack.base}/tasks/${taskId}/complete`, { method: 'POST', headers: await finance(), body: JSON.stringify({ outcome: 'submitted', payload: contribution }) });
          if (!response.ok) throw new Error(`decision with ${cycleIds.length} cycles open: ${response.status} ${await response.text()}`);
        }),
      );
    }
    const open = { cycles: cycleIds.length, startedPerSecond: (cycleIds.length - SIZE.memoryCycles - SIZE.flood) / openSeconds, workerRssMiB: workerRss(), workerMemoryMiB: await workerMemoryMiB(), p50: percentile(withOpen, 50), p99: percentile(withOpen, 99), max: Math.max(...withOpen) };

    const rows = [
      ['decision latency p50 (ms)', latency.product.p50, latency.bare.p50],
      ['decision latency p90 (ms)', latency.product.p90, latency.bare.p90],
      ['decision latency p99 (ms)', latency.product.p99, latency.bare.p99],
      ['lifecycles/s, concurrency 8', lifecycles['product@8'], lifecycles['bare@8']],
      ['lifecycles/s, concurrency 32', lifecycles['product@32'], lifecycles['bare@32']],
      ['cycles started and ready /s (concurrency 4)', cyclesPerSecond.product, cyclesPerSecond.bare],
      [`worker RSS per open cycle (MiB, ${SIZE.memoryCycles} cycles)`, memory.product.perCycleMiB, memory.bare.perCycleMiB],
      ['history events per decision lifecycle', events.product, events.bare],
      ['CPU per decision lifecycle, all processes (ms)', sum(cpu.product), sum(cpu.bare)],
    ];
    const perRole = (side) => Object.entries(cpu[side]).sort(([, a], [, b]) => b - a).map(([role, ms]) => `${role} ${fmt(ms)}`).join(', ');
    const fmt = (n) => (Number.isInteger(n) ? String(n) : n.toFixed(n < 10 ? 2 : 1));
    const lines = ['| metric | product | bare | ratio |', '|---|---|---|---|', ...rows.map(([name, p, b]) => `| ${name} | ${fmt(p)} | ${fmt(b)} | ${(p / b).toFixed(2)} |`)];
    const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}`;
    console.log(`\nrollplan bench ${quick ? '(quick) ' : ''}${startedAt}, ${machine}\n`);
    console.log(lines.join('\n'));
    console.log(`\nCPU per decision lifecycle (ms, concurrency 8): product ${perRole('product')}; bare ${perRole('bare')}`);
    console.log(`\nduring a flood of ${SIZE.flood} cycle starts: decision p50 ${fmt(floodLatency.p50)} ms, p99 ${fmt(floodLatency.p99)} ms, max ${fmt(floodLatency.max)} ms (idle: ${fmt(latency.product.p50)} / ${fmt(latency.product.p99)}); starts refused with 503 and retried: ${floodLatency.refused}`);
    console.log(`with ${open.cycles} cycles open on one worker: worker RSS ${fmt(open.workerRssMiB)} MiB (V8 heap in use ${fmt(open.workerMemoryMiB.heapUsed)} of ${fmt(open.workerMemoryMiB.heapTotal)} MiB, external ${fmt(open.workerMemoryMiB.external)} MiB); a decision on a cycle picked across them p50 ${fmt(open.p50)} ms, p99 ${fmt(open.p99)} ms, max ${fmt(open.max)} ms (${SIZE.openDecisions} decisions); cycles started ${fmt(open.startedPerSecond)}/s meanwhile`);
    const out = join(root, '.rollplan/artifacts/bench');
    mkdirSync(out, { recursive: true });
    const file = join(out, `bench-${startedAt.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, JSON.stringify({ startedAt, quick, machine, size: SIZE, latency, lifecycles, cyclesPerSecond, memory, events, floodLatency, open, cpu }, null, 2));
    console.log(`written: ${file}`);
  } finally {
    bare.kill('SIGINT');
    await connection.close();
    await stack.stop();
  }
}

await main();
