import type { ChildProcess } from 'node:child_process';
import request from 'supertest';
import { In } from 'typeorm';
import { reconcile } from '@rollplan/api';
import { AuditLogEntity, NotificationEntity, OrgUnitEntity, TaskEntity } from '@rollplan/db';
import { contributionFor, samplePlan } from '../support/plans';
import { DEMO, eventually, startTestSystem, type TestSystem } from '../support/system';
import { startWorkerProcess } from '../support/worker-process';

const REVIEWER2 = 'reviewer2@rollplan.example';

// kill -9 of the worker at random moments while cycles are driven over HTTP (issue 14): every
// acknowledged decision is there exactly once, none is lost, no cycle is stuck, no in-app
// notification is doubled, and the read models match the workflows afterwards.
describe('the worker killed at random moments', () => {
  let system: TestSystem;
  let worker: ChildProcess | undefined;
  let kills = 0;

  function startWorker() {
    worker = startWorkerProcess(system);
  }
  /** When the last kill happened, and how long each took until the next acknowledged request. */
  let killedAt: number | undefined;
  const takeovers: number[] = [];
  function killWorker() {
    worker?.kill('SIGKILL');
    kills += 1;
    killedAt ??= Date.now();
    startWorker();
  }

  beforeAll(async () => {
    system = await startTestSystem({ TEMPORAL_CALL_TIMEOUT_MS: '3000', LOG_LEVEL: 'error' }, { worker: false });
    startWorker();
  });
  afterAll(async () => {
    worker?.kill('SIGKILL');
    await system?.stop();
  });

  it('loses no acknowledged decision and doubles none', async () => {
    const as = async (email: string) => request.agent(system.baseUrl).auth(await system.tokenFor(email), { type: 'bearer' });
    const units = Object.fromEntries((await system.db.dataSource.getRepository(OrgUnitEntity).find()).map((u) => [u.code, u.id]));
    const admin = await as(DEMO.admin);
    // A decision is acknowledged by its 2xx; a 503 (no worker in time) is retried with the same key.
    const acknowledged: { taskId?: string; key: string }[] = [];
    let random = 7;
    const chance = () => ((random = (random * 48271) % 2147483647) % 100) / 100;
    async function send(call: () => request.Test, key: string, taskId?: string) {
      for (let attempt = 0; attempt < 40; attempt++) {
        if (chance() < 0.25) killWorker();
        const response = await call();
        if (response.status < 300) {
          if (killedAt !== undefined) takeovers.push(Date.now() - killedAt);
          killedAt = undefined;
          acknowledged.push({ taskId, key });
          return response;
        }
        if (response.status !== 503) throw new Error(`${key}: ${response.status} ${JSON.stringify(response.body)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
      throw new Error(`${key} never went through`);
    }
    async function decide(email: string, cycleId: string, kind: string, outcome: string, payload?: object) {
      const agent = await as(email);
      const [task] = await eventually(() => agent.get('/tasks').query({ cycleId, kind }).then((r) => (r.status === 200 ? r.body.items : [])), (items) => items.length > 0, 30_000);
      const key = `${task.id}:${outcome}`;
      await send(() => agent.post(`/tasks/${task.id}/complete`).set('Idempotency-Key', key).send({ outcome, ...(payload ? { payload } : {}) }), key, task.id);
    }

    const cycleIds: string[] = [];
    for (let i = 0; i < 3; i++) {
      const key = `crash-cycle-${i}`;
      const { body } = await send(() => admin.post('/cycles').set('Idempotency-Key', key).send({ title: `Crash plan ${i}`, startYear: 2028, contributingUnitIds: [units['finance']] }), key);
      cycleIds.push(body.id);
    }
    for (const id of cycleIds) {
      await decide(DEMO.finance, id, 'plan.contribution', 'submitted', contributionFor('finance'));
      const key = `draft-${id}`;
      await send(() => admin.post(`/cycles/${id}/drafts`).set('Idempotency-Key', key).send(samplePlan({ finance: units['finance'], customer: units['customer'] }, 2028)), key);
      await decide(DEMO.reviewer, id, 'plan.review', 'approve');
      await decide(REVIEWER2, id, 'plan.review', 'approve');
      await decide(DEMO.chair, id, 'plan.final_approval', 'approve');
    }
    worker?.kill('SIGKILL');
    startWorker();
    const sorted = [...takeovers].sort((a, b) => a - b);
    console.log(`worker crash tier: ${kills} kill -9s across ${acknowledged.length} acknowledged requests; from a kill to the next acknowledged request: median ${sorted[Math.floor(sorted.length / 2)] ?? '-'} ms, max ${sorted.at(-1) ?? '-'} ms`);
    expect(kills).toBeGreaterThan(0);

    // No stuck cycle: every one reaches execution with version 1 in force.
    for (const id of cycleIds) {
      const cycle = await eventually(() => admin.get(`/cycles/${id}`).then((r) => r.body), (c) => c.phase === 'execution', 60_000);
      expect(cycle).toMatchObject({ phase: 'execution', effectiveVersion: 1, versions: [1] });
    }
    // Every acknowledged decision exactly once: one decided row and one audit record each.
    const decided = acknowledged.filter((a) => a.taskId).map((a) => a.taskId!);
    expect(new Set(decided).size).toBe(decided.length);
    const rows = await system.db.dataSource.getRepository(TaskEntity).findBy({ id: In(decided) });
    expect(rows.filter((t) => t.status !== 'completed')).toEqual([]);
    const records = await system.db.dataSource.getRepository(AuditLogEntity).findBy({ action: 'task.completed', subjectId: In(decided) });
    expect(records.map((r) => r.subjectId).sort()).toEqual([...decided].sort());
    // No in-app notification twice.
    const notes = await system.db.dataSource.getRepository(NotificationEntity).find();
    const pairs = notes.map((n) => `${n.userId}:${n.sourceId}`);
    expect(pairs.length).toBe(new Set(pairs).size);
    // Read models match the workflows.
    expect(await eventually(() => reconcile(system.db.dataSource, system.temporal, { cycleIds }), (m) => m.length === 0, 30_000)).toEqual([]);
  }, 300_000);
});
