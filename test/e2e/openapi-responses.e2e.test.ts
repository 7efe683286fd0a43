import type { IncomingMessage } from 'node:http';
import request, { type Response } from 'supertest';
import { DEMO_PASSWORD } from '@rollplan/api';
import { OrgUnitEntity } from '@rollplan/db';
import { addMonths, formatPeriod } from '@rollplan/domain';
import { OpenApiResponses } from '../support/openapi-responses';
import { contributionFor, samplePlan } from '../support/plans';
import { startWebhookReceiver } from '../support/receivers';
import { DEMO, eventually, startTestSystem, type TestSystem } from '../support/system';
import { orgMonthNow } from '../support/org-time';

/**
 * Operations the journeys must reach with a success, at least: all 70 of the document, but the
 * backfill of a skipped month in February (the plan then starts in January: no month is skipped).
 */
const MIN_COVERED = 69;

/** Parsers for supertest: the body as text, or as bytes (in Node, superagent hands them the IncomingMessage). */
const text = (res: Response, done: (error: Error | null, body: string) => void) => {
  const stream = res as unknown as IncomingMessage;
  let body = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => (body += chunk));
  stream.on('end', () => done(null, body));
};
const bytes = (res: Response, done: (error: Error | null, body: Buffer) => void) => {
  const stream = res as unknown as IncomingMessage;
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
};

// Real journeys through the real stack, every answer checked against the live /docs/openapi.json:
// its status declared, its content type declared, a JSON body valid against the declared schema
// (closed objects: a renamed field fails as one missing and one unknown). The document is what the
// web app's typed client is generated from.
describe('real responses match the OpenAPI document', () => {
  let system: TestSystem;
  let doc: OpenApiResponses;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let units: Record<string, string>;
  /** Bodies of real answers, for the check that the validator does see a wrong one. */
  const samples: Record<string, { body: unknown; template: string; method: string; status: string }> = {};

  const as = async (email: string) => doc.client(request(system.baseUrl), await system.tokenFor(email));
  const anonymous = () => doc.client(request(system.baseUrl));
  const dueIn = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
  const keep = (name: string, res: Response) => {
    const req = (res as unknown as { req: { method: string; path: string } }).req;
    const { template } = doc.operationOf(req.method, new URL(req.path, 'http://api').pathname);
    samples[name] = { body: structuredClone(res.body), template, method: req.method.toLowerCase(), status: String(res.status) };
    return res;
  };

  beforeAll(async () => {
    // A webhook receiver that always fails: its deliveries end as dead letters.
    receiver = await startWebhookReceiver(() => 503);
    system = await startTestSystem({ DELIVERY_ATTEMPTS: '2' });
    const { body } = await request(system.baseUrl).get('/docs/openapi.json').expect(200);
    doc = new OpenApiResponses(body);
    units = Object.fromEntries((await system.db.dataSource.getRepository(OrgUnitEntity).find()).map((u) => [u.code, u.id]));
  });
  afterAll(async () => {
    await system?.stop();
    await receiver?.stop();
  });

  it('answers health, sign-in, people, org units, the committee, tokens and webhooks as documented', async () => {
    const anon = anonymous();
    await eventually(() => anon.get('/health'), (r) => r.status === 200, 30_000);

    const tokens = keep('tokens', await anon.post('/auth/login').send({ email: DEMO.auditor, password: DEMO_PASSWORD }).expect(200)).body;
    // A browser's login: the refresh token goes into the cookie, not the body.
    expect((await anon.post('/auth/login').set('X-Rollplan-Client', 'web').send({ email: DEMO.auditor, password: DEMO_PASSWORD }).expect(200)).body.refreshToken).toBeUndefined();
    const rotated = (await anon.post('/auth/refresh').send({ refreshToken: tokens.refreshToken }).expect(200)).body;
    const session = doc.client(request(system.baseUrl), rotated.accessToken);
    keep('me', await session.get('/auth/me').expect(200));
    await session.post('/auth/logout').send({ refreshToken: rotated.refreshToken }).expect(204);

    const admin = await as(DEMO.admin);
    keep('users', await admin.get('/users').query({ limit: 100 }).expect(200));
    const analyst = (
      await admin.post('/users').send({ email: 'analyst@rollplan.example', displayName: 'Analyst', password: DEMO_PASSWORD, roles: ['contributor'], unitId: units['finance'] }).expect(201)
    ).body;
    await admin.get(`/users/${analyst.id}`).expect(200);
    await admin.patch(`/users/${analyst.id}`).send({ displayName: 'Finance analyst' }).expect(200);
    expect((await admin.post(`/users/${analyst.id}/deactivate`).expect(200)).body).toMatchObject({ active: false, deactivatedAt: expect.any(String) });
    expect((await admin.post(`/users/${analyst.id}/reactivate`).expect(200)).body).toMatchObject({ active: true, deactivatedAt: null });

    keep('units', await admin.get('/org-units').expect(200));
    const subsidiary = (await admin.post('/org-units').send({ code: 'east-subsidiary', name: 'East subsidiary', kind: 'subsidiary' }).expect(201)).body;
    await admin.patch(`/org-units/${subsidiary.id}`).send({ headUserId: analyst.id }).expect(200);

    await admin.get('/committee/members').expect(200);
    expect((await admin.put(`/committee/members/${analyst.id}`).expect(200)).body.map((m: { id: string }) => m.id)).toContain(analyst.id);
    await admin.delete(`/committee/members/${analyst.id}`).expect(204);
    keep('directory', await (await as(DEMO.finance)).get('/directory').expect(200));
    keep('taskKinds', await (await as(DEMO.finance)).get('/task-kinds').expect(200));

    const token = (await admin.post('/api-tokens').send({ name: 'survey system', userId: system.userIds[DEMO.customer], scopes: ['actuals:write', 'cycles:read'] }).expect(201)).body;
    await (await as(DEMO.auditor)).get('/api-tokens').expect(200);
    expect((await admin.post(`/api-tokens/${token.id}/revoke`).expect(200)).body.revokedAt).toEqual(expect.any(String));

    // A webhook whose receiver fails: its delivery becomes a dead letter, retried on request.
    const hook = (await admin.post('/webhooks').send({ url: receiver.url, events: ['task.opened'] }).expect(201)).body;
    await (await as(DEMO.auditor)).get('/webhooks').expect(200);
    const request_ = (await admin.post('/tasks').send({ kind: 'adhoc.request', title: 'Check the bank covenants', assignee: { type: 'unit', unitId: units['finance'] }, dueAt: dueIn(5) }).expect(201)).body;
    expect(request_).toEqual({ requestId: expect.stringMatching(/^task-request-/), ballots: 1 });
    const letters = await eventually(() => admin.get('/dead-letters'), (r) => r.body.items?.length > 0, 30_000);
    keep('deadLetters', letters);
    await admin.post(`/dead-letters/${letters.body.items[0].id}/retry`).expect(200);
    await admin.delete(`/webhooks/${hook.id}`).expect(204);

    // The request to the finance center: taken, handed back, discussed, delegated to the analyst, done.
    const finance = await as(DEMO.finance);
    const [task] = await eventually(() => finance.get('/tasks').query({ kind: 'adhoc.request' }).then((r) => r.body.items), (items) => items.length > 0);
    keep('task', await finance.get(`/tasks/${task.id}`).expect(200));
    expect((await finance.post(`/tasks/${task.id}/claim`).expect(200)).body).toMatchObject({ status: 'claimed', claimedBy: system.userIds[DEMO.finance] });
    expect((await finance.post(`/tasks/${task.id}/unclaim`).expect(200)).body).toMatchObject({ status: 'open', claimedBy: null });
    await finance.post(`/tasks/${task.id}/comments`).send({ body: 'The analyst takes this one.' }).expect(201);
    expect((await finance.get(`/tasks/${task.id}/comments`).expect(200)).body).toHaveLength(1);
    expect((await finance.post(`/tasks/${task.id}/delegate`).send({ toUserId: analyst.id }).expect(200)).body).toMatchObject({ delegatedBy: system.userIds[DEMO.finance] });
    const decision = (await (await as('analyst@rollplan.example')).post(`/tasks/${task.id}/complete`).send({ outcome: 'done', comment: 'Covenants hold', payload: { note: 'Q3 figures' } }).expect(200)).body;
    expect(decision).toMatchObject({ outcome: 'done', decidedBy: analyst.id });
    await (await as(DEMO.admin)).post('/tasks').send({ kind: 'committee.vote', title: 'Approve the offsite budget', assignee: { type: 'committee' }, dueAt: dueIn(5) }).expect(201);
  }, 120_000);

  it('answers a cycle from its start to its close as documented: drafting, review, the monthly loop, a change, a rolling adjustment, history and audit', async () => {
    const admin = await as(DEMO.admin);
    const finance = await as(DEMO.finance);
    const customer = await as(DEMO.customer);
    const reviewers = await Promise.all([DEMO.reviewer, 'reviewer2@rollplan.example'].map(as));
    const chair = await as(DEMO.chair);
    const thisMonth = orgMonthNow();
    const open = formatPeriod(addMonths(thisMonth, -1));
    const year = addMonths(thisMonth, -1).year;
    const plan = samplePlan({ finance: units['finance'], customer: units['customer'] }, year);
    const cycleOf = (id: string, done: (c: Record<string, any>) => boolean, timeoutMs?: number) => eventually(() => admin.get(`/cycles/${id}`).then((r) => r.body), done, timeoutMs);
    const openTask = async (agent: typeof admin, cycleId: string, kind: string) =>
      (await eventually(() => agent.get('/tasks').query({ cycleId, kind }).then((r) => r.body.items), (items) => items.length > 0))[0] as { id: string };

    // A second cycle, started twice with one Idempotency-Key (201, then 200), a contribution
    // extended and one waived, then cancelled.
    const spare = { title: 'Spare plan', startYear: year, contributingUnitIds: [units['finance'], units['customer']], rollingAdjustment: { auto: false } };
    const started = keep('cycle', await admin.post('/cycles').set('Idempotency-Key', 'spare').send(spare).expect(201)).body;
    expect((await admin.post('/cycles').set('Idempotency-Key', 'spare').send(spare).expect(200)).body.id).toBe(started.id);
    await cycleOf(started.id, (c) => c.pending?.length === 2);
    await admin.post(`/cycles/${started.id}/contributions/${units['finance']}/extend`).send({ dueAt: dueIn(30), reason: 'year-end close' }).expect(200);
    await admin.post(`/cycles/${started.id}/contributions/${units['customer']}/waive`).send({ reason: 'no change in customer strategy' }).expect(200);
    expect((await admin.post(`/cycles/${started.id}/cancel`).send({ reason: 'merged into the group plan' }).expect(200)).body.cancellation).toMatchObject({ reason: 'merged into the group plan' });

    // The group plan: the finance center's analysis, a draft, changes requested, a revision approved.
    const cycle = (await admin.post('/cycles').send({ title: 'Group plan', startYear: year, contributingUnitIds: [units['finance']], rollingAdjustment: { auto: false } }).expect(201)).body;
    await cycleOf(cycle.id, (c) => c.pending?.length === 1);
    const contribution = await openTask(finance, cycle.id, 'plan.contribution');
    await finance.post(`/tasks/${contribution.id}/complete`).send({ outcome: 'submitted', payload: contributionFor('finance') }).expect(200);
    await cycleOf(cycle.id, (c) => c.contributions?.[0]?.status === 'submitted');
    expect((await admin.post(`/cycles/${cycle.id}/drafts`).send(plan).expect(201)).body).toEqual({ version: 1 });
    const [first, second] = await Promise.all(reviewers.map((agent) => openTask(agent, cycle.id, 'plan.review')));
    await reviewers[0].post(`/tasks/${first.id}/complete`).send({ outcome: 'request_changes', payload: { comments: [{ anchor: 'goals.revenue', text: 'Aim for 13 bn' }] } }).expect(200);
    await reviewers[1].post(`/tasks/${second.id}/complete`).send({ outcome: 'approve' }).expect(200);
    await cycleOf(cycle.id, (c) => c.phase === 'drafting' && c.round === 1);
    const revised = structuredClone(plan);
    revised.goals[0].target = `revenue 13 bn CNY in ${year + 2}`;
    expect((await admin.post(`/cycles/${cycle.id}/drafts`).send(revised).expect(201)).body).toEqual({ version: 2 });
    await cycleOf(cycle.id, (c) => c.phase === 'committee_review' && c.round === 2);
    for (const agent of reviewers) await agent.post(`/tasks/${(await openTask(agent, cycle.id, 'plan.review')).id}/complete`).send({ outcome: 'approve' }).expect(200);
    await chair.post(`/tasks/${(await openTask(chair, cycle.id, 'plan.final_approval')).id}/complete`).send({ outcome: 'approve', comment: 'Adopted' }).expect(200);
    const running = await cycleOf(cycle.id, (c) => c.currentPeriod === open, 30_000);
    expect(running).toMatchObject({ phase: 'execution', effectiveVersion: 2 });
    keep('cycles', await admin.get('/cycles').expect(200));

    keep('versions', await admin.get(`/plans/${cycle.id}/versions`).expect(200));
    keep('version', await admin.get(`/plans/${cycle.id}/versions/2`).expect(200));
    keep('diff', await admin.get(`/plans/${cycle.id}/diff`).query({ from: 1, to: 2 }).expect(200));

    // The month open for actuals: by API, by CSV (twice: the same import), by a machine client.
    const periods = `/cycles/${cycle.id}/periods`;
    await eventually(() => admin.get(periods).then((r) => r.body), (rows) => rows.at(-1)?.period === open);
    keep('period', await admin.get(`${periods}/${open}`).expect(200));
    keep('actuals', await finance.put(`${periods}/${open}/actuals`).send({ values: [{ kpiId: 'revenue-cny', value: 700, unit: 'CNY m' }] }).expect(200));
    const csv = 'kpi_id,value,unit\nnps,34,points\n';
    const queued = (await customer.post(`${periods}/${open}/imports`).set('content-type', 'text/csv').query({ fileName: 'nps.csv' }).send(csv).expect(202)).body;
    await eventually(() => customer.get(`${periods}/${open}/imports/${queued.id}`).then((r) => r.body.status), (s) => s !== 'queued');
    expect((await customer.post(`${periods}/${open}/imports`).set('content-type', 'text/csv').query({ fileName: 'nps.csv' }).send(csv).expect(200)).body).toMatchObject({ id: queued.id, status: 'imported' });
    const machine = (await admin.post('/api-tokens').send({ name: 'survey system', userId: system.userIds[DEMO.customer], scopes: ['actuals:write'] }).expect(201)).body;
    await doc.client(request(system.baseUrl), machine.token).put(`${periods}/${open}/actuals`).send({ values: [{ kpiId: 'nps', value: 30 }] }).expect(200);
    await eventually(() => admin.get(`${periods}/${open}`).then((r) => r.body), (p) => p.status === 'analysed');

    // Closed early: the report rendered in every form; then reopened.
    await admin.post(`${periods}/${open}/close`).send({ reason: 'operations meeting' }).expect(202);
    await eventually(() => admin.get(`${periods}/${open}`).then((r) => r.body.frozen), (frozen) => frozen === true);
    const html = await eventually(() => admin.get(`${periods}/${open}/report.html`).buffer(true).parse(text), (r) => r.status === 200);
    expect(html.body).toContain(open);
    const xlsx = await eventually(() => admin.get(`${periods}/${open}/report.xlsx`).query({ lang: 'en' }).buffer(true).parse(bytes), (r) => r.status === 200);
    expect((xlsx.body as Buffer).subarray(0, 2).toString()).toBe('PK');
    keep('report', await admin.get(`${periods}/${open}/report`).expect(200));
    await admin.post(`${periods}/${open}/extend`).send({ closesAt: dueIn(20), reason: 'finance restates revenue' }).expect(202);
    await eventually(() => admin.get(`${periods}/${open}`).then((r) => r.body.frozen), (frozen) => frozen === false);

    // A skipped month opened late (every month of the year before the open one was skipped).
    const skipped: string[] = running.monitoring.skipped;
    if (skipped.length > 0) expect((await admin.post(`/cycles/${cycle.id}/periods/${skipped[0]}/backfill`).expect(200)).body.monitoring.backfilled).toContain(skipped[0]);

    // A change to the plan in force, approved; then the yearly rolling adjustment and its rolled plan.
    const changed = structuredClone(revised);
    changed.goals[1].target = `NPS 65 by ${year + 2}`;
    expect((await admin.post(`/cycles/${cycle.id}/changes`).send({ content: changed, reason: 'customer survey results' }).expect(201)).body).toEqual({ version: 3 });
    await cycleOf(cycle.id, (c) => c.change?.stage === 'committee_review');
    for (const agent of reviewers) await agent.post(`/tasks/${(await openTask(agent, cycle.id, 'plan.review')).id}/complete`).send({ outcome: 'approve' }).expect(200);
    await chair.post(`/tasks/${(await openTask(chair, cycle.id, 'plan.final_approval')).id}/complete`).send({ outcome: 'approve' }).expect(200);
    await cycleOf(cycle.id, (c) => !c.change && c.schedule?.some((s: { version: number }) => s.version === 3));
    expect((await admin.post(`/cycles/${cycle.id}/adjustments`).expect(200)).body.adjustment).toMatchObject({ year: year + 1, stage: 'analysis' });
    const analysis = await openTask(finance, cycle.id, 'plan.contribution');
    await finance.post(`/tasks/${analysis.id}/complete`).send({ outcome: 'submitted', payload: contributionFor('finance') }).expect(200);
    await cycleOf(cycle.id, (c) => c.adjustment?.stage === 'drafting');
    const rolled = samplePlan({ finance: units['finance'], customer: units['customer'] }, year + 1);
    expect((await admin.post(`/cycles/${cycle.id}/adjustments/${year + 1}/plans`).send(rolled).expect(201)).body).toEqual({ version: 4 });

    // What the reviewer was told: in the app, read, and as the live stream resumed from the start.
    const reviewer = reviewers[0];
    const notifications = keep('notifications', await reviewer.get('/notifications').expect(200)).body.items;
    expect(notifications.length).toBeGreaterThan(0);
    await reviewer.post(`/notifications/${notifications[0].id}/read`).expect(204);
    const stream = await reviewer.get('/notifications/stream').query({ maxSeconds: 1 }).set('Last-Event-ID', '0-start').buffer(true).parse(text).expect(200);
    const events = (stream.body as string).split('\n\n').filter((block) => block.includes('event: notification'));
    expect(events.length).toBeGreaterThanOrEqual(notifications.length);
    for (const event of events) {
      const data = JSON.parse(/^data: (.*)$/m.exec(event)![1]);
      doc.assertValid(data, 'an event of GET /notifications/stream', 'components', 'schemas', 'StreamedNotificationDto');
    }

    // The auditor's view: the timeline, the executions, the export, the decisions CSV, the log.
    const auditor = await as(DEMO.auditor);
    keep('timeline', await auditor.get(`/cycles/${cycle.id}/history`).expect(200));
    keep('executions', await auditor.get('/executions').query({ cycleId: cycle.id, limit: 5 }).expect(200));
    keep('export', await auditor.get(`/cycles/${cycle.id}/export`).expect(200));
    const decisions = await auditor.get(`/cycles/${cycle.id}/decisions.csv`).query({ lang: 'en' }).buffer(true).parse(text).expect(200);
    expect(decisions.body).toContain('approve');
    keep('audit', await auditor.get('/audit').query({ limit: 200 }).expect(200));
    expect((await auditor.get('/audit/verify').expect(200)).body).toMatchObject({ ok: true, firstBroken: null });

    const closed = (await admin.post(`/cycles/${cycle.id}/close`).send({}).expect(200)).body;
    expect(closed.phase).toBe('closed');
  }, 300_000);

  it('would notice a renamed, missing or mistyped field', () => {
    const rejects = (name: string, change: (body: any) => void) => {
      const sample = samples[name];
      const body = structuredClone(sample.body) as any;
      change(body);
      return () => doc.assertValid(body, name, 'paths', sample.template, sample.method, 'responses', sample.status, 'content', 'application/json', 'schema');
    };
    // The real bodies validate as they are …
    for (const name of Object.keys(samples)) expect(rejects(name, () => undefined)).not.toThrow();
    // … and not once a field is renamed, dropped, retyped or given a value outside its enum.
    expect(rejects('cycle', (c) => ((c.phaseStarted = c.phaseSince), delete c.phaseSince))).toThrow(/must have required property 'phaseSince'/);
    expect(rejects('me', (u) => delete u.committeeMember)).toThrow(/committeeMember/);
    expect(rejects('tokens', (t) => (t.expiresIn = String(t.expiresIn)))).toThrow(/must be integer/);
    expect(rejects('task', (t) => (t.status = 'done'))).toThrow(/must be equal to one of the allowed values/);
    expect(rejects('task', (t) => (t.dueAt = 'tomorrow'))).toThrow(/dueAt/);
    expect(rejects('period', (p) => (p.kpis[0].actual = '700'))).toThrow(/kpis\/0\/actual/);
    expect(rejects('timeline', (t) => (t.items[0].extra = true))).toThrow(/must NOT have additional properties/);
    expect(rejects('users', (page) => (page.items[0].id = 'not-a-uuid'))).toThrow(/items\/0\/id/);
  });

  it(`reaches at least ${MIN_COVERED} operations with a success`, () => {
    const covered = [...doc.covered.keys()].sort();
    const missed = doc.operations.filter((op) => !doc.covered.has(op));
    console.log(
      `OpenAPI responses: ${covered.length} of ${doc.operations.length} operations answered with a success (${doc.counts.responses} responses checked, ${doc.counts.bodies} bodies validated)\n` +
        covered.map((op) => `  ✓ ${op} ${[...doc.covered.get(op)!].join(',')}`).join('\n') +
        (missed.length ? `\n${missed.map((op) => `  – ${op}`).join('\n')}` : ''),
    );
    expect(covered.length).toBeGreaterThanOrEqual(MIN_COVERED);
  });
});
