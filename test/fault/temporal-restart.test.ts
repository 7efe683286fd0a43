import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { freePort, startTemporalDevServer, type RunningTemporal } from '@rollplan/devstack';
import { OrgUnitEntity } from '@rollplan/db';
import { contributionFor, samplePlan } from '../support/plans';
import { DEMO, eventually, startTestSystem, type TestSystem } from '../support/system';

// Temporal restarted (issue 14): the dev server is killed (-9) in the middle of a cycle's review
// and started again on the same SQLite file; the cycle goes on from where it was, and nothing
// decided before is lost. The test runs its own dev server, so others are not disturbed.
describe('Temporal restarted mid-cycle', () => {
  let dir: string;
  let port: number;
  let temporal: RunningTemporal;
  let system: TestSystem;
  const start = () => startTemporalDevServer({ port, dbFile: join(dir, 'temporal.db'), logFile: join(dir, 'temporal.log') });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rollplan-restart-'));
    port = await freePort();
    temporal = await start();
    system = await startTestSystem({ TEMPORAL_CALL_TIMEOUT_MS: '3000' }, { temporalAddress: temporal.address });
  }, 120_000);
  afterAll(async () => {
    await system?.stop();
    await temporal?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('goes on with the cycle after a kill -9 and a restart, nothing decided lost', async () => {
    const as = async (email: string) => request.agent(system.baseUrl).auth(await system.tokenFor(email), { type: 'bearer' });
    const admin = await as(DEMO.admin);
    const units = Object.fromEntries((await system.db.dataSource.getRepository(OrgUnitEntity).find()).map((u) => [u.code, u.id]));
    const { body: cycle } = await admin.post('/cycles').send({ title: 'Across a restart', startYear: 2028, contributingUnitIds: [units['finance']] }).expect(201);
    const decide = async (email: string, kind: string, outcome: string, payload?: object) => {
      const agent = await as(email);
      const [task] = await eventually(() => agent.get('/tasks').query({ cycleId: cycle.id, kind }).then((r) => r.body.items), (items) => items.length > 0, 30_000);
      // Retried on 503 while Temporal comes back, with the same key: one decision.
      const response = await eventually(() => agent.post(`/tasks/${task.id}/complete`).set('Idempotency-Key', `${task.id}-once`).send({ outcome, ...(payload ? { payload } : {}) }), (r) => r.status !== 503, 60_000);
      expect(response.status).toBe(200);
    };
    await decide(DEMO.finance, 'plan.contribution', 'submitted', contributionFor('finance'));
    await admin.post(`/cycles/${cycle.id}/drafts`).send(samplePlan({ finance: units['finance'], customer: units['customer'] }, 2028)).expect(201);
    await decide(DEMO.reviewer, 'plan.review', 'approve');

    process.kill(temporal.process.pid, 'SIGKILL');
    await temporal.process.exited;
    expect((await admin.get(`/cycles/${cycle.id}`)).status).toBe(503);
    temporal = await start();

    await decide('reviewer2@rollplan.example', 'plan.review', 'approve');
    await decide(DEMO.chair, 'plan.final_approval', 'approve');
    const executing = await eventually(() => admin.get(`/cycles/${cycle.id}`).then((r) => r.body), (c) => c.phase === 'execution', 60_000);
    expect(executing).toMatchObject({ phase: 'execution', effectiveVersion: 1, round: 1 });
    expect(executing.contributions).toMatchObject([{ status: 'submitted' }]);
  }, 180_000);
});
