import request from 'supertest';
import { addMonths, formatPeriod, parsePeriod } from '@rollplan/domain';
import { cycleInExecution } from '../support/http-cycle';
import { DEMO, eventually, startTestSystem, type TestSystem } from '../support/system';

interface Task {
  id: string;
  kind: string;
  title: string;
  links: Record<string, string>;
  dueAt: string;
}

// The controls beside the KPI loop (issue 18, seed 003 §四, seed 004) through HTTP: a risk
// raised with a mitigation action, spend over the cost budget, a milestone reported late, the
// operations meeting's agenda from the analysis, and its minutes whose decision becomes a task
// in the owner's inbox.
describe('operating controls of a month', () => {
  let system: TestSystem;
  const as = async (email: string) => request.agent(system.baseUrl).auth(await system.tokenFor(email), { type: 'bearer' });
  beforeAll(async () => {
    system = await startTestSystem();
  });
  afterAll(() => system?.stop());

  it('runs milestones, spend, risks and the operations meeting, and reports them', async () => {
    const { cycleId, open, units, admin } = await cycleInExecution(system, { title: 'Controls at work' });
    const finance = await as(DEMO.finance);
    const customer = await as(DEMO.customer);
    const inbox = (agent: request.Agent, kind: string) => eventually(() => agent.get('/tasks').query({ cycleId, kind }).then((r) => r.body.items as Task[]), (items) => items.length > 0);

    // A risk raised by the finance center: high (4 × 4), one mitigation action opened at once.
    const dueAt = new Date(Date.now() + 20 * 86_400_000).toISOString();
    const risk = { title: 'Key supplier may fail', category: 'operational', ownerUnitId: units['finance'], likelihood: 4, impact: 4, response: 'reduce', mitigation: [{ what: 'Qualify a second supplier', ownerUnitId: units['finance'], dueAt }] };
    expect((await finance.post(`/cycles/${cycleId}/risks`).send({ ...risk, likelihood: 6 }).expect(400)).body.details[0].path).toBe('likelihood');
    const { body: raised } = await finance.post(`/cycles/${cycleId}/risks`).send(risk).expect(201);
    expect(raised).toMatchObject({ title: 'Key supplier may fail', level: 'high', status: 'open', raisedIn: open, ownerUnitId: units['finance'] });
    const { body: detail } = await customer.get(`/cycles/${cycleId}/risks/${raised.id}`).expect(200);
    expect(detail.assessments).toEqual([expect.objectContaining({ period: open, likelihood: 4, impact: 4, level: 'high', taskId: null })]);
    const [mitigation] = await inbox(finance, 'monthly.action');
    expect(mitigation).toMatchObject({ title: 'Qualify a second supplier', links: { riskId: raised.id, fromPeriod: open } });

    // Spend: each unit its own; the customer center far over its budget of 60 a year.
    const spend = `/cycles/${cycleId}/periods/${open}/spend`;
    expect((await finance.put(spend).send({ unitId: units['customer'], entries: [{ amount: 1 }] }).expect(403)).body.message).toBe('a unit reports its own spend');
    expect((await customer.put(spend).send({ entries: [{ initiativeId: 'no-such-thing', amount: 1 }] }).expect(400)).body.details[0].path).toBe('entries.0.initiativeId');
    expect((await customer.put(spend).send({ entries: [{ amount: -5 }] }).expect(400)).body.details[0].path).toBe('entries.0.amount');
    await customer.put(spend).send({ entries: [{ amount: 200 }] }).expect(200);
    // A CSV file of spend: one bad row imports nothing; a good one corrects the amount.
    const spendImports = `/cycles/${cycleId}/periods/${open}/spend/imports`;
    const importOf = async (csv: string) => {
      const { body } = await customer.post(spendImports).set('content-type', 'text/csv').send(csv).expect(202);
      return eventually(() => customer.get(`/cycles/${cycleId}/periods/${open}/imports/${body.id}`).then((r) => r.body), (i) => i.status !== 'queued');
    };
    const bad = await importOf(`unit_id,initiative_id,amount\n${units['customer']},,1\n${units['finance']},,2\n${units['customer']},new-regions,1 200\n`);
    expect(bad).toMatchObject({ kind: 'spend', status: 'failed' });
    expect(bad.errors).toEqual([
      { path: 'row 3.unit_id', message: 'a unit reports its own spend' },
      { path: 'row 4.amount', message: '"1 200" is not a number' },
    ]);
    expect(await importOf(`unit_id,initiative_id,amount\n${units['customer']},,210\n`)).toMatchObject({ kind: 'spend', status: 'imported', rows: 1, errors: [] });
    const [financeSpend] = await inbox(finance, 'monthly.spend');
    await finance.put(spend).send({ entries: [{ amount: 3 }] }).expect(200);
    await eventually(() => finance.get(`/tasks/${financeSpend.id}`).then((r) => r.body.status), (status) => status === 'completed');

    // The customer center reports its milestone late, with a new date and why.
    const [milestones] = await inbox(customer, 'monthly.milestones');
    const later = formatPeriod(addMonths(parsePeriod(open), 4));
    expect((await customer.post(`/tasks/${milestones.id}/complete`).send({ outcome: 'reported', payload: { reports: [{ milestoneId: 'north-office', status: 'done' }] } }).expect(400)).body.details).toContainEqual({ path: 'payload.reports', message: 'no word on milestone south-office (Open the southern office)' });
    expect((await customer.post(`/tasks/${milestones.id}/complete`).send({ outcome: 'reported', payload: { reports: [{ milestoneId: 'south-office', status: 'late' }] } }).expect(400)).body.details.map((d: { path: string }) => d.path)).toEqual(
      expect.arrayContaining(['payload.reports.0.newDueMonth', 'payload.reports.0.reason']),
    );
    await customer.post(`/tasks/${milestones.id}/complete`).send({ outcome: 'reported', payload: { reports: [{ milestoneId: 'south-office', status: 'late', newDueMonth: later, reason: 'Permits are delayed' }] } }).expect(200);

    // Every KPI in: the month is analysed; its deviations get cause analyses and the meeting its agenda.
    const actuals = `/cycles/${cycleId}/periods/${open}/actuals`;
    await finance.put(actuals).send({ values: [{ kpiId: 'revenue-cny', value: 100 }] }).expect(200);
    await customer.put(actuals).send({ values: [{ kpiId: 'nps', value: 99 }] }).expect(200);
    const analysed = await eventually(() => admin.get(`/cycles/${cycleId}/periods/${open}`).then((r) => r.body), (p) => p.meeting.agenda.length >= 4);
    const agendaIds = analysed.meeting.agenda.map((a: { id: string }) => a.id);
    expect(agendaIds).toEqual(expect.arrayContaining(['kpi:revenue-cny', 'milestone:south-office', `budget:${units['customer']}/-`, `risk:${raised.id}`]));
    expect(analysed.milestones).toEqual([expect.objectContaining({ milestoneId: 'south-office', status: 'late', newDueMonth: later, late: true })]);
    expect(analysed.budget).toContainEqual(expect.objectContaining({ unit: expect.any(String), initiativeId: null, spent: 210, status: 'overspent' }));
    expect(analysed.risks).toEqual([expect.objectContaining({ riskId: raised.id, level: 'high', committeeAttention: true })]);
    const causes = await eventually(() => customer.get('/tasks').query({ cycleId, kind: 'monthly.cause_analysis' }).then((r) => r.body.items as Task[]), (items) => items.length >= 2);
    expect(causes.map((t) => t.links.milestoneId ?? (t.links.budgetUnitId ? 'budget' : t.links.kpiId)).sort()).toEqual(['budget', 'south-office']);

    // The planning office minutes every agenda item; a decision becomes the owner's task.
    const [meeting] = await inbox(admin, 'monthly.operations_meeting');
    const minutes = (items: string[]) => ({
      outcome: 'recorded',
      payload: {
        attendees: ['Planning office', 'Customer center'],
        items: items.map((itemId) => ({
          itemId,
          minutes: `Discussed ${itemId}`,
          decisions: itemId.startsWith('budget:') ? [{ what: 'Freeze regional hiring until Q3', ownerUnitId: units['customer'], dueAt }] : [],
        })),
      },
    });
    expect((await admin.post(`/tasks/${meeting.id}/complete`).send(minutes(agendaIds.slice(1))).expect(400)).body.details).toContainEqual({ path: 'payload.items', message: `agenda item ${agendaIds[0]} has no minutes` });
    await admin.post(`/tasks/${meeting.id}/complete`).send(minutes(agendaIds)).expect(200);
    const decided = await eventually(
      () => customer.get('/tasks').query({ cycleId, kind: 'monthly.action' }).then((r) => (r.body.items as Task[]).filter((t) => t.links.meetingItem)),
      (items) => items.length === 1,
    );
    expect(decided[0]).toMatchObject({ title: 'Freeze regional hiring until Q3', dueAt, links: { meetingItem: `budget:${units['customer']}/-`, fromPeriod: open } });

    const { body: report } = await admin.get(`/cycles/${cycleId}/periods/${open}/report`).expect(200);
    expect(report.meeting.minutes.items).toHaveLength(agendaIds.length);
    expect(report.actions).toContainEqual(expect.objectContaining({ what: 'Freeze regional hiring until Q3', meetingItem: `budget:${units['customer']}/-` }));
    expect(report.actions).toContainEqual(expect.objectContaining({ what: 'Qualify a second supplier', riskId: raised.id }));
  });
});
