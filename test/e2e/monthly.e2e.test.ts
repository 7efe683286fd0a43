import request from 'supertest';
import { AuditLogEntity, OrgUnitEntity, TaskEntity } from '@rollplan/db';
import { addMonths, formatPeriod, parsePeriod } from '@rollplan/domain';
import { samplePlan } from '../support/plans';
import { DEMO, eventually, startTestSystem, type TestSystem } from '../support/system';
import { orgMonthNow } from '../support/org-time';

// One month of the loop through HTTP on the dev server (seed 000 monthly targets, seed 004):
// actuals by API, by CSV import (a bad file imports nothing) and by a machine client; the
// analysis; an early close that freezes the month and renders the report; a reopening.
describe('the monthly loop through HTTP', () => {
  let system: TestSystem;
  const as = async (email: string) => request.agent(system.baseUrl).auth(await system.tokenFor(email), { type: 'bearer' });
  beforeAll(async () => {
    system = await startTestSystem();
  });
  afterAll(() => system?.stop());

  it('collects, imports, analyses and closes one month', async () => {
    const admin = await as(DEMO.admin);
    const units = Object.fromEntries((await system.db.dataSource.getRepository(OrgUnitEntity).find()).map((u) => [u.code, u.id]));
    // A plan starting in January of the year of last month, approved now: its earlier months had
    // closed their reviews and are skipped; last month is the one open for actuals.
    const thisMonth = orgMonthNow();
    const open = formatPeriod(addMonths(thisMonth, -1));
    const year = addMonths(thisMonth, -1).year;

    const { body: cycle } = await admin.post('/cycles').send({ title: 'Plan in execution', startYear: year, contributingUnitIds: [units['finance']], rollingAdjustment: { auto: false } }).expect(201);
    await eventually(() => admin.get(`/cycles/${cycle.id}`).then((r) => r.body), (c) => c.pending?.length === 1);
    await admin.post(`/cycles/${cycle.id}/contributions/${units['finance']}/waive`).send({ reason: 'budget already agreed' }).expect(200);
    await admin.post(`/cycles/${cycle.id}/drafts`).send(samplePlan({ finance: units['finance'], customer: units['customer'] }, year)).expect(201);
    for (const email of [DEMO.reviewer, 'reviewer2@rollplan.example', DEMO.chair]) {
      const agent = await as(email);
      const [task] = await eventually(() => agent.get('/tasks').query({ cycleId: cycle.id }).then((r) => r.body.items), (items) => items.length > 0);
      await agent.post(`/tasks/${task.id}/complete`).send({ outcome: 'approve' }).expect(200);
    }
    const running = await eventually(() => admin.get(`/cycles/${cycle.id}`).then((r) => r.body), (c) => c.currentPeriod === open, 30_000);
    expect(running).toMatchObject({ phase: 'execution', effectiveVersion: 1 });

    const months = await eventually(
      () => admin.get(`/cycles/${cycle.id}/periods`).then((r) => r.body as { period: string; status: string; workflowId: string }[]),
      (rows) => rows.at(-1)?.period === open,
    );
    expect(months).toEqual([expect.objectContaining({ period: open, status: 'collecting', workflowId: `month-${cycle.id}-${open}` })]);
    const skipped = (await admin.get(`/cycles/${cycle.id}`).expect(200)).body.monitoring.skipped;
    expect(skipped).toHaveLength(parsePeriod(open).month - 1);

    const finance = await as(DEMO.finance);
    const customer = await as(DEMO.customer);
    const actuals = `/cycles/${cycle.id}/periods/${open}/actuals`;
    // Bad input: a KPI of another unit, a wrong unit of measure, a value that is not a number.
    expect((await customer.put(actuals).send({ values: [{ kpiId: 'revenue-cny', value: 700 }] }).expect(403)).body.message).toBe('your unit does not own: revenue-cny');
    expect((await finance.put(actuals).send({ values: [{ kpiId: 'revenue-cny', value: 700, unit: 'CNY bn' }] }).expect(400)).body.details).toEqual([
      { path: 'values.0.unit', message: 'revenue-cny is measured in CNY m, not CNY bn' },
    ]);
    expect((await finance.put(actuals).send({ values: [{ kpiId: 'revenue-cny', value: 'seven hundred' }] }).expect(400)).body.details[0].path).toBe('values.0.value');
    await finance.put(actuals).send({ values: [{ kpiId: 'revenue-cny', value: 700, unit: 'CNY m' }] }).expect(200);

    // CSV: one bad row → nothing imported, every bad row reported with line and column.
    const imports = `/cycles/${cycle.id}/periods/${open}/imports`;
    const bad = 'kpi_id,value,unit\nnps,36,points\nnps,abc,points\nmargin,4,%\nnps,37,points\n';
    const badImport = (await customer.post(imports).set('content-type', 'text/csv').send(bad).expect(202)).body;
    const failed = await eventually(() => customer.get(`${imports}/${badImport.id}`).then((r) => r.body), (i) => i.status !== 'queued');
    expect(failed).toMatchObject({ status: 'failed' });
    expect(failed.errors).toEqual([
      { path: 'row 3.value', message: '"abc" is not a number' },
      { path: 'row 4.kpi_id', message: 'no KPI margin has a target this month' },
      { path: 'row 5.kpi_id', message: 'nps appears twice' },
    ]);
    expect((await admin.get(`/cycles/${cycle.id}/periods/${open}`).expect(200)).body.kpis.find((k: { kpiId: string }) => k.kpiId === 'nps').actual).toBeNull();

    const good = 'kpi_id,value,unit\nnps,34,points\n';
    const goodImport = (await customer.post(imports).set('content-type', 'text/csv').query({ fileName: 'nps.csv' }).send(good).expect(202)).body;
    expect(await eventually(() => customer.get(`${imports}/${goodImport.id}`).then((r) => r.body.status), (s) => s !== 'queued')).toBe('imported');
    // The same file again: the same import, nothing applied twice.
    expect((await customer.post(imports).set('content-type', 'text/csv').query({ fileName: 'nps.csv' }).send(good).expect(200)).body).toMatchObject({ id: goodImport.id, status: 'imported' });
    const csvRecords = await system.db.dataSource.getRepository(AuditLogEntity).findBy({ action: 'period.actuals_recorded', subjectId: `${cycle.id}/${open}` });
    expect(csvRecords.filter((r) => r.data.source === 'csv')).toHaveLength(1);

    // Analysed once every actual is in: revenue 700 of 800 is at risk, NPS 34 of 35 on track.
    const analysed = await eventually(() => admin.get(`/cycles/${cycle.id}/periods/${open}`).then((r) => r.body), (p) => p.status === 'analysed');
    expect(analysed.kpis.map((k: { kpiId: string; actual: number; status: string }) => [k.kpiId, k.actual, k.status])).toEqual([
      ['revenue-cny', 700, 'at_risk'],
      ['nps', 34, 'on_track'],
    ]);

    // A machine client (API token of the customer center) corrects NPS.
    const { body: token } = await admin.post('/api-tokens').send({ name: 'survey system', userId: system.userIds[DEMO.customer], scopes: ['actuals:write'] }).expect(201);
    await request(system.baseUrl).put(actuals).auth(token.token, { type: 'bearer' }).send({ values: [{ kpiId: 'nps', value: 30 }] }).expect(200);
    const corrected = await eventually(() => admin.get(`/cycles/${cycle.id}/periods/${open}`).then((r) => r.body), (p) => p.kpis[1].actual === 30);
    expect(corrected.kpis[1].status).toBe('at_risk');

    // Closed early: frozen (409), the report rendered; the admin reopens it with an extension.
    // Two closes at once: the month's update validator lets one through, the other hears 409.
    const closes = await Promise.all([1, 2].map(() => admin.post(`/cycles/${cycle.id}/periods/${open}/close`).send({ reason: 'operations meeting on Monday' })));
    expect(closes.map((r) => r.status).sort()).toEqual([202, 409]);
    expect(closes.find((r) => r.status === 409)!.body.message).toMatch(/already closed/);
    await eventually(() => admin.get(`/cycles/${cycle.id}/periods/${open}`).then((r) => r.body.frozen), (frozen) => frozen === true);
    expect((await finance.put(actuals).send({ values: [{ kpiId: 'revenue-cny', value: 720 }] }).expect(409)).body.error).toBe('conflict');
    const html = await eventually(() => admin.get(`/cycles/${cycle.id}/periods/${open}/report.html`).then((r) => r), (r) => r.status === 200);
    expect(html.headers['content-type']).toMatch(/text\/html/);
    // Chinese by default; English by ?lang= or Accept-Language.
    expect([html.text, html.headers['content-language']]).toEqual([expect.stringContaining(`月度经营报告 ${open}`), 'zh-CN']);
    expect((await admin.get(`/cycles/${cycle.id}/periods/${open}/report.html`).query({ lang: 'en' }).expect(200)).text).toContain(`Monthly report ${open}`);
    expect((await admin.get(`/cycles/${cycle.id}/periods/${open}/report.html`).set('Accept-Language', 'en-GB').expect(200)).headers['content-language']).toBe('en');
    const xlsx = await admin.get(`/cycles/${cycle.id}/periods/${open}/report.xlsx`).buffer(true).expect(200);
    expect(xlsx.headers['content-type']).toMatch(/spreadsheetml/);
    const report = (await admin.get(`/cycles/${cycle.id}/periods/${open}/report`).expect(200)).body;
    expect(report.decisions.map((d: { what: string }) => d.what).filter((what: string) => what.startsWith('period closed early'))).toEqual(['period closed early (operations meeting on Monday)']);

    // A close in the past is refused by the month itself, naming the field.
    const past = await admin.post(`/cycles/${cycle.id}/periods/${open}/extend`).send({ closesAt: new Date(Date.now() - 86_400_000).toISOString(), reason: 'too late' }).expect(400);
    expect(past.body.details).toEqual([{ path: 'closesAt', message: 'must be in the future' }]);

    const closesAt = new Date(Date.now() + 20 * 86_400_000).toISOString();
    await admin.post(`/cycles/${cycle.id}/periods/${open}/extend`).send({ closesAt, reason: 'finance restates revenue' }).expect(202);
    await eventually(() => admin.get(`/cycles/${cycle.id}/periods/${open}`).then((r) => r.body.frozen), (frozen) => frozen === false);
    await finance.put(actuals).send({ values: [{ kpiId: 'revenue-cny', value: 760 }] }).expect(200);
    expect((await admin.get(`/cycles/${cycle.id}/periods/${open}`).expect(200)).body).toMatchObject({ closesAt, kpis: [{ actual: 760, status: 'on_track' }, { actual: 30 }] });

    // Off track after all: the owner's cause analysis commits to a corrective action.
    await finance.put(actuals).send({ values: [{ kpiId: 'revenue-cny', value: 600 }] }).expect(200);
    const [cause] = await eventually(() => finance.get('/tasks').query({ cycleId: cycle.id, kind: 'monthly.cause_analysis' }).then((r) => r.body.items), (items) => items.length > 0);
    const dueAt = new Date(Date.now() + 30 * 86_400_000).toISOString();
    await finance
      .post(`/tasks/${cause.id}/complete`)
      .send({ outcome: 'analysed', payload: { category: 'competitor_action', narrative: 'A rival cut prices.', actions: [{ what: 'Match key account prices', ownerUnitId: units['finance'], dueAt, kpiId: 'revenue-cny' }] } })
      .expect(200);
    const [action] = await eventually(() => finance.get('/tasks').query({ cycleId: cycle.id, kind: 'monthly.action' }).then((r) => r.body.items), (items) => items.length > 0);
    expect((await admin.get(`/cycles/${cycle.id}`).expect(200)).body).toMatchObject({ planYear: year, currentPeriod: open });

    // A rolling adjustment opened by hand: a second one is refused.
    const adjusting = (await admin.post(`/cycles/${cycle.id}/adjustments`).expect(200)).body;
    expect(adjusting.adjustment).toMatchObject({ year: year + 1, stage: 'analysis', by: system.userIds[DEMO.admin] });
    expect((await admin.post(`/cycles/${cycle.id}/adjustments`).expect(409)).body.message).toBe(`the ${year + 1} rolling adjustment is already open`);

    // Closing the cycle: 409 listing the open action, unless forced with a reason.
    const refused = await admin.post(`/cycles/${cycle.id}/close`).send({}).expect(409);
    expect(refused.body.details).toEqual([{ path: `tasks.${action.id}`, message: expect.stringContaining('action: Match key account prices') }]);
    expect((await admin.post(`/cycles/${cycle.id}/close`).send({ force: true }).expect(400)).body.details).toEqual([{ path: 'reason', message: 'a forced closure needs a reason' }]);
    const closed = (await admin.post(`/cycles/${cycle.id}/close`).send({ force: true, reason: 'merged into the group plan' }).expect(200)).body;
    expect(closed).toMatchObject({ phase: 'closed', closure: { forced: true, reason: 'merged into the group plan', openActions: [action.id], by: system.userIds[DEMO.admin] } });
    const month = system.temporal.workflow.getHandle(`month-${cycle.id}-${open}`);
    expect(await eventually(() => month.describe().then((d) => d.status.name), (s) => s !== 'RUNNING')).toBe('CANCELLED');
    expect(await eventually(() => system.db.dataSource.getRepository(TaskEntity).findOneByOrFail({ id: action.id }).then((t) => t.status), (s) => s === 'cancelled')).toBe('cancelled');
    await admin.post(`/cycles/${cycle.id}/close`).send({}).expect(409);
  });
});
