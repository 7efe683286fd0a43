import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DEMO_PASSWORD, routeTable, type RouteEntry } from '@rollplan/api';
import { NotificationEntity, TaskEntity } from '@rollplan/db';
import { addMonths, formatPeriod } from '@rollplan/domain';
import { samplePlan } from '../support/plans';
import { DEMO, eventually, startTestSystem, type TestSystem } from '../support/system';
import { orgMonthNow } from '../support/org-time';

// The role × endpoint matrix, built from the application's own route table: a new endpoint
// without an access rule, or without a sample request here, fails this suite.

type Caller = 'anonymous' | 'admin' | 'contributor' | 'reviewer' | 'chair' | 'auditor';
const CALLERS: Record<Exclude<Caller, 'anonymous'>, string> = {
  admin: DEMO.admin,
  contributor: DEMO.strategy,
  reviewer: DEMO.reviewer,
  chair: DEMO.chair,
  auditor: DEMO.auditor,
};

/**
 * Who may call what: the policy, written out independently of the decorators. The chair
 * signs in as reviewer + chair, so a route open to reviewers is open to the chair.
 */
const POLICY: Record<string, 'public' | 'signed-in' | Exclude<Caller, 'anonymous'>[]> = {
  'GET /health': 'public',
  'GET /health/live': 'public',
  // Scraped inside the deployment; the reverse proxies do not pass it on.
  'GET /metrics': 'public',
  'POST /auth/login': 'public',
  'POST /auth/refresh': 'public',
  'POST /auth/logout': 'signed-in',
  'GET /auth/me': 'signed-in',
  'GET /cycles': 'signed-in',
  'POST /cycles': ['admin'],
  'GET /cycles/:id': 'signed-in',
  'POST /cycles/:id/cancel': ['admin'],
  'POST /cycles/:id/drafts': ['admin'],
  'POST /cycles/:id/contributions/:unitId/waive': ['admin'],
  'POST /cycles/:id/contributions/:unitId/extend': ['admin'],
  'POST /cycles/:id/changes': ['admin'],
  'POST /cycles/:id/close': ['admin'],
  'POST /cycles/:id/adjustments': ['admin'],
  'POST /cycles/:id/adjustments/:year/plans': ['admin'],
  'POST /cycles/:id/periods/:period/backfill': ['admin'],
  'GET /cycles/:id/periods': 'signed-in',
  'GET /cycles/:id/periods/:period': 'signed-in',
  // Contributors report their own KPIs (the matrix's contributor, strategy, owns one).
  'PUT /cycles/:id/periods/:period/actuals': ['admin', 'contributor'],
  'POST /cycles/:id/periods/:period/imports': ['admin', 'contributor'],
  'GET /cycles/:id/periods/:period/imports/:importId': 'signed-in',
  'GET /cycles/:id/periods/:period/report': 'signed-in',
  'GET /cycles/:id/periods/:period/report.html': 'signed-in',
  'GET /cycles/:id/periods/:period/report.xlsx': 'signed-in',
  'POST /cycles/:id/periods/:period/close': ['admin'],
  'POST /cycles/:id/periods/:period/extend': ['admin'],
  'GET /plans/:cycleId/versions': 'signed-in',
  'GET /plans/:cycleId/versions/:version': 'signed-in',
  'GET /plans/:cycleId/diff': 'signed-in',
  'GET /users': ['admin', 'auditor'],
  'POST /users': ['admin'],
  'GET /users/:id': ['admin', 'auditor'],
  'PATCH /users/:id': ['admin'],
  'POST /users/:id/deactivate': ['admin'],
  'POST /users/:id/reactivate': ['admin'],
  'GET /org-units': 'signed-in',
  'POST /org-units': ['admin'],
  'PATCH /org-units/:id': ['admin'],
  'GET /committee/members': 'signed-in',
  'GET /directory': 'signed-in',
  'GET /task-kinds': 'signed-in',
  'PUT /committee/members/:userId': ['admin'],
  'DELETE /committee/members/:userId': ['admin'],
  'POST /api-tokens': ['admin'],
  'GET /api-tokens': ['admin', 'auditor'],
  'POST /api-tokens/:id/revoke': ['admin'],
  'GET /audit': ['admin', 'auditor'],
  'GET /audit/verify': ['admin', 'auditor'],
  // Auditors' reading of the workflows; admins may read too.
  'GET /cycles/:id/history': ['admin', 'auditor'],
  'GET /cycles/:id/export': ['admin', 'auditor'],
  'GET /cycles/:id/decisions.csv': ['admin', 'auditor'],
  'GET /executions': ['admin', 'auditor'],
  // Task routes: anyone signed in reads; everyone but auditors may act, and what each may do
  // with a task is the workflow's check.
  'GET /tasks': 'signed-in',
  'POST /tasks': ['admin'],
  'GET /tasks/:id': 'signed-in',
  'POST /tasks/:id/complete': ['admin', 'contributor', 'reviewer', 'chair'],
  'POST /tasks/:id/claim': ['admin', 'contributor', 'reviewer', 'chair'],
  'POST /tasks/:id/unclaim': ['admin', 'contributor', 'reviewer', 'chair'],
  'POST /tasks/:id/delegate': ['admin', 'contributor', 'reviewer', 'chair'],
  'GET /tasks/:id/comments': 'signed-in',
  'POST /tasks/:id/comments': ['admin', 'contributor', 'reviewer', 'chair'],
  'GET /notifications': 'signed-in',
  'GET /notifications/stream': 'signed-in',
  'POST /notifications/:id/read': 'signed-in',
  'GET /webhooks': ['admin', 'auditor'],
  'POST /webhooks': ['admin'],
  'DELETE /webhooks/:id': ['admin'],
  'GET /dead-letters': ['admin'],
  'POST /dead-letters/:id/retry': ['admin'],
  'PUT /cycles/:id/periods/:period/spend': ['admin', 'contributor'],
  'POST /cycles/:id/periods/:period/spend/imports': ['admin', 'contributor'],
  'GET /cycles/:id/risks': 'signed-in',
  'GET /cycles/:id/risks/:riskId': 'signed-in',
  'POST /cycles/:id/risks': ['admin', 'contributor'],
  'GET /cycles/:id/evaluations': 'signed-in',
  'GET /calendar/:year': 'signed-in',
  'PUT /calendar/entries/:date': ['admin'],
  'DELETE /calendar/entries/:date': ['admin'],
};

function expected(policy: (typeof POLICY)[string], caller: Caller): '2xx' | 401 | 403 {
  if (policy === 'public') return '2xx';
  if (caller === 'anonymous') return 401;
  if (policy === 'signed-in') return '2xx';
  return policy.includes(caller as never) ? '2xx' : 403;
}

describe('role × endpoint matrix', () => {
  let system: TestSystem;
  let routes: RouteEntry[];
  const tokens: Partial<Record<Caller, string>> = {};
  let admin: ReturnType<typeof request.agent>;
  let cycleId: string;
  let targetUserId: string;
  let unitId: string;
  let customerUnitId: string;
  let planCycleId: string;
  let strategyUnitId: string;
  /** Cycles in execution: months of this year that have ended are reviewed; `openPeriod` takes actuals. */
  let executionCycleId: string;
  let closingCycleId: string;
  /** Closed by the admin's call of the matrix (made before the matrix changes the committee). */
  let closableCycleId: string;
  /** Its past months skipped, `closedPeriod` among them. */
  let skippingCycleId: string;
  /** Its rolling adjustment waits for the rolled plan of `year`. */
  let rolling: { id: string; year: number };
  let importId: string;
  const thisMonth = orgMonthNow();
  const openPeriod = formatPeriod(addMonths(thisMonth, -1));
  const closedPeriod = formatPeriod(addMonths(thisMonth, -2));
  const year = addMonths(thisMonth, -2).year;

  const unique = () => randomUUID().slice(0, 8);
  // Office calendar entries far in the future, a different date each call (none touches a cycle's months).
  let matrixDays = 0;
  const matrixRisk = () => ({ title: `Matrix risk ${unique()}`, category: 'market', ownerUnitId: strategyUnitId, likelihood: 2, impact: 3, response: 'reduce' });
  const matrixDate = () => new Date(Date.UTC(2190, 0, 1 + matrixDays++)).toISOString().slice(0, 10);
  const newUser = async () =>
    (await admin.post('/users').send({ email: `m-${unique()}@rollplan.example`, displayName: 'Matrix', password: 'matrix passphrase', roles: ['reviewer'] }).expect(201)).body.id as string;
  const newCycle = async () => (await admin.post('/cycles').send({ title: 'Matrix cycle', startYear: 2027 }).expect(201)).body.id as string;
  /** A cycle of one contributor (finance) whose contribution task is open. */
  const contributingCycle = async () => {
    const id = (await admin.post('/cycles').send({ title: 'Matrix plan', startYear: 2027, contributingUnitIds: [unitId] }).expect(201)).body.id as string;
    await eventually(() => admin.get(`/cycles/${id}`).then((r) => r.body), (c) => c.pending?.length === 1);
    return id;
  };
  /** A cycle waiting for its first draft: its only contribution waived. */
  const draftableCycle = async () => {
    const id = await contributingCycle();
    await admin.post(`/cycles/${id}/contributions/${unitId}/waive`).send({ reason: 'matrix' }).expect(200);
    return id;
  };
  const plan = () => samplePlan({ finance: unitId, customer: customerUnitId });
  /**
   * A cycle of this year, approved by the demo committee: `closedPeriod` backfilled and closed
   * early (its report rendered), `openPeriod` taking actuals — or, with `skip`, its past months skipped.
   */
  const executingCycle = async (monitoring: 'backfill' | 'skip' = 'backfill') => {
    const body = { title: 'Matrix execution', startYear: year, contributingUnitIds: [unitId], rollingAdjustment: { auto: false }, ...(monitoring === 'backfill' ? { monitoring: { from: closedPeriod, pastMonths: 'backfill' } } : {}) };
    const id = (await admin.post('/cycles').send(body).expect(201)).body.id as string;
    await eventually(() => admin.get(`/cycles/${id}`).then((r) => r.body), (c) => c.pending?.length === 1);
    await admin.post(`/cycles/${id}/contributions/${unitId}/waive`).send({ reason: 'matrix' }).expect(200);
    await admin.post(`/cycles/${id}/drafts`).send(samplePlan({ finance: strategyUnitId, customer: customerUnitId }, year)).expect(201);
    for (const email of [DEMO.reviewer, 'reviewer2@rollplan.example', DEMO.chair]) {
      const agent = request.agent(system.baseUrl).auth(await system.tokenFor(email), { type: 'bearer' });
      const [task] = await eventually(() => agent.get('/tasks').query({ cycleId: id }).then((r) => r.body.items), (items) => items.length > 0);
      await agent.post(`/tasks/${task.id}/complete`).send({ outcome: 'approve' }).expect(200);
    }
    await eventually(() => admin.get(`/cycles/${id}/periods`).then((r) => r.body as { period: string }[]), (rows) => rows.some((row) => row.period === openPeriod), 30_000);
    if (monitoring === 'backfill') await admin.post(`/cycles/${id}/periods/${closedPeriod}/close`).send({ reason: 'matrix' }).expect(202);
    return id;
  };
  /** A cycle in execution whose rolling adjustment waits for its rolled plan (the finance analysis is in). */
  const rollingCycle = async () => {
    const id = await executingCycle('skip');
    const { body } = await admin.post(`/cycles/${id}/adjustments`).expect(200);
    const finance = request.agent(system.baseUrl).auth(await system.tokenFor(DEMO.finance), { type: 'bearer' });
    const [task] = await eventually(() => finance.get('/tasks').query({ cycleId: id, kind: 'plan.contribution' }).then((r) => r.body.items), (items) => items.length > 0);
    const analysis = { area: 'finance', funding: 'f', investmentCapacity: 'i', financingCapacity: 'c', financialPosition: 'p' };
    await finance.post(`/tasks/${task.id}/complete`).send({ outcome: 'submitted', payload: analysis }).expect(200);
    await eventually(() => admin.get(`/cycles/${id}`).then((r) => r.body), (c) => c.adjustment?.stage === 'drafting');
    return { id, year: body.adjustment.year as number };
  };
  const freshLogin = async () => (await request(system.baseUrl).post('/auth/login').send({ email: DEMO.finance, password: DEMO_PASSWORD }).expect(200)).body;

  /** Opens an ad-hoc request held by the caller (by their unit, for `group`) and returns its task id. */
  const taskFor = async (caller: Caller, group = false): Promise<string> => {
    const holder = caller === 'anonymous' ? 'admin' : caller;
    const user = system.userIds[CALLERS[holder] as keyof typeof system.userIds];
    const unitId = (await admin.get(`/users/${user}`).expect(200)).body.unitId;
    const assignee = group ? { type: 'unit', unitId } : { type: 'user', userId: user };
    const dueAt = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const { body } = await admin.post('/tasks').send({ kind: 'adhoc.request', title: `Matrix ${unique()}`, assignee, dueAt }).expect(201);
    const rows = await eventually(
      () => system.db.dataSource.getRepository(TaskEntity).findBy({ workflowId: body.requestId }),
      (found) => found.length > 0,
    );
    return rows[0].id;
  };
  /** A dead letter to retry: a delivery to a port nothing listens on, out of tries (2 in the test system). */
  const deadLetter = async (): Promise<string> => {
    const hook = (await admin.post('/webhooks').send({ url: 'http://127.0.0.1:9/refused', events: ['task.cancelled'] }).expect(201)).body;
    const before = new Set((await admin.get('/dead-letters').expect(200)).body.items.map((d: { id: string }) => d.id));
    const id = await taskFor('admin');
    const { workflowId } = await system.db.dataSource.getRepository(TaskEntity).findOneByOrFail({ id });
    await system.temporal.workflow.getHandle(workflowId).cancel();
    const letters = await eventually(
      () => admin.get('/dead-letters').then((r) => r.body.items as { id: string }[]),
      (items) => items.some((d) => !before.has(d.id)),
      20_000,
    );
    await admin.delete(`/webhooks/${hook.id}`).expect(204);
    return letters.find((d) => !before.has(d.id))!.id;
  };
  const claimedTaskFor = async (caller: Caller): Promise<string> => {
    const id = await taskFor(caller, true);
    // An auditor cannot claim: the task stays unclaimed, and unclaiming it is refused by role first.
    if (caller !== 'anonymous' && caller !== 'auditor') await request(system.baseUrl).post(`/tasks/${id}/claim`).auth(tokens[caller]!, { type: 'bearer' }).expect(200);
    return id;
  };

  /** A valid request per route, so an allowed caller gets a 2xx. Prepared anew for each call that changes state. */
  const SAMPLES: Record<string, (caller: Caller) => Promise<{ path: string; body?: object; csv?: string }>> = {
    'GET /health': async () => ({ path: '/health' }),
    'GET /health/live': async () => ({ path: '/health/live' }),
    'GET /metrics': async () => ({ path: '/metrics' }),
    'POST /auth/login': async () => ({ path: '/auth/login', body: { email: DEMO.finance, password: DEMO_PASSWORD } }),
    'POST /auth/refresh': async () => ({ path: '/auth/refresh', body: { refreshToken: (await freshLogin()).refreshToken } }),
    'POST /auth/logout': async () => ({ path: '/auth/logout', body: { refreshToken: (await freshLogin()).refreshToken } }),
    'GET /auth/me': async () => ({ path: '/auth/me' }),
    'GET /cycles': async () => ({ path: '/cycles' }),
    'POST /cycles': async () => ({ path: '/cycles', body: { title: `Matrix ${unique()}`, startYear: 2027 } }),
    'GET /cycles/:id': async () => ({ path: `/cycles/${cycleId}` }),
    'POST /cycles/:id/cancel': async () => ({ path: `/cycles/${await newCycle()}/cancel`, body: { reason: 'matrix' } }),
    'POST /cycles/:id/drafts': async (caller) => ({ path: `/cycles/${caller === 'admin' ? await draftableCycle() : planCycleId}/drafts`, body: plan() }),
    'POST /cycles/:id/contributions/:unitId/waive': async (caller) => ({
      path: `/cycles/${caller === 'admin' ? await contributingCycle() : planCycleId}/contributions/${unitId}/waive`,
      body: { reason: 'covered elsewhere' },
    }),
    'POST /cycles/:id/contributions/:unitId/extend': async (caller) => ({
      path: `/cycles/${caller === 'admin' ? await contributingCycle() : planCycleId}/contributions/${unitId}/extend`,
      body: { reason: 'year-end close', dueAt: new Date(Date.now() + 30 * 86_400_000).toISOString() },
    }),
    'POST /cycles/:id/adjustments': async () => ({ path: `/cycles/${closingCycleId}/adjustments` }),
    'POST /cycles/:id/adjustments/:year/plans': async () => ({
      path: `/cycles/${rolling.id}/adjustments/${rolling.year}/plans`,
      body: samplePlan({ finance: strategyUnitId, customer: customerUnitId }, rolling.year),
    }),
    'POST /cycles/:id/periods/:period/backfill': async () => ({ path: `/cycles/${skippingCycleId}/periods/${closedPeriod}/backfill` }),
    'POST /cycles/:id/close': async () => ({ path: `/cycles/${closableCycleId}/close`, body: { force: true, reason: 'matrix' } }),
    'POST /cycles/:id/changes': async () => ({ path: `/cycles/${executionCycleId}/changes`, body: { content: samplePlan({ finance: strategyUnitId, customer: customerUnitId }, year), reason: 'matrix' } }),
    'GET /cycles/:id/periods': async () => ({ path: `/cycles/${executionCycleId}/periods` }),
    'GET /cycles/:id/periods/:period': async () => ({ path: `/cycles/${executionCycleId}/periods/${openPeriod}` }),
    'PUT /cycles/:id/periods/:period/actuals': async () => ({ path: `/cycles/${executionCycleId}/periods/${openPeriod}/actuals`, body: { values: [{ kpiId: 'revenue-cny', value: 790 }] } }),
    'POST /cycles/:id/periods/:period/imports': async () => ({ path: `/cycles/${executionCycleId}/periods/${openPeriod}/imports`, csv: 'kpi_id,value\nrevenue-cny,795\n' }),
    'GET /cycles/:id/periods/:period/imports/:importId': async () => ({ path: `/cycles/${executionCycleId}/periods/${openPeriod}/imports/${importId}` }),
    'GET /cycles/:id/periods/:period/report': async () => ({ path: `/cycles/${executionCycleId}/periods/${closedPeriod}/report` }),
    'GET /cycles/:id/periods/:period/report.html': async () => ({ path: `/cycles/${executionCycleId}/periods/${closedPeriod}/report.html` }),
    'GET /cycles/:id/periods/:period/report.xlsx': async () => ({ path: `/cycles/${executionCycleId}/periods/${closedPeriod}/report.xlsx` }),
    'POST /cycles/:id/periods/:period/close': async () => ({ path: `/cycles/${closingCycleId}/periods/${openPeriod}/close`, body: { reason: 'matrix' } }),
    'POST /cycles/:id/periods/:period/extend': async () => ({
      path: `/cycles/${closingCycleId}/periods/${openPeriod}/extend`,
      body: { closesAt: new Date(Date.now() + 40 * 86_400_000).toISOString(), reason: 'matrix' },
    }),
    'GET /plans/:cycleId/versions': async () => ({ path: `/plans/${planCycleId}/versions` }),
    'GET /plans/:cycleId/versions/:version': async () => ({ path: `/plans/${planCycleId}/versions/1` }),
    'GET /plans/:cycleId/diff': async () => ({ path: `/plans/${planCycleId}/diff?from=1&to=1` }),
    'GET /users': async () => ({ path: '/users' }),
    'POST /users': async () => ({
      path: '/users',
      body: { email: `n-${unique()}@rollplan.example`, displayName: 'N', password: 'matrix passphrase', roles: ['contributor'] },
    }),
    'GET /users/:id': async () => ({ path: `/users/${targetUserId}` }),
    'PATCH /users/:id': async () => ({ path: `/users/${targetUserId}`, body: { displayName: `Renamed ${unique()}` } }),
    'POST /users/:id/deactivate': async () => ({ path: `/users/${await newUser()}/deactivate` }),
    'POST /users/:id/reactivate': async () => ({ path: `/users/${targetUserId}/reactivate` }),
    'GET /org-units': async () => ({ path: '/org-units' }),
    'POST /org-units': async () => ({ path: '/org-units', body: { code: `sub-${unique()}`, name: 'Subsidiary', kind: 'subsidiary' } }),
    'PATCH /org-units/:id': async () => ({ path: `/org-units/${unitId}`, body: { name: `Finance ${unique()}` } }),
    'GET /committee/members': async () => ({ path: '/committee/members' }),
    'GET /directory': async () => ({ path: '/directory' }),
    'GET /task-kinds': async () => ({ path: '/task-kinds' }),
    'PUT /committee/members/:userId': async () => ({ path: `/committee/members/${targetUserId}` }),
    'DELETE /committee/members/:userId': async () => {
      const userId = await newUser();
      await admin.put(`/committee/members/${userId}`).expect(200);
      return { path: `/committee/members/${userId}` };
    },
    'POST /api-tokens': async () => ({ path: '/api-tokens', body: { name: 'matrix', userId: targetUserId, scopes: ['cycles:read'] } }),
    'GET /api-tokens': async () => ({ path: '/api-tokens' }),
    'POST /api-tokens/:id/revoke': async () => {
      const { body } = await admin.post('/api-tokens').send({ name: 'to revoke', userId: targetUserId, scopes: ['cycles:read'] }).expect(201);
      return { path: `/api-tokens/${body.id}/revoke` };
    },
    'GET /audit': async () => ({ path: '/audit' }),
    'GET /audit/verify': async () => ({ path: '/audit/verify' }),
    'PUT /cycles/:id/periods/:period/spend': async () => ({ path: `/cycles/${executionCycleId}/periods/${openPeriod}/spend`, body: { unitId: strategyUnitId, entries: [{ amount: 3 }] } }),
    'POST /cycles/:id/periods/:period/spend/imports': async () => ({ path: `/cycles/${executionCycleId}/periods/${openPeriod}/spend/imports`, csv: `unit_id,initiative_id,amount\n${strategyUnitId},,${unique().length}\n` }),
    'GET /cycles/:id/risks': async () => ({ path: `/cycles/${executionCycleId}/risks` }),
    'GET /cycles/:id/risks/:riskId': async () => {
      const { body } = await admin.post(`/cycles/${executionCycleId}/risks`).send(matrixRisk()).expect(201);
      return { path: `/cycles/${executionCycleId}/risks/${body.id}` };
    },
    'POST /cycles/:id/risks': async () => ({ path: `/cycles/${executionCycleId}/risks`, body: matrixRisk() }),
    'GET /cycles/:id/evaluations': async () => ({ path: `/cycles/${executionCycleId}/evaluations` }),
    'GET /calendar/:year': async () => ({ path: '/calendar/2026' }),
    'PUT /calendar/entries/:date': async () => ({ path: `/calendar/entries/${matrixDate()}`, body: { kind: 'holiday', name: 'Matrix day' } }),
    'DELETE /calendar/entries/:date': async () => {
      const date = matrixDate();
      await admin.put(`/calendar/entries/${date}`).send({ kind: 'holiday', name: 'To remove' }).expect(200);
      return { path: `/calendar/entries/${date}` };
    },
    'GET /cycles/:id/history': async () => ({ path: `/cycles/${cycleId}/history` }),
    'GET /cycles/:id/export': async () => ({ path: `/cycles/${cycleId}/export` }),
    'GET /cycles/:id/decisions.csv': async () => ({ path: `/cycles/${cycleId}/decisions.csv` }),
    'GET /executions': async () => ({ path: `/executions?cycleId=${cycleId}` }),
    'GET /tasks': async () => ({ path: '/tasks' }),
    'POST /tasks': async () => ({
      path: '/tasks',
      body: { kind: 'adhoc.request', title: 'Matrix request', assignee: { type: 'committee' }, dueAt: new Date(Date.now() + 86_400_000).toISOString() },
    }),
    'GET /tasks/:id': async (caller) => ({ path: `/tasks/${await taskFor(caller)}` }),
    'POST /tasks/:id/complete': async (caller) => ({ path: `/tasks/${await taskFor(caller)}/complete`, body: { outcome: 'done' } }),
    'POST /tasks/:id/claim': async (caller) => ({ path: `/tasks/${await taskFor(caller, true)}/claim` }),
    'POST /tasks/:id/unclaim': async (caller) => ({ path: `/tasks/${await claimedTaskFor(caller)}/unclaim` }),
    'POST /tasks/:id/delegate': async (caller) => ({
      path: `/tasks/${await taskFor(caller)}/delegate`,
      body: { toUserId: system.userIds[caller === 'admin' ? DEMO.finance : DEMO.admin] },
    }),
    'GET /tasks/:id/comments': async (caller) => ({ path: `/tasks/${await taskFor(caller)}/comments` }),
    'POST /tasks/:id/comments': async (caller) => ({ path: `/tasks/${await taskFor(caller)}/comments`, body: { body: 'a note' } }),
    'GET /notifications': async () => ({ path: '/notifications' }),
    'GET /notifications/stream': async () => ({ path: '/notifications/stream?maxSeconds=1' }),
    'POST /notifications/:id/read': async (caller) => {
      const taskId = await taskFor(caller);
      const holder = system.userIds[CALLERS[caller === 'anonymous' ? 'admin' : caller] as keyof typeof system.userIds];
      const [note] = await eventually(
        () => system.db.dataSource.getRepository(NotificationEntity).findBy({ taskId, userId: holder }),
        (rows) => rows.length > 0,
      );
      return { path: `/notifications/${note.id}/read` };
    },
    'GET /webhooks': async () => ({ path: '/webhooks' }),
    'POST /webhooks': async () => ({ path: '/webhooks', body: { url: 'http://127.0.0.1:9/hooks', events: ['task.opened'] } }),
    'DELETE /webhooks/:id': async () => {
      const { body } = await admin.post('/webhooks').send({ url: 'http://127.0.0.1:9/hooks', events: ['task.decided'] }).expect(201);
      return { path: `/webhooks/${body.id}` };
    },
    'GET /dead-letters': async () => ({ path: '/dead-letters' }),
    'POST /dead-letters/:id/retry': async () => ({ path: `/dead-letters/${await deadLetter()}/retry` }),
  };

  beforeAll(async () => {
    system = await startTestSystem();
    routes = routeTable(system.app);
    for (const [caller, email] of Object.entries(CALLERS)) tokens[caller as Caller] = await system.tokenFor(email);
    admin = request.agent(system.baseUrl).auth(tokens.admin!, { type: 'bearer' });
    cycleId = await newCycle();
    targetUserId = await newUser();
    const units = (await admin.get('/org-units').expect(200)).body as { code: string; id: string }[];
    unitId = units.find((u) => u.code === 'finance')!.id;
    customerUnitId = units.find((u) => u.code === 'customer')!.id;
    planCycleId = await draftableCycle();
    await admin.post(`/cycles/${planCycleId}/drafts`).send(plan()).expect(201);
    strategyUnitId = units.find((u) => u.code === 'strategy-rd')!.id;
    [executionCycleId, closingCycleId, closableCycleId, skippingCycleId] = [await executingCycle(), await executingCycle(), await executingCycle(), await executingCycle('skip')];
    rolling = await rollingCycle();
    importId = (await admin.post(`/cycles/${executionCycleId}/periods/${openPeriod}/imports`).set('content-type', 'text/csv').send('kpi_id,value\nnps,34\n').expect(202)).body.id;
    await eventually(() => admin.get(`/cycles/${executionCycleId}/periods/${closedPeriod}/report.xlsx`).then((r) => r.status), (s) => s === 200, 30_000);
  });
  afterAll(() => system?.stop());

  it('finds the routes of every resource', () => {
    expect(routes.length).toBeGreaterThanOrEqual(Object.keys(SAMPLES).length);
    expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual(expect.arrayContaining(['POST /cycles', 'GET /audit', 'POST /auth/login']));
  });

  it('gives every route an access rule', () => {
    expect(routes.filter((r) => !r.rule).map((r) => `${r.method} ${r.path}`)).toEqual([]);
  });

  it('has a policy and a sample request for every route (add both with each new endpoint)', () => {
    const keys = routes.map((r) => `${r.method} ${r.path}`);
    expect(keys.filter((key) => !SAMPLES[key] || !POLICY[key])).toEqual([]);
    expect(Object.keys(POLICY).filter((key) => !keys.includes(key))).toEqual([]);
  });

  it('answers each role on each route as its rule says', async () => {
    const mismatches: string[] = [];
    let cells = 0;
    for (const route of routes) {
      const key = `${route.method} ${route.path}`;
      if (!route.rule || !SAMPLES[key] || !POLICY[key]) continue;
      for (const caller of ['anonymous', ...Object.keys(CALLERS)] as Caller[]) {
        const sample = await SAMPLES[key](caller);
        let call = request(system.baseUrl)[route.method.toLowerCase() as 'get'](sample.path);
        if (caller !== 'anonymous') call = call.auth(tokens[caller]!, { type: 'bearer' });
        const response = sample.csv ? await call.set('content-type', 'text/csv').send(sample.csv) : sample.body ? await call.send(sample.body) : await call;
        const want = expected(POLICY[key], caller);
        const got = response.status >= 200 && response.status < 300 ? '2xx' : response.status;
        cells++;
        if (got !== want) mismatches.push(`${key} as ${caller}: expected ${want}, got ${response.status} ${JSON.stringify(response.body).slice(0, 200)}`);
      }
    }
    expect(mismatches).toEqual([]);
    expect(cells).toBe(routes.length * 6);
  });
});
