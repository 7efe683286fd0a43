import request from 'supertest';
import { In } from 'typeorm';
import { DEMO_PASSWORD, reconcile } from '@rollplan/api';
import { OrgUnitEntity, TaskEntity } from '@rollplan/db';
import { addMonths, formatPeriod, type PlanContent } from '@rollplan/domain';
import { tasksQuery } from '@rollplan/workflows';
import { contributionFor, samplePlan } from '../support/plans';
import { DEMO, eventually, startTestSystem, type TestSystem } from '../support/system';
import { orgMonthNow } from '../support/org-time';

const DAY = 86_400_000;
const REVIEWER2 = 'reviewer2@rollplan.example';
const HEADS: Record<string, string> = {
  strategy_rd: DEMO.strategy,
  finance: DEMO.finance,
  hr: 'hr@rollplan.example',
  project_operations: 'projects@rollplan.example',
  customer: DEMO.customer,
};

type Task = { id: string; kind: string; links: Record<string, string>; dueAt: string; escalationStep?: number };

// Seed 000 end to end over HTTP on the dev server, the way a planning office runs it (issue 13):
// five centers and a subsidiary contribute, the office drafts, internal review, two committee
// rounds and the chair; the plan is approved late in its year (past months skipped, one
// backfilled), actuals with a red KPI → cause → action, a mid-year change, the rolling adjustment
// with its rolled plan; an auditor reads it all and can change nothing. Wall-clock time cannot
// reach next year's months here: the time-skipping tier runs them (test/workflow/late-approval).
describe('seed 000 over HTTP, as a planning office runs it', () => {
  let system: TestSystem;
  let units: Record<string, string>;
  const as = async (email: string) => request.agent(system.baseUrl).auth(await system.tokenFor(email), { type: 'bearer' });
  const thisMonth = orgMonthNow();
  // Plan years from the year of the month before last: approved now, it is approved late.
  const year = addMonths(thisMonth, -2).year;
  const open = formatPeriod(addMonths(thisMonth, -1));
  const past = formatPeriod(addMonths(thisMonth, -2));

  beforeAll(async () => {
    system = await startTestSystem();
    units = Object.fromEntries((await system.db.dataSource.getRepository(OrgUnitEntity).find()).map((u) => [u.code, u.id]));
  });
  afterAll(() => system?.stop());

  async function tasksOf(email: string, query: Record<string, string>, count = 1): Promise<Task[]> {
    const agent = await as(email);
    return eventually(() => agent.get('/tasks').query(query).then((r) => r.body.items as Task[]), (items) => items.length >= count, 20_000);
  }
  async function decide(email: string, cycleId: string, kind: string, outcome: string, extra: Record<string, unknown> = {}) {
    const [task] = await tasksOf(email, { cycleId, kind });
    expect(task).toBeDefined();
    await (await as(email)).post(`/tasks/${task.id}/complete`).send({ outcome, ...extra }).expect(200);
    return task;
  }
  /** Internal review by strategy, then the committee's two members, then the chair. */
  async function reviewAndApprove(cycleId: string, version: number) {
    await decide(DEMO.strategy, cycleId, 'plan.internal_review', 'no_objection', { payload: { feasibility: `v${version} is feasible` } });
    await decide(DEMO.reviewer, cycleId, 'plan.review', 'approve');
    await decide(REVIEWER2, cycleId, 'plan.review', 'approve');
    await decide(DEMO.chair, cycleId, 'plan.final_approval', 'approve', { comment: `v${version} adopted` });
  }
  /**
   * Open tasks of a cycle that no workflow is waiting on, or that are overdue already:
   * an inbox must hold exactly the work waiting on someone.
   */
  async function staleTasks(cycleId: string): Promise<string[]> {
    const rows = await system.db.dataSource.getRepository(TaskEntity).findBy({ cycleId, status: In(['open', 'claimed']) });
    const stale: string[] = [];
    for (const row of rows) {
      const held = await system.temporal.workflow.getHandle(row.workflowId).query(tasksQuery).catch(() => []);
      if (!held.some((t) => t.id === row.id && (t.status === 'open' || t.status === 'claimed'))) stale.push(`${row.kind} ${row.title}: no workflow waits on it`);
      if (row.escalationStep > 0) stale.push(`${row.kind} ${row.title}: escalated`);
      if (row.dueAt.getTime() < Date.now()) stale.push(`${row.kind} ${row.title}: overdue`);
    }
    return stale;
  }

  it('drafts, reviews, executes, changes and rolls the plan; the auditor reads it all and changes nothing', async () => {
    const admin = await as(DEMO.admin);
    const auditor = await as(DEMO.auditor);

    // A subsidiary joins the five centers (seed 000: subsidiaries may contribute too).
    const subsidiary = (await admin.post('/org-units').send({ code: 'south-sub', name: 'Southern subsidiary', kind: 'subsidiary' }).expect(201)).body;
    const subsidiaryHead = 'head@south-sub.example';
    await admin.post('/users').send({ email: subsidiaryHead, displayName: 'Head of the southern subsidiary', password: DEMO_PASSWORD, roles: ['contributor'], unitId: subsidiary.id }).expect(201);
    const centers = ['strategy-rd', 'finance', 'hr', 'project-operations', 'customer'].map((code) => units[code]);

    const { body: cycle } = await admin
      .post('/cycles')
      .send({
        title: `Group plan ${year}–${year + 2}`,
        startYear: year,
        contributingUnitIds: [...centers, subsidiary.id],
        internalReviewUnitIds: [units['strategy-rd']],
        committee: { rule: { kind: 'n_of_m', n: 2 } },
      })
      .expect(201);
    const id = cycle.id as string;

    // 1. Contributions: each center its own area (HR's task refuses the customer analysis), the subsidiary its summary.
    const [hrTask] = await tasksOf(HEADS.hr, { cycleId: id, kind: 'plan.contribution' });
    const wrongArea = await (await as(HEADS.hr)).post(`/tasks/${hrTask.id}/complete`).send({ outcome: 'submitted', payload: contributionFor('customer') }).expect(400);
    expect(wrongArea.body.details).toEqual([{ path: 'payload.area', message: 'this task asks for the hr analysis, not customer' }]);
    // The auditor sits in the planning office but can take, decide and comment on nothing.
    expect((await auditor.post(`/tasks/${hrTask.id}/claim`).expect(403)).body.error).toBe('forbidden');
    await auditor.post(`/tasks/${hrTask.id}/complete`).send({ outcome: 'submitted', payload: contributionFor('hr') }).expect(403);
    await auditor.post(`/tasks/${hrTask.id}/comments`).send({ body: 'looks fine' }).expect(403);
    for (const [area, email] of Object.entries(HEADS)) await decide(email, id, 'plan.contribution', 'submitted', { payload: contributionFor(area) });
    await decide(subsidiaryHead, id, 'plan.contribution', 'submitted', { payload: { area: 'subsidiary', summary: 'Two new regional offices next year' } });
    await eventually(() => admin.get(`/cycles/${id}`).then((r) => r.body), (c) => c.contributions.every((x: { status: string }) => x.status === 'submitted'));

    // 2. Draft v1 → internal review → round 1: one member asks for changes → the office revises.
    const plan: PlanContent = samplePlan({ finance: units['finance'], customer: units['customer'] }, year);
    expect((await admin.post(`/cycles/${id}/drafts`).send(plan).expect(201)).body).toEqual({ version: 1 });
    await decide(DEMO.strategy, id, 'plan.internal_review', 'concerns', { payload: { risk: 'the southern office is late' } });
    await decide(DEMO.reviewer, id, 'plan.review', 'request_changes', { payload: { comments: [{ anchor: 'kpis.nps', text: 'raise the NPS ambition' }] } });
    await decide(REVIEWER2, id, 'plan.review', 'approve');
    const revising = await eventually(() => admin.get(`/cycles/${id}`).then((r) => r.body), (c) => c.phase === 'drafting' && c.round === 1);
    expect(revising.committeeRound).toMatchObject({ round: 1, voters: [system.userIds[DEMO.reviewer], system.userIds[REVIEWER2]], recused: [], needed: 2 });
    const revised = structuredClone(plan);
    revised.kpis[1].targets[0] = { year, target: 45, monthly: [...Array<number>(11).fill(35), 45] };
    expect((await admin.post(`/cycles/${id}/drafts`).send(revised).expect(201)).body).toEqual({ version: 2 });
    // Round 2 and the chair: approved now, late in (or after) its first year.
    await reviewAndApprove(id, 2);
    const executing = await eventually(() => admin.get(`/cycles/${id}`).then((r) => r.body), (c) => c.currentPeriod === open, 30_000);
    expect(executing).toMatchObject({ phase: 'execution', effectiveVersion: 2, planInForce: { version: 2, startYear: year } });

    // 3. Months whose review had closed before the plan existed are skipped, not opened and escalated;
    //    the month under review is open with a due date ahead. No adjustment rolls the new plan at once.
    const skipped: string[] = [];
    for (let p = { year, month: 1 }; formatPeriod(p) <= past; p = addMonths(p, 1)) skipped.push(formatPeriod(p));
    expect(executing.monitoring).toEqual({ from: `${year}-01`, pastMonths: 'skip', skipped, backfilled: [] });
    expect(executing.adjustment).toBeUndefined();
    const [openActuals] = await tasksOf(DEMO.finance, { cycleId: id, kind: 'monthly.actuals' });
    expect(openActuals.links.period).toBe(open);
    expect(Date.parse(openActuals.dueAt)).toBeGreaterThan(Date.now());
    // The office backfills the month before, explicitly; its actuals are due five days from now.
    const backfilled = (await admin.post(`/cycles/${id}/periods/${past}/backfill`).expect(200)).body;
    expect(backfilled.monitoring).toMatchObject({ skipped: skipped.filter((m) => m !== past), backfilled: [past] });
    const late = (await tasksOf(DEMO.finance, { cycleId: id, kind: 'monthly.actuals' }, 2)).find((t) => t.links.period === past)!;
    expect(Date.parse(late.dueAt)).toBeGreaterThan(Date.now() + 4 * DAY);
    // A retried backfill changes nothing; a month that was never skipped cannot be backfilled.
    expect((await admin.post(`/cycles/${id}/periods/${past}/backfill`).expect(200)).body.monitoring.backfilled).toEqual([past]);
    expect((await admin.post(`/cycles/${id}/periods/${open}/backfill`).expect(409)).body.message).toBe(`${open} is not a skipped month of this cycle`);

    // 4. Actuals: revenue far below target (red) → the owner's cause analysis → a corrective action.
    const finance = await as(DEMO.finance);
    await finance.put(`/cycles/${id}/periods/${open}/actuals`).send({ values: [{ kpiId: 'revenue-cny', value: 500 }] }).expect(200);
    await (await as(DEMO.customer)).put(`/cycles/${id}/periods/${open}/actuals`).send({ values: [{ kpiId: 'nps', value: 36 }] }).expect(200);
    const analysed = await eventually(() => admin.get(`/cycles/${id}/periods/${open}`).then((r) => r.body), (p) => p.status === 'analysed');
    expect(analysed.kpis.map((k: { kpiId: string; status: string }) => [k.kpiId, k.status])).toEqual([
      ['revenue-cny', 'off_track'],
      ['nps', 'on_track'],
    ]);
    const actionDue = new Date(Date.now() + 20 * DAY).toISOString();
    await decide(DEMO.finance, id, 'monthly.cause_analysis', 'analysed', {
      payload: { category: 'market_change', narrative: 'Demand fell in the north.', actions: [{ what: 'Shift sales to the south', ownerUnitId: units['finance'], dueAt: actionDue, kpiId: 'revenue-cny' }] },
    });
    const [action] = await tasksOf(DEMO.finance, { cycleId: id, kind: 'monthly.action' });
    expect(action.dueAt).toBe(actionDue);

    // 5. A mid-year change, reviewed like a draft, effective from next month.
    const changed = structuredClone(revised);
    changed.goals[0].description = 'rebalanced towards the south';
    expect((await admin.post(`/cycles/${id}/changes`).send({ content: changed, reason: 'the northern market fell' }).expect(201)).body).toEqual({ version: 3 });
    await reviewAndApprove(id, 3);
    const changedCycle = await eventually(() => admin.get(`/cycles/${id}`).then((r) => r.body), (c) => c.effectiveVersion === 3);
    expect(changedCycle.schedule.at(-1)).toMatchObject({ version: 3, from: formatPeriod(addMonths(thisMonth, 1)) });

    // 6. The rolling adjustment: every contributor re-analyses, the rolled plan goes in on its own route.
    const adjustment = (await admin.post(`/cycles/${id}/adjustments`).expect(200)).body.adjustment;
    const rolledYear = adjustment.year as number;
    expect(rolledYear).toBeGreaterThan(year);
    for (const [area, email] of Object.entries(HEADS)) await decide(email, id, 'plan.contribution', 'submitted', { payload: contributionFor(area) });
    await decide(subsidiaryHead, id, 'plan.contribution', 'submitted', { payload: { area: 'subsidiary', summary: 'Offices open, the south grows' } });
    await eventually(() => admin.get(`/cycles/${id}`).then((r) => r.body), (c) => c.adjustment?.stage === 'drafting');
    // A change meanwhile is refused, naming the rolled plan's route; a plan for the old years too.
    const refused = await admin.post(`/cycles/${id}/changes`).send({ content: changed, reason: 'meanwhile' }).expect(409);
    expect(refused.body.message).toContain(`/adjustments/${rolledYear}/plans`);
    const oldYears = await admin.post(`/cycles/${id}/adjustments/${rolledYear}/plans`).send(changed).expect(400);
    expect(oldYears.body.details.map((d: { message: string }) => d.message).join(' ')).toContain(`${year}`);
    await admin.post(`/cycles/${id}/adjustments/${rolledYear + 1}/plans`).send(samplePlan({ finance: units['finance'], customer: units['customer'] }, rolledYear + 1)).expect(409);
    const rolledPlan = samplePlan({ finance: units['finance'], customer: units['customer'] }, rolledYear);
    expect((await admin.post(`/cycles/${id}/adjustments/${rolledYear}/plans`).set('Idempotency-Key', 'rolled-1').send(rolledPlan).expect(201)).body).toEqual({ version: 4 });
    // A retried request records nothing twice.
    expect((await admin.post(`/cycles/${id}/adjustments/${rolledYear}/plans`).set('Idempotency-Key', 'rolled-1').send(rolledPlan).expect(201)).body).toEqual({ version: 4 });
    await reviewAndApprove(id, 4);
    const rolled = await eventually(() => admin.get(`/cycles/${id}`).then((r) => r.body), (c) => c.adjustment === undefined && c.adjustments?.length === 1);
    const rolledFrom = rolled.adjustments[0].from as string;
    expect(rolled.adjustments).toEqual([{ year: rolledYear, version: 4, from: rolledFrom, late: rolledFrom !== `${rolledYear}-01` }]);
    expect(rolled.planInForce).toEqual({ version: 4, startYear: rolledYear, planYears: [rolledYear, rolledYear + 1, rolledYear + 2] });
    expect(rolled.schedule.map((s: { version: number }) => s.version)).toEqual([2, 3, 4]);
    const versions = (await admin.get(`/plans/${id}/versions`).expect(200)).body;
    expect(versions.map((v: { version: number; status: string }) => [v.version, v.status])).toEqual([
      [1, 'changes_requested'],
      [2, 'superseded'],
      [3, 'superseded'],
      [4, 'approved'],
    ]);
    // A change now amends the rolled plan, within its years.
    const rolledChange = structuredClone(rolledPlan);
    rolledChange.goals[1].description = 'NPS first';
    expect((await admin.post(`/cycles/${id}/changes`).send({ content: rolledChange, reason: 'sharper goal' }).expect(201)).body).toEqual({ version: 5 });

    // 7. Inboxes hold exactly the work waiting on someone: this month's and the backfilled month's
    //    open actuals, milestone progress and spend, the meeting of the month analysed, the action,
    //    the change under review; nothing stale, escalated or overdue.
    await eventually(() => staleTasks(id), (stale) => stale.length === 0);
    expect(await staleTasks(id)).toEqual([]);
    expect(await eventually(() => reconcile(system.db.dataSource, system.temporal, { cycleIds: [id] }), (m) => m.length === 0)).toEqual([]);
    const waiting = await system.db.dataSource.getRepository(TaskEntity).findBy({ cycleId: id, status: In(['open', 'claimed']) });
    expect(waiting.map((t) => [t.kind, t.links.period ?? null]).sort()).toEqual(
      [
        ['monthly.action', null],
        ['monthly.actuals', past],
        ['monthly.actuals', past],
        ['monthly.milestones', past],
        ['monthly.milestones', open],
        ['monthly.operations_meeting', open],
        ['monthly.spend', past],
        ['monthly.spend', past],
        ['monthly.spend', open],
        ['monthly.spend', open],
        ['plan.internal_review', null],
      ].sort(),
    );
    expect((await auditor.get('/tasks').expect(200)).body.items).toEqual([]);

    // 8. The auditor reads everything: the timeline, the audit log, the export — and can change nothing.
    const history = (await auditor.get(`/cycles/${id}/history`).query({ limit: 1000 }).expect(200)).body;
    const verdicts = history.items.filter((e: { type: string }) => e.type === 'plan.verdict').map((e: { details: { version: number; verdict: string } }) => [e.details.version, e.details.verdict]);
    expect(verdicts).toEqual(expect.arrayContaining([[1, 'changes_requested'], [2, 'approved'], [3, 'approved'], [4, 'approved']]));
    await auditor.get('/audit').query({ subjectId: id }).expect(200);
    await auditor.get(`/cycles/${id}/export`).expect(200);
    await auditor.post(`/cycles/${id}/changes`).send({ content: rolledChange, reason: 'x' }).expect(403);
    await auditor.put(`/cycles/${id}/periods/${open}/actuals`).send({ values: [{ kpiId: 'revenue-cny', value: 1 }] }).expect(403);
    await auditor.post(`/cycles/${id}/periods/${past}/close`).send({ reason: 'x' }).expect(403);
    await auditor.post(`/tasks/${action.id}/complete`).send({ outcome: 'done' }).expect(403);
    await auditor.post(`/tasks/${action.id}/delegate`).send({ toUserId: system.userIds[DEMO.admin] }).expect(403);
    // Nor can anyone hand a task to the auditor.
    const handOver = await finance.post(`/tasks/${action.id}/delegate`).send({ toUserId: system.userIds[DEMO.auditor] }).expect(400);
    expect(handOver.body.details).toEqual([{ path: 'toUserId', message: 'this user does not act on tasks (an auditor only reads)' }]);
  }, 240_000);

  it('gives the drafter on the committee no ballot and decides the round by the other members', async () => {
    const admin = await as(DEMO.admin);
    await admin.put(`/committee/members/${system.userIds[DEMO.admin]}`).expect(200);
    try {
      const { body: cycle } = await admin
        .post('/cycles')
        .send({ title: 'Drafted by a member', startYear: year + 1, contributingUnitIds: [units['finance']], committee: { rule: { kind: 'n_of_m', n: 2 } } })
        .expect(201);
      await decide(DEMO.finance, cycle.id, 'plan.contribution', 'submitted', { payload: contributionFor('finance') });
      await admin.post(`/cycles/${cycle.id}/drafts`).send(samplePlan({ finance: units['finance'], customer: units['customer'] }, year + 1)).expect(201);
      // Nor can a member hand their ballot to the drafter.
      const [ballot] = await tasksOf(DEMO.reviewer, { cycleId: cycle.id, kind: 'plan.review' });
      const toDrafter = await (await as(DEMO.reviewer)).post(`/tasks/${ballot.id}/delegate`).send({ toUserId: system.userIds[DEMO.admin] }).expect(403);
      expect(toDrafter.body.message).toBe('four-eyes: the author of the work under decision cannot take it');
      await decide(DEMO.reviewer, cycle.id, 'plan.review', 'approve');
      await decide(REVIEWER2, cycle.id, 'plan.review', 'approve');
      // 2 of 3 met by the two who may vote: the chair's approval comes at once, no 7-day wait.
      const [final] = await tasksOf(DEMO.chair, { cycleId: cycle.id, kind: 'plan.final_approval' });
      expect(final).toBeDefined();
      const status = (await admin.get(`/cycles/${cycle.id}`).expect(200)).body;
      expect(status.committeeRound).toEqual({ subject: 'plan', version: 1, round: 1, voters: [system.userIds[DEMO.reviewer], system.userIds[REVIEWER2]], recused: [system.userIds[DEMO.admin]], needed: 2 });
      expect((await admin.get('/tasks').query({ cycleId: cycle.id, kind: 'plan.review', status: 'active' }).expect(200)).body.items).toEqual([]);
    } finally {
      await admin.delete(`/committee/members/${system.userIds[DEMO.admin]}`).expect(204);
    }
  });

  it('takes only functional centers and subsidiaries as contributors, naming any other unit', async () => {
    const admin = await as(DEMO.admin);
    const response = await admin
      .post('/cycles')
      .send({ title: 'Wrong contributors', startYear: year + 1, contributingUnitIds: [units['finance'], units['decision-committee'], units['planning-office']] })
      .expect(400);
    expect(response.body.details).toEqual([
      { path: 'contributingUnitIds.1', message: `${units['decision-committee']} (Decision committee) is a decision_committee: only functional centers and subsidiaries contribute` },
      { path: 'contributingUnitIds.2', message: `${units['planning-office']} (Planning office) is a planning_office: only functional centers and subsidiaries contribute` },
    ]);
  });
});
