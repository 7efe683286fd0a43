import request from 'supertest';
import { OrgUnitEntity } from '@rollplan/db';
import { addMonths, formatPeriod, type PlanContent } from '@rollplan/domain';
import { orgMonthNow } from './org-time';
import { samplePlan } from './plans';
import { DEMO, eventually, type TestSystem } from './system';

/**
 * A cycle taken into execution through HTTP, as the planning office would: started, the one
 * contribution waived, a draft approved by both reviewers and the chair. Its plan starts in the
 * year of last month, so last month (the organization's) is the month open for actuals.
 */
export async function cycleInExecution(system: TestSystem, options: { title: string; plan?: (units: Record<string, string>, year: number) => PlanContent }) {
  const as = async (email: string) => request.agent(system.baseUrl).auth(await system.tokenFor(email), { type: 'bearer' });
  const admin = await as(DEMO.admin);
  const units = Object.fromEntries((await system.db.dataSource.getRepository(OrgUnitEntity).find()).map((u) => [u.code, u.id]));
  const open = formatPeriod(addMonths(orgMonthNow(), -1));
  const year = addMonths(orgMonthNow(), -1).year;
  const { body: cycle } = await admin.post('/cycles').send({ title: options.title, startYear: year, contributingUnitIds: [units['finance']], rollingAdjustment: { auto: false } }).expect(201);
  await eventually(() => admin.get(`/cycles/${cycle.id}`).then((r) => r.body), (c) => c.pending?.length === 1);
  await admin.post(`/cycles/${cycle.id}/contributions/${units['finance']}/waive`).send({ reason: 'agreed beforehand' }).expect(200);
  const plan = options.plan ? options.plan(units, year) : samplePlan({ finance: units['finance'], customer: units['customer'] }, year);
  await admin.post(`/cycles/${cycle.id}/drafts`).send(plan).expect(201);
  for (const email of [DEMO.reviewer, 'reviewer2@rollplan.example', DEMO.chair]) {
    const agent = await as(email);
    const [task] = await eventually(() => agent.get('/tasks').query({ cycleId: cycle.id }).then((r) => r.body.items), (items) => items.length > 0);
    await agent.post(`/tasks/${task.id}/complete`).send({ outcome: 'approve' }).expect(200);
  }
  await eventually(() => admin.get(`/cycles/${cycle.id}`).then((r) => r.body), (c) => c.currentPeriod === open, 30_000);
  await eventually(() => admin.get(`/cycles/${cycle.id}/periods/${open}`).then((r) => r.status), (status) => status === 200);
  return { cycleId: cycle.id as string, open, year, units, admin, as };
}

/** Asks `assigneeUserId` for something over POST /tasks (an ad-hoc request due in five days) and waits until its task is listed. */
export async function openAdhocRequest(agent: ReturnType<typeof request.agent>, title: string, assigneeUserId: string): Promise<{ id: string; title: string }> {
  await agent
    .post('/tasks')
    .send({ kind: 'adhoc.request', title, assignee: { type: 'user', userId: assigneeUserId }, dueAt: new Date(Date.now() + 5 * 86_400_000).toISOString() })
    .expect(201);
  const task = await eventually(
    () => agent.get('/tasks').query({ kind: 'adhoc.request' }).then((r) => (r.body.items as { id: string; title: string }[]).find((t) => t.title === title)),
    Boolean,
    30_000,
  );
  if (!task) throw new Error(`the request "${title}" never opened`);
  return task;
}
