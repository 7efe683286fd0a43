import request from 'supertest';
import { AuditLogEntity, NotificationEntity, OrgUnitEntity, TaskEntity } from '@rollplan/db';
import { addMonths, formatPeriod } from '@rollplan/domain';
import { harnessEnv } from '../support/harness-env';
import { samplePlan } from '../support/plans';
import { DEMO, eventually, startTestSystem, type TestSystem } from '../support/system';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { orgMonthNow } from '../support/org-time';

/** How long Redis stays away (30 s in the issue; shortened for CI, every kind of work still exercised). */
const OUTAGE_MS = 6000;

// Redis down (issue 14, items 3 and 4): decisions are still accepted (they need only Temporal and
// PostgreSQL), a CSV import sent meanwhile is accepted and imported once Redis is back, and the
// notifications of everything that happened meanwhile are delivered after, each exactly once.
describe('Redis down', () => {
  let system: TestSystem;
  let redis: TcpProxy;
  beforeAll(async () => {
    const url = new URL(harnessEnv().ROLLPLAN_TEST_REDIS_URL);
    redis = await startTcpProxy({ host: url.hostname, port: Number(url.port) });
    system = await startTestSystem({ REDIS_URL: `redis://${redis.address}` });
  });
  afterAll(async () => {
    await system?.stop();
    await redis?.close();
  });

  it('accepts decisions and imports meanwhile, and delivers them all once it is back', async () => {
    const as = async (email: string) => request.agent(system.baseUrl).auth(await system.tokenFor(email), { type: 'bearer' });
    const admin = await as(DEMO.admin);
    const finance = await as(DEMO.finance);
    const units = Object.fromEntries((await system.db.dataSource.getRepository(OrgUnitEntity).find()).map((u) => [u.code, u.id]));
    // A plan in execution whose last month takes actuals (its earlier months skipped).
    const thisMonth = orgMonthNow();
    const open = formatPeriod(addMonths(thisMonth, -1));
    const year = addMonths(thisMonth, -1).year;
    const { body: cycle } = await admin.post('/cycles').send({ title: 'Through a Redis outage', startYear: year, contributingUnitIds: [units['finance']], rollingAdjustment: { auto: false } }).expect(201);
    await eventually(() => admin.get(`/cycles/${cycle.id}`).then((r) => r.body), (c) => c.pending?.length === 1);
    await admin.post(`/cycles/${cycle.id}/contributions/${units['finance']}/waive`).send({ reason: 'agreed' }).expect(200);
    await admin.post(`/cycles/${cycle.id}/drafts`).send(samplePlan({ finance: units['finance'], customer: units['customer'] }, year)).expect(201);
    for (const email of [DEMO.reviewer, 'reviewer2@rollplan.example', DEMO.chair]) {
      const agent = await as(email);
      const [task] = await eventually(() => agent.get('/tasks').query({ cycleId: cycle.id }).then((r) => r.body.items), (items) => items.length > 0);
      await agent.post(`/tasks/${task.id}/complete`).send({ outcome: 'approve' }).expect(200);
    }
    await eventually(() => admin.get(`/cycles/${cycle.id}`).then((r) => r.body), (c) => c.currentPeriod === open, 30_000);

    redis.cut();
    let importId: string;
    let requestTaskId: string;
    try {
      // A request to the finance head and its decision: Temporal and PostgreSQL only.
      const { requestId } = (await admin.post('/tasks').set('Idempotency-Key', 'during-outage').send({ kind: 'adhoc.request', title: 'Confirm the Q3 forecast', assignee: { type: 'user', userId: system.userIds[DEMO.finance] }, dueAt: new Date(Date.now() + 7 * 86_400_000).toISOString() }).expect(201)).body;
      const [task] = await eventually(() => system.db.dataSource.getRepository(TaskEntity).findBy({ workflowId: requestId }), (rows) => rows.length > 0);
      requestTaskId = task.id;
      await finance.post(`/tasks/${task.id}/complete`).send({ outcome: 'done', comment: 'confirmed' }).expect(200);
      // A CSV import: stored and accepted; its job waits for Redis.
      const accepted = await finance.post(`/cycles/${cycle.id}/periods/${open}/imports`).set('content-type', 'text/csv').send('kpi_id,value\nrevenue-cny,790\n').expect(202);
      importId = accepted.body.id;
      expect(accepted.body.status).toBe('queued');
      await new Promise((r) => setTimeout(r, OUTAGE_MS));
      expect((await finance.get(`/cycles/${cycle.id}/periods/${open}/imports/${importId}`).expect(200)).body.status).toBe('queued');
    } finally {
      redis.restore();
    }

    // Back: the import goes through once, and the notifications of the outage arrive once each.
    expect(await eventually(() => finance.get(`/cycles/${cycle.id}/periods/${open}/imports/${importId}`).then((r) => r.body.status), (s) => s === 'imported', 30_000)).toBe('imported');
    const recorded = await system.db.dataSource.getRepository(AuditLogEntity).findBy({ action: 'period.actuals_recorded', subjectId: `${cycle.id}/${open}` });
    expect(recorded.filter((r) => r.data.source === 'csv')).toHaveLength(1);
    const events = async () => (await system.db.dataSource.getRepository(NotificationEntity).findBy({ taskId: requestTaskId })).map((n) => `${n.userId === system.userIds[DEMO.finance] ? 'finance' : 'admin'} ${n.event}`).sort();
    expect(await eventually(events, (e) => e.length === 2, 30_000)).toEqual(['admin task.decided', 'finance task.opened']);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await events()).toEqual(['admin task.decided', 'finance task.opened']);
  }, 120_000);
});
