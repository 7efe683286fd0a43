import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { OrgUnitEntity, TaskEntity } from '@rollplan/db';
import { contributionFor, samplePlan } from '../support/plans';
import { DEMO, eventually, startTestSystem, type TestSystem } from '../support/system';

// Seed 000 §2–4 through HTTP on the dev server: five centers contribute, round 1 requests
// changes, the office revises, round 2 approves, the chair approves; v2 takes effect.
describe('three-year plan: drafting and committee review', () => {
  let system: TestSystem;
  const as = async (email: string) => request.agent(system.baseUrl).auth(await system.tokenFor(email), { type: 'bearer' });
  beforeAll(async () => {
    system = await startTestSystem();
  });
  afterAll(() => system?.stop());

  const HEADS: Record<string, string> = {
    strategy_rd: 'strategy@rollplan.example',
    finance: 'finance@rollplan.example',
    hr: 'hr@rollplan.example',
    project_operations: 'projects@rollplan.example',
    customer: 'customer@rollplan.example',
  };

  async function openTask(email: string, cycleId: string, kind: string) {
    const agent = await as(email);
    const tasks = await eventually(
      () => agent.get('/tasks').query({ cycleId, kind }).then((r) => r.body.items as { id: string; links: Record<string, string> }[]),
      (items) => items.length > 0,
    );
    return { agent, task: tasks[0] };
  }

  it('runs contributions, two review rounds and the chair’s approval to an effective version 2', async () => {
    const admin = await as(DEMO.admin);
    const units = Object.fromEntries((await system.db.dataSource.getRepository(OrgUnitEntity).find()).map((u) => [u.code, u.id]));
    const { body: cycle } = await admin.post('/cycles').send({ title: 'Group plan 2027–2029', startYear: 2027 }).expect(201);

    const started = await eventually(() => admin.get(`/cycles/${cycle.id}`).then((r) => r.body), (c) => c.pending?.length === 5);
    expect(started).toMatchObject({ phase: 'drafting', round: 0 });
    expect(started.contributions.map((c: { area: string }) => c.area).sort()).toEqual(['customer', 'finance', 'hr', 'project_operations', 'strategy_rd']);

    // A draft cannot go in while contributions are open.
    const plan = samplePlan({ finance: units['finance'], customer: units['customer'] });
    expect((await admin.post(`/cycles/${cycle.id}/drafts`).send(plan).expect(409)).body.message).toBe('contributions are still open');

    for (const [area, email] of Object.entries(HEADS)) {
      const { agent, task } = await openTask(email, cycle.id, 'plan.contribution');
      expect(task.links.area).toBe(area);
      await agent.post(`/tasks/${task.id}/complete`).send({ outcome: 'submitted', payload: contributionFor(area) }).expect(200);
    }

    // An invalid draft: 400 with every problem and its path; nothing submitted.
    const broken = structuredClone(plan);
    broken.kpis[1].goalIds = ['revenue'];
    broken.allocations[0].budget = 45;
    const invalid = await admin.post(`/cycles/${cycle.id}/drafts`).send(broken).expect(400);
    expect(invalid.body.details).toEqual([
      { path: 'goals.1', message: 'goal nps is measured by no KPI' },
      { path: 'totals.0.budget', message: 'unit budgets for 2027 add up to 105, not 100' },
    ]);

    expect((await admin.post(`/cycles/${cycle.id}/drafts`).send(plan).expect(201)).body).toEqual({ version: 1 });
    const inReview = await eventually(() => admin.get(`/cycles/${cycle.id}`).then((r) => r.body), (c) => c.phase === 'committee_review' && c.pending?.length === 2);
    expect(inReview.round).toBe(1);

    // Round 1: one member asks for changes (anchored to a plan item), the other approves.
    const r1a = await openTask(DEMO.reviewer, cycle.id, 'plan.review');
    const r1b = await openTask('reviewer2@rollplan.example', cycle.id, 'plan.review');
    const stranger = await (await as(DEMO.finance)).post(`/tasks/${r1a.task.id}/complete`).send({ outcome: 'approve' }).expect(403);
    expect(stranger.body.error).toBe('forbidden');
    await r1a.agent
      .post(`/tasks/${r1a.task.id}/complete`)
      .send({ outcome: 'request_changes', payload: { comments: [{ anchor: 'goals.revenue', text: 'Aim for 13 bn' }] } })
      .expect(200);
    await r1b.agent.post(`/tasks/${r1b.task.id}/complete`).send({ outcome: 'approve' }).expect(200);
    await eventually(() => admin.get(`/cycles/${cycle.id}`).then((r) => r.body), (c) => c.phase === 'drafting' && c.round === 1);

    // A ballot of the closed round can no longer be used.
    expect((await r1b.agent.post(`/tasks/${r1b.task.id}/complete`).set('Idempotency-Key', 'again').send({ outcome: 'reject' }).expect(409)).body.error).toBe('conflict');

    // The office revises: a new version, a new round.
    const revised = structuredClone(plan);
    revised.goals[0].target = 'revenue 13 bn CNY in 2029';
    revised.kpis[0].targets[2] = { year: 2029, target: 13000, monthly: Array.from({ length: 12 }, () => 13000 / 12) };
    expect((await admin.post(`/cycles/${cycle.id}/drafts`).set('Idempotency-Key', 'revision-2').send(revised).expect(201)).body).toEqual({ version: 2 });
    // A retried submission (same key) returns the same version and makes no third one.
    expect((await admin.post(`/cycles/${cycle.id}/drafts`).set('Idempotency-Key', 'revision-2').send(revised).expect(201)).body).toEqual({ version: 2 });
    await eventually(() => admin.get(`/cycles/${cycle.id}`).then((r) => r.body), (c) => c.phase === 'committee_review' && c.round === 2 && c.pending?.length === 2);

    const r2a = await openTask(DEMO.reviewer, cycle.id, 'plan.review');
    const r2b = await openTask('reviewer2@rollplan.example', cycle.id, 'plan.review');
    expect(r2a.task.links.round).toBe('2');
    // Both at the same instant: one round result, no vote lost.
    await Promise.all([
      r2a.agent.post(`/tasks/${r2a.task.id}/complete`).send({ outcome: 'approve' }).expect(200),
      r2b.agent.post(`/tasks/${r2b.task.id}/complete`).send({ outcome: 'approve' }).expect(200),
    ]);
    const chairTask = await openTask(DEMO.chair, cycle.id, 'plan.final_approval');
    await chairTask.agent.post(`/tasks/${chairTask.task.id}/complete`).send({ outcome: 'approve', comment: 'Adopted' }).expect(200);

    const approved = await eventually(() => admin.get(`/cycles/${cycle.id}`).then((r) => r.body), (c) => c.phase === 'execution');
    expect(approved).toMatchObject({ effectiveVersion: 2, versions: [1, 2], round: 2, pending: [] });

    const versions = (await admin.get(`/plans/${cycle.id}/versions`).expect(200)).body;
    expect(versions.map((v: { version: number; status: string; round: number }) => [v.version, v.status, v.round])).toEqual([
      [1, 'changes_requested', 1],
      [2, 'approved', 2],
    ]);
    const diff = (await admin.get(`/plans/${cycle.id}/diff`).query({ from: 1, to: 2 }).expect(200)).body.changes;
    expect(diff.goals).toEqual({ added: [], removed: [], changed: [{ id: 'revenue', fields: [{ path: 'target', from: 'revenue 12 bn CNY in 2029', to: 'revenue 13 bn CNY in 2029' }] }] });
    expect(diff.kpis.changed.map((c: { id: string; fields: { path: string }[] }) => [c.id, c.fields.map((f) => f.path)])).toEqual([['revenue-cny', ['targets.2.target', 'targets.2.monthly']]]);
    for (const list of ['initiatives', 'milestones', 'allocations', 'totals']) expect(diff[list]).toEqual({ added: [], removed: [], changed: [] });

    const ballots = await system.db.dataSource.getRepository(TaskEntity).findBy({ cycleId: cycle.id, kind: 'plan.review' });
    expect(ballots.map((b) => b.status).sort()).toEqual(['completed', 'completed', 'completed', 'completed']);
  });

  it('waives a contribution with a reason, refuses a reviewer managing contributions, and ends rejected when the committee rejects', async () => {
    const admin = await as(DEMO.admin);
    const units = Object.fromEntries((await system.db.dataSource.getRepository(OrgUnitEntity).find()).map((u) => [u.code, u.id]));
    const { body: cycle } = await admin.post('/cycles').send({ title: 'Small plan', startYear: 2027, contributingUnitIds: [units['finance']] }).expect(201);
    await eventually(() => admin.get(`/cycles/${cycle.id}`).then((r) => r.body), (c) => c.pending?.length === 1);
    await (await as(DEMO.reviewer)).post(`/cycles/${cycle.id}/contributions/${units['finance']}/waive`).send({ reason: 'x' }).expect(403);
    const waived = await admin.post(`/cycles/${cycle.id}/contributions/${units['finance']}/waive`).send({ reason: 'covered by the group budget' }).expect(200);
    expect(waived.body).toMatchObject({ status: 'waived', waiver: { reason: 'covered by the group budget' } });
    await admin.post(`/cycles/${cycle.id}/contributions/${units['finance']}/waive`).send({ reason: 'again' }).expect(409);

    await admin.post(`/cycles/${cycle.id}/drafts`).send(samplePlan({ finance: units['finance'], customer: units['customer'] })).expect(201);
    for (const email of [DEMO.reviewer, 'reviewer2@rollplan.example']) {
      const agent = await as(email);
      const [ballot] = await eventually(() => agent.get('/tasks').query({ cycleId: cycle.id, kind: 'plan.review' }).then((r) => r.body.items), (items) => items.length > 0);
      await agent.post(`/tasks/${ballot.id}/complete`).send({ outcome: 'reject', comment: 'Not ambitious enough' }).expect(200);
    }
    const rejected = await eventually(() => admin.get(`/cycles/${cycle.id}`).then((r) => r.body), (c) => c.phase === 'rejected');
    expect(rejected.rejection.reasons).toEqual(['Not ambitious enough', 'Not ambitious enough']);
    expect((await admin.get(`/plans/${cycle.id}/versions`).expect(200)).body.map((v: { status: string }) => v.status)).toEqual(['rejected']);
    expect((await admin.get(`/plans/${randomUUID()}/versions`).expect(404)).body.error).toBe('not_found');
    expect((await admin.get(`/plans/${cycle.id}/diff`).query({ from: 1, to: 'two' }).expect(400)).body.details[0].path).toBe('to');
  });
});
