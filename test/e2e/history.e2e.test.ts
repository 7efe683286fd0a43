import { execFileSync } from 'node:child_process';
import { historyFromJSON } from '@rollplan/api';
import { Worker } from '@temporalio/worker';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { OrgUnitEntity } from '@rollplan/db';
import { temporalCliPath } from '@rollplan/devstack';
import { addMonths, formatPeriod, parsePeriod } from '@rollplan/domain';
import { harnessEnv } from '../support/harness-env';
import { contributionFor, samplePlan } from '../support/plans';
import { DEMO, eventually, startTestSystem, type TestSystem } from '../support/system';
import { quietRuntime } from '../support/temporal';
import { orgMonthNow } from '../support/org-time';

const REVIEWER2 = 'reviewer2@rollplan.example';

interface Entry {
  at: string;
  type: string;
  summary: string;
  actorId: string | null;
  actor: { email: string; name: string } | null;
  unitIds: string[];
  source: string;
  workflowId?: string;
  details: Record<string, any>;
}

// An auditor's questions about one cycle, answered from the Temporal histories of all its
// executions and the audit log: who decided what, when, on which version, and why.
describe('auditors: timeline, execution search, exports', () => {
  let system: TestSystem;
  let cycleId: string;
  let units: Record<string, string>;
  let year: number;
  const as = async (email: string) => request.agent(system.baseUrl).auth(await system.tokenFor(email), { type: 'bearer' });
  const cli = (...args: string[]) =>
    JSON.parse(execFileSync(temporalCliPath(), [...args, '--output', 'json', '--address', harnessEnv().ROLLPLAN_TEST_TEMPORAL_ADDRESS], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 }) || '[]');

  async function decide(email: string, kind: string, outcome: string, extra: Record<string, unknown> = {}) {
    const agent = await as(email);
    const [task] = await eventually(() => agent.get('/tasks').query({ cycleId, kind }).then((r) => r.body.items as { id: string }[]), (items) => items.length > 0);
    await agent.post(`/tasks/${task.id}/complete`).send({ outcome, ...extra }).expect(200);
    return task.id;
  }

  // A cycle of the current year: drafted, reviewed, approved, its past months run, then cancelled.
  beforeAll(async () => {
    system = await startTestSystem();
    const admin = await as(DEMO.admin);
    units = Object.fromEntries((await system.db.dataSource.getRepository(OrgUnitEntity).find()).map((u) => [u.code, u.id]));
    const thisMonth = orgMonthNow();
    const open = formatPeriod(addMonths(thisMonth, -1));
    year = addMonths(thisMonth, -1).year;
    // Its past months backfilled at once, each its own execution for the auditor to find.
    const body = { title: 'Audited plan', startYear: year, contributingUnitIds: [units['finance']], rollingAdjustment: { auto: false }, monitoring: { pastMonths: 'backfill' } };
    cycleId = (await admin.post('/cycles').send(body).expect(201)).body.id;

    await decide(DEMO.finance, 'plan.contribution', 'submitted', { payload: contributionFor('finance') });
    await eventually(() => admin.get(`/cycles/${cycleId}`).then((r) => r.body), (c) => c.pending?.length === 0);
    await admin.post(`/cycles/${cycleId}/drafts`).send(samplePlan({ finance: units['finance'], customer: units['customer'] }, year)).expect(201);
    await decide(DEMO.reviewer, 'plan.review', 'approve', { comment: 'Targets are sound' });
    await decide(REVIEWER2, 'plan.review', 'approve');
    const chair = await as(DEMO.chair);
    const [finalTask] = await eventually(() => chair.get('/tasks').query({ cycleId, kind: 'plan.final_approval' }).then((r) => r.body.items as { id: string }[]), (items) => items.length > 0);
    await chair.post(`/tasks/${finalTask.id}/comments`).send({ body: 'Checked against the group budget' }).expect(201);
    await chair.post(`/tasks/${finalTask.id}/complete`).send({ outcome: 'approve', comment: 'Adopted' }).expect(200);
    await eventually(() => admin.get(`/cycles/${cycleId}`).then((r) => r.body), (c) => c.currentPeriod === open, 30_000);
    // Every month from January on is under review (the past ones backfilled) before the cancel.
    const months = parsePeriod(open).month;
    await eventually(() => admin.get(`/cycles/${cycleId}/periods`).then((r) => r.body as unknown[]), (rows) => rows.length === months, 30_000);
    await admin.post(`/cycles/${cycleId}/cancel`).send({ reason: 'replaced by the group plan' }).expect(200);
    await eventually(
      () => system.temporal.workflow.getHandle(`month-${cycleId}-${open}`).describe().then((d) => d.status.name),
      (status) => status === 'CANCELLED',
    );
  }, 90_000);
  afterAll(() => system?.stop());

  it('names every actor and decision in order, merged from every execution and the audit log', async () => {
    const auditor = await as(DEMO.auditor);
    const ids = system.userIds;
    const decisions = (await auditor.get(`/cycles/${cycleId}/history`).query({ type: 'decision,plan.version,plan.verdict,command', limit: 1000 }).expect(200)).body;
    const people = decisions.items.filter((e: Entry) => e.actorId !== null);
    expect(people.map((e: Entry) => [e.type, e.actor?.email, e.details.outcome ?? e.details.version ?? e.details.name])).toEqual([
      ['decision', DEMO.finance, 'submitted'],
      ['plan.version', DEMO.admin, 1],
      ['decision', DEMO.reviewer, 'approve'],
      ['decision', REVIEWER2, 'approve'],
      ['decision', DEMO.chair, 'approve'],
      ['command', DEMO.admin, 'cancelCycle'],
    ]);
    expect(people.map((e: Entry) => e.details.comment ?? e.details.reason ?? null)).toEqual([null, null, 'Targets are sound', null, 'Adopted', 'replaced by the group plan']);
    const verdict = decisions.items.find((e: Entry) => e.type === 'plan.verdict');
    expect(verdict).toMatchObject({ actorId: null, details: { version: 1, verdict: 'approved', effectiveFrom: `${year}-01` } });
    // In time order, the verdict after the chair's approval and before the cancellation.
    const order = decisions.items.map((e: Entry) => e.type);
    expect(order.indexOf('plan.verdict')).toBeGreaterThan(order.lastIndexOf('decision') - 0);
    expect(decisions.items.map((e: Entry) => e.at)).toEqual([...decisions.items.map((e: Entry) => e.at)].sort());

    // The whole timeline: the months' executions are in it, and the API-side comment from the audit log.
    const all = (await auditor.get(`/cycles/${cycleId}/history`).query({ limit: 1000 }).expect(200)).body;
    expect(all.total).toBe(all.items.length);
    expect(all.executions.map((e: { workflowId: string }) => e.workflowId)).toContain(`month-${cycleId}-${year}-01`);
    const monthStarts = all.items.filter((e: Entry) => e.type === 'execution.started' && e.workflowId?.startsWith('month-'));
    expect(monthStarts.length).toBe(all.executions.length - 1);
    const comment = all.items.find((e: Entry) => e.source === 'audit' && e.details.action === 'task.commented');
    expect(comment).toMatchObject({ actorId: ids[DEMO.chair], actor: { email: DEMO.chair } });
    const opened = all.items.filter((e: Entry) => e.type === 'task.opened' && e.details.kind === 'plan.review');
    expect(opened).toHaveLength(2);
    // Rows a workflow activity wrote to the audit log annotate their entry instead of repeating it.
    expect(all.items.filter((e: Entry) => e.type === 'plan.verdict')[0].auditRecordId).toEqual(expect.any(Number));
    expect(all.items.filter((e: Entry) => e.source === 'audit' && e.details.action === 'plan.approved')).toEqual([]);

    // Filters: one actor, one unit, a time window, paging.
    const chairOnly = (await auditor.get(`/cycles/${cycleId}/history`).query({ actorId: ids[DEMO.chair] }).expect(200)).body.items;
    expect(chairOnly.length).toBeGreaterThan(0);
    expect(chairOnly.every((e: Entry) => e.actorId === ids[DEMO.chair])).toBe(true);
    const finance = (await auditor.get(`/cycles/${cycleId}/history`).query({ unitId: units['finance'], type: 'decision' }).expect(200)).body.items;
    expect(finance.map((e: Entry) => e.actor?.email)).toContain(DEMO.finance);
    expect(finance.every((e: Entry) => e.unitIds.includes(units['finance']))).toBe(true);
    const page = (await auditor.get(`/cycles/${cycleId}/history`).query({ limit: 5, offset: 5 }).expect(200)).body;
    expect(page.items).toEqual(all.items.slice(5, 10));
    const before = (await auditor.get(`/cycles/${cycleId}/history`).query({ to: verdict.at }).expect(200)).body.items;
    expect(before.every((e: Entry) => e.at < verdict.at)).toBe(true);
    expect(before.length).toBeGreaterThan(0);

    // Admins may read; nobody else. Unknown cycle 404, a bad filter 400.
    await (await as(DEMO.admin)).get(`/cycles/${cycleId}/history`).expect(200);
    expect((await (await as(DEMO.finance)).get(`/cycles/${cycleId}/history`).expect(403)).body.error).toBe('forbidden');
    await (await as(DEMO.reviewer)).get(`/cycles/${cycleId}/history`).expect(403);
    expect((await auditor.get('/cycles/00000000-0000-4000-8000-000000000000/history').expect(404)).body.error).toBe('not_found');
    const badType = (await auditor.get(`/cycles/${cycleId}/history`).query({ type: 'decision,gossip' }).expect(400)).body;
    expect(badType.details[0].path).toMatch(/^type/);
    expect((await auditor.get(`/cycles/${cycleId}/history`).query({ actorId: 'the chair' }).expect(400)).body.details[0].path).toBe('actorId');
  });

  it('lists the executions `temporal workflow list` shows for the same query', async () => {
    const auditor = await as(DEMO.auditor);
    const idsOf = (rows: { workflowId: string; runId: string }[]) => rows.map((r) => `${r.workflowId}/${r.runId}`).sort();
    const cliIds = (query: string) => idsOf(cli('workflow', 'list', '--query', query).map((r: { execution: { workflowId: string; runId: string } }) => r.execution));

    const everything = await eventually(
      () => auditor.get('/executions').query({ cycleId, limit: 1000 }).then((r) => r.body),
      (body) => body.items.every((e: { status: string }) => e.status !== 'RUNNING'),
    );
    expect(everything.query).toBe(`RollplanCycleId = '${cycleId}'`);
    expect(everything.items.length).toBeGreaterThan(2);
    expect(idsOf(everything.items)).toEqual(cliIds(everything.query));

    for (const filter of [
      { cycleId, procedure: 'monthly-review', period: `${year}-03` },
      { cycleId, procedure: 'planning-cycle', planYear: year, status: 'completed' },
      { cycleId, procedure: 'monthly-review', status: 'canceled' },
      { cycleId, unitId: units['finance'] },
    ]) {
      // Visibility indexes a closing execution's status a moment after it closes.
      const body = await eventually(() => auditor.get('/executions').query({ ...filter, limit: 1000 }).expect(200).then((r) => r.body), (b) => b.items.length > 0);
      expect(idsOf(body.items)).toEqual(cliIds(body.query));
      expect(body.items.length).toBeGreaterThan(0);
    }
    const march = (await auditor.get('/executions').query({ cycleId, procedure: 'monthly-review', period: `${year}-03` }).expect(200)).body.items;
    expect(march.map((e: { workflowId: string }) => e.workflowId)).toEqual([`month-${cycleId}-${year}-03`]);
    expect(march[0].searchAttributes).toMatchObject({ RollplanPlanYear: year, RollplanUnits: expect.arrayContaining([units['finance']]) });

    // Pages: a token leads on, no execution twice.
    const first = (await auditor.get('/executions').query({ cycleId, limit: 2 }).expect(200)).body;
    expect(first.items).toHaveLength(2);
    const second = (await auditor.get('/executions').query({ cycleId, limit: 2, pageToken: first.nextPageToken }).expect(200)).body;
    // A token we did not issue, or one of another search, is refused before it reaches Temporal.
    const forged = await auditor.get('/executions').query({ cycleId, limit: 2, pageToken: 'AAAA.AAAAAAAAAAAAAAAAAAAAAA' }).expect(400);
    expect(forged.body.details).toEqual([{ path: 'pageToken', message: 'must be the nextPageToken of an earlier page of the same search' }]);
    await auditor.get('/executions').query({ cycleId, procedure: 'monthly-review', limit: 2, pageToken: first.nextPageToken }).expect(400);
    expect(idsOf(second.items).filter((id) => idsOf(first.items).includes(id))).toEqual([]);

    for (const bad of [{ planYear: 'last' }, { procedure: 'gossip' }, { status: 'asleep' }, { period: '2027-13' }, { unitId: 'finance' }]) {
      const body = (await auditor.get('/executions').query(bad).expect(400)).body;
      expect([body.error, body.details[0].path]).toEqual(['validation_failed', Object.keys(bad)[0]]);
    }
    await (await as(DEMO.finance)).get('/executions').query({ cycleId }).expect(403);
  });

  it('exports the complete record: histories that replay and match `temporal workflow show`, decisions as CSV', async () => {
    const auditor = await as(DEMO.auditor);
    const exported = await auditor.get(`/cycles/${cycleId}/export`).buffer(true).parse((res, done) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => done(null, text));
    });
    expect(exported.status).toBe(200);
    expect(exported.headers['content-disposition']).toContain(`cycle-${cycleId}.json`);
    const record = JSON.parse(exported.body as string);
    expect(record).toMatchObject({ format: 'rollplan.cycle-export.v1', cycle: { id: cycleId } });
    expect(record.planVersions.map((v: { version: number; status: string }) => [v.version, v.status])).toEqual([[1, 'approved']]);
    expect(record.auditRecords.some((r: { action: string }) => r.action === 'cycle.cancelled')).toBe(true);
    const listed = (await auditor.get('/executions').query({ cycleId, limit: 1000 }).expect(200)).body.items;
    expect(record.executions.map((e: { execution: { runId: string } }) => e.execution.runId).sort()).toEqual(listed.map((e: { runId: string }) => e.runId).sort());

    // The CLI prints the same events for the cycle's execution.
    const cycleRun = record.executions.find((e: { execution: { workflowType: string } }) => e.execution.workflowType === 'planningCycle');
    const shown = cli('workflow', 'show', '--workflow-id', cycleRun.execution.workflowId, '--run-id', cycleRun.execution.runId);
    expect(cycleRun.history.events.map((e: { eventId: string; eventType: string }) => [e.eventId, e.eventType])).toEqual(
      shown.events.map((e: { eventId: string; eventType: string }) => [e.eventId, e.eventType]),
    );

    // Every exported history replays against the current workflow code.
    quietRuntime();
    const replays = Worker.runReplayHistories(
      { workflowBundle: { codePath: harnessEnv().ROLLPLAN_TEST_WORKFLOW_BUNDLE }, replayName: 'export' },
      record.executions.map((e: { execution: { workflowId: string }; history: unknown }) => ({ workflowId: e.execution.workflowId, history: historyFromJSON(e.history) })),
    );
    let replayed = 0;
    for await (const { error } of replays) {
      expect(error).toBeUndefined();
      replayed += 1;
    }
    expect(replayed).toBe(record.executions.length);

    // Chinese headers by default (with a BOM for spreadsheet programs), English on request.
    const chinese = await auditor.get(`/cycles/${cycleId}/decisions.csv`).expect(200).expect('content-language', 'zh-CN');
    expect(chinese.text.split('\n')[0]).toMatch(/^\uFEFF时间,类型,摘要,人员ID,人员,邮箱/);
    await auditor.get(`/cycles/${cycleId}/decisions.csv`).set('Accept-Language', 'en-US,en;q=0.9').expect(200).expect('content-language', 'en');
    expect((await auditor.get(`/cycles/${cycleId}/decisions.csv`).query({ lang: 'fr' }).expect(400)).body.details).toEqual([{ path: 'lang', message: 'must be one of: zh-CN, en' }]);
    const csv = await auditor.get(`/cycles/${cycleId}/decisions.csv`).query({ lang: 'en' }).expect(200).expect('content-type', /text\/csv/);
    const rows = parse(csv.text, { columns: true }) as Record<string, string>[];
    const decided = rows.filter((r) => r.type === 'decision' && r.actor_email);
    expect(decided.map((r) => [r.actor_email, r.task_kind, r.outcome, r.comment])).toEqual([
      [DEMO.finance, 'plan.contribution', 'submitted', ''],
      [DEMO.reviewer, 'plan.review', 'approve', 'Targets are sound'],
      [REVIEWER2, 'plan.review', 'approve', ''],
      [DEMO.chair, 'plan.final_approval', 'approve', 'Adopted'],
    ]);
    expect(rows.find((r) => r.type === 'command')).toMatchObject({ actor_email: DEMO.admin, reason: 'replaced by the group plan' });

    await (await as(DEMO.customer)).get(`/cycles/${cycleId}/export`).expect(403);
    await auditor.get('/cycles/00000000-0000-4000-8000-000000000000/export').expect(404);
  });
});
