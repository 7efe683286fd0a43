import { readFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import request from 'supertest';
import { OrgUnitEntity } from '@rollplan/db';
import { contributionFor } from '../support/plans';
import { DEMO, eventually, startTestSystem, type TestSystem } from '../support/system';
import { startWorkerProcess } from '../support/worker-process';

const HEAP_MIB = 224;
const CYCLES = 120;

function rssMiB(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;
}

// Issue 17: with the SDK's default cache the workflow thread ran out of heap at about 2,250 open
// cycles (ERR_WORKER_OUT_OF_MEMORY) and took the stack down. The worker now sizes its cache from
// its heap (apps/worker/src/cache-size.ts): given a small heap and three times as many open cycles
// as its cache holds, it evicts, replays the cycles it dropped when someone acts on them, and stays up.
describe('a worker with a small heap and many open cycles', () => {
  let system: TestSystem;
  let worker: ChildProcess;
  const log: string[] = [];

  beforeAll(async () => {
    system = await startTestSystem({ LOG_LEVEL: 'error' }, { worker: false });
    worker = startWorkerProcess(system, { nodeArgs: [`--max-old-space-size=${HEAP_MIB}`], env: { LOG_LEVEL: 'info' }, onLog: (line) => log.push(line) });
  });
  afterAll(async () => {
    worker?.kill('SIGKILL');
    await system?.stop();
  });

  it('keeps its cache to what the heap holds, evicts, and answers on every cycle', async () => {
    const started = await eventually(async () => log.map((line) => JSON.parse(line) as Record<string, unknown>).find((entry) => entry.msg === 'worker started'), (entry) => entry !== undefined, 30_000);
    // Three quarters of the heap above 200 MiB at 1.5 MiB per execution (V8's limit adds the young generation).
    const heapLimit = started!.heapLimitMiB as number;
    expect(heapLimit).toBeGreaterThanOrEqual(HEAP_MIB);
    expect(heapLimit).toBeLessThan(HEAP_MIB + 64);
    const cacheSize = started!.maxCachedWorkflows as number;
    expect(cacheSize).toBe(Math.floor(((heapLimit - 200) * 0.75) / 1.5));
    expect(CYCLES).toBeGreaterThanOrEqual(3 * cacheSize);

    const admin = request.agent(system.baseUrl).auth(await system.tokenFor(DEMO.admin), { type: 'bearer' });
    const finance = request.agent(system.baseUrl).auth(await system.tokenFor(DEMO.finance), { type: 'bearer' });
    const units = Object.fromEntries((await system.db.dataSource.getRepository(OrgUnitEntity).find()).map((u) => [u.code, u.id]));
    const cycleIds: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        while (next < CYCLES) {
          const i = next++;
          for (;;) {
            const response = await admin.post('/cycles').set('Idempotency-Key', `heap-${i}`).send({ title: `Heap plan ${i}`, startYear: 2030, contributingUnitIds: [units['finance']] });
            if (response.status === 201) {
              cycleIds[i] = response.body.id;
              break;
            }
            expect(response.status).toBe(503); // back-pressure: wait and retry
            await new Promise((r) => setTimeout(r, 250));
          }
        }
      }),
    );
    const open = await eventually(
      () => finance.get('/tasks').query({ kind: 'plan.contribution', limit: 200 }).then((r) => r.body.items as { id: string; cycleId: string }[]),
      (items) => items.length === CYCLES,
      120_000,
    );

    // The first cycles left the cache long ago: a decision on them replays them first.
    const byCycle = new Map(open.map((task) => [task.cycleId, task.id]));
    const took: number[] = [];
    for (const cycleId of cycleIds.slice(0, 10)) {
      const began = Date.now();
      const response = await finance.post(`/tasks/${byCycle.get(cycleId)}/complete`).send({ outcome: 'submitted', payload: contributionFor('finance') });
      took.push(Date.now() - began);
      expect(response.status).toBe(200);
    }
    const first = await eventually(() => admin.get(`/cycles/${cycleIds[0]}`).then((r) => r.body), (cycle) => (cycle.pending ?? []).every((t: { kind: string }) => t.kind !== 'plan.contribution'), 30_000);
    expect(first.phase).toBe('drafting');
    expect(worker.exitCode).toBeNull();
    expect(log.filter((line) => /OUT_OF_MEMORY|heap out of memory/i.test(line))).toEqual([]);
    console.log(`worker heap tier: ${CYCLES} open cycles on a ${HEAP_MIB} MiB heap (cache ${cacheSize}); RSS ${rssMiB(worker.pid!).toFixed(0)} MiB; decisions on evicted cycles took ${took.join(', ')} ms`);
  }, 300_000);
});
