import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { seedDemoOrganization } from '@rollplan/api';
import { OrgUnitEntity, PlanVersionEntity, TaskEntity, UserEntity } from '@rollplan/db';
import { cycleWorkflowId, type Actor, type GroupRule, type Role } from '@rollplan/domain';
import {
  WorkflowType,
  completeTaskUpdate,
  cycleStatusQuery,
  extendContributionUpdate,
  submitDraftUpdate,
  tasksQuery,
  type CycleSetup,
  type PlanningCycleInput,
  type TaskState,
} from '@rollplan/workflows';
import { contributionFor, samplePlan } from '../support/plans';
import { useWorkflowTestBed } from '../support/temporal';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

// Seed 000 §2–4 on the time-skipping server: overdue contributions and reviews, the round
// limit, four-eyes and simultaneous ballots, driven through the cycle's own updates.
describe('plan drafting and committee review (time-skipping)', () => {
  const bed = useWorkflowTestBed('drafting');
  const people: Record<string, Actor> = {};
  const units: Record<string, string> = {};

  beforeAll(async () => {
    await seedDemoOrganization(bed.db.dataSource);
    for (const u of await bed.db.dataSource.getRepository(UserEntity).find()) {
      people[u.email.split('@')[0]] = { userId: u.id, roles: u.roles as Role[], unitId: u.unitId, via: 'user' };
    }
    for (const unit of await bed.db.dataSource.getRepository(OrgUnitEntity).find()) units[unit.code] = unit.id;
  });

  const now = async () => Number(await bed.env.currentTimeMs());

  async function startCycle(options: { contributors?: string[]; members?: string[]; rule?: GroupRule; maxRounds?: number; internalReview?: string[] } = {}) {
    const contributors = options.contributors ?? ['finance'];
    const members = (options.members ?? ['reviewer1', 'reviewer2']).map((who) => people[who].userId);
    const setup: CycleSetup = {
      contributors: contributors.map((code) => ({ unitId: units[code], area: code as 'finance', name: code })),
      contributionDueAt: new Date((await now()) + 14 * DAY).toISOString(),
      planningOfficeUnitId: units['planning-office'],
      internalReviewUnitIds: (options.internalReview ?? []).map((code) => units[code]),
      committee: { memberIds: members, chairId: people.chair.userId, rule: options.rule ?? { kind: 'all' }, reviewDays: 7, maxRounds: options.maxRounds ?? 3 },
    };
    const input: PlanningCycleInput = { cycleId: randomUUID(), title: 'Plan 2027–2029', startYear: 2027, horizonYears: 3, startedBy: people.admin, setup };
    const handle = await bed.env.client.workflow.start(WorkflowType.PlanningCycle, { workflowId: cycleWorkflowId(input.cycleId), taskQueue: bed.taskQueue, args: [input] });
    return { handle, input };
  }

  /** Open tasks of one kind, once `count` of them exist. */
  async function openTasks(handle: WorkflowHandle, kind: string, count: number): Promise<TaskState[]> {
    for (let i = 0; i < 200; i++) {
      const open = (await handle.query(tasksQuery)).filter((t) => t.spec.kind === kind && (t.status === 'open' || t.status === 'claimed'));
      if (open.length >= count) return open;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`${count} open ${kind} tasks never appeared`);
  }

  async function phaseOf(handle: WorkflowHandle, phase: string) {
    for (let i = 0; i < 200; i++) {
      const status = await handle.query(cycleStatusQuery);
      if (status.phase === phase) return status;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`never reached ${phase}`);
  }

  const complete = (handle: WorkflowHandle, task: TaskState, actor: Actor, outcome: string, extra: { comment?: string; payload?: Record<string, unknown> } = {}) =>
    handle.executeUpdate(completeTaskUpdate, { args: [{ taskId: task.id, outcome, actor, ...extra }] });

  async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
    const error = await promise.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
    return (error as WorkflowUpdateFailedError).cause as ApplicationFailure;
  }

  /** Virtual times at which the workflow scheduled each call of an activity type. */
  async function scheduledAt(handle: WorkflowHandle, activityType: string): Promise<number[]> {
    const { events } = await handle.fetchHistory();
    return events!
      .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === activityType)
      .map((e) => Number(e.eventTime!.seconds) * 1000 + Math.floor((e.eventTime!.nanos ?? 0) / 1e6));
  }
  const near = (actual: number[], expected: number[]) => {
    expect(actual).toHaveLength(expected.length);
    actual.forEach((t, i) => expect(Math.abs(t - expected[i])).toBeLessThan(2000));
  };

  /** Contributions in, a valid draft submitted by the admin: the committee's ballots are open. */
  async function toCommittee(handle: WorkflowHandle, contributors: string[], ballots: number) {
    const open = await openTasks(handle, 'plan.contribution', contributors.length);
    for (const task of open) {
      const head = contributors.find((code) => task.spec.links?.unitId === units[code])!;
      await complete(handle, task, people[head === 'finance' ? 'finance' : head], 'submitted', { payload: contributionFor(head) });
    }
    await phaseOf(handle, 'drafting');
    await handle.executeUpdate(submitDraftUpdate, { args: [{ content: samplePlan({ finance: units['finance'], customer: units['customer'] }), actor: people.admin }] });
    return openTasks(handle, 'plan.review', ballots);
  }

  it('reminds a unit before its contribution is due, escalates it to the planning office when overdue, and shows it in the status', async () => {
    const started = await now();
    const { handle } = await startCycle({ contributors: ['finance', 'hr'] });
    const open = await openTasks(handle, 'plan.contribution', 2);
    const hrTask = open.find((t) => t.spec.links?.unitId === units['hr'])!;
    await complete(handle, hrTask, people.hr, 'submitted', { payload: contributionFor('hr') });

    await bed.env.sleep(15 * DAY);
    const status = await handle.query(cycleStatusQuery);
    expect(status.contributions!.map((c) => [c.area, c.status])).toEqual([
      ['finance', 'open'],
      ['hr', 'submitted'],
    ]);
    // Overdue: the planning office now holds finance's analysis.
    // The office's members who act on tasks: its auditor reads them but is never eligible.
    const office = (await bed.db.dataSource.getRepository(UserEntity).findBy({ unitId: units['planning-office'], active: true })).filter((u) => !u.roles.includes('auditor')).map((u) => u.id).sort();
    expect(office).toEqual([people.admin.userId]);
    expect(status.pending).toHaveLength(1);
    expect([...status.pending![0].eligible].sort()).toEqual(office);
    const row = await bed.db.dataSource.getRepository(TaskEntity).findOneByOrFail({ id: status.pending![0].taskId });
    expect(row.escalationStep).toBe(1);

    near(await scheduledAt(handle, 'remindTask'), [started + 12 * DAY]);
    near(await scheduledAt(handle, 'escalateTask'), [started + 14 * DAY]);

    // The office may submit it in the unit's place; drafting can go on.
    const [late] = await openTasks(handle, 'plan.contribution', 1);
    await complete(handle, late, people.admin, 'submitted', { payload: contributionFor('finance') });
    await handle.executeUpdate(submitDraftUpdate, { args: [{ content: samplePlan({ finance: units['finance'], customer: units['customer'] }), actor: people.admin }] });
    expect((await phaseOf(handle, 'committee_review')).round).toBe(1);
  });

  it('moves reminders and escalation with an extended due date, recording the reason', async () => {
    const started = await now();
    const { handle } = await startCycle();
    await openTasks(handle, 'plan.contribution', 1);
    await bed.env.sleep(DAY);
    const dueAt = new Date(started + 30 * DAY).toISOString();
    const extended = await handle.executeUpdate(extendContributionUpdate, { args: [{ unitId: units['finance'], dueAt, reason: 'waits for the audited accounts', actor: people.admin }] });
    expect(extended).toMatchObject({ dueAt, extensions: [{ dueAt, reason: 'waits for the audited accounts', by: people.admin.userId }] });

    await bed.env.sleep(20 * DAY);
    expect(await scheduledAt(handle, 'escalateTask')).toEqual([]);
    await bed.env.sleep(10 * DAY);
    near(await scheduledAt(handle, 'remindTask'), [started + 28 * DAY]);
    near(await scheduledAt(handle, 'escalateTask'), [started + 30 * DAY]);
  });

  it('escalates overdue reviews to the chair, who may vote in the member’s place', async () => {
    const { handle } = await startCycle();
    const ballots = await toCommittee(handle, ['finance'], 2);
    const opened = await now();
    const r1 = ballots.find((b) => b.eligible[0] === people.reviewer1.userId)!;
    await complete(handle, r1, people.reviewer1, 'approve');

    await bed.env.sleep(8 * DAY);
    const [overdue] = await openTasks(handle, 'plan.review', 1);
    expect(overdue.eligible).toEqual([people.chair.userId]);
    expect(overdue.escalationStep).toBe(1);
    near(await scheduledAt(handle, 'escalateTask'), [opened + 7 * DAY]);
    // A reminder a day before, to both members; only reviewer2's ballot was still open.
    near(await scheduledAt(handle, 'remindTask'), [opened + 6 * DAY]);

    expect((await failureOf(complete(handle, overdue, people.reviewer2, 'approve'))).type).toBe('forbidden');
    await complete(handle, overdue, people.chair, 'approve', { comment: 'for reviewer2, who is travelling' });
    const [final] = await openTasks(handle, 'plan.final_approval', 1);
    await complete(handle, final, people.chair, 'approve');
    expect((await phaseOf(handle, 'execution')).effectiveVersion).toBe(1);
  });

  it('records one round result and every vote when three members approve at the same instant', async () => {
    const { handle, input } = await startCycle({ members: ['reviewer1', 'reviewer2', 'finance'], rule: { kind: 'all' } });
    const ballots = await toCommittee(handle, ['finance'], 3);
    const voters = ['reviewer1', 'reviewer2', 'finance'];
    const decisions = await Promise.all(voters.map((who) => complete(handle, ballots.find((b) => b.eligible[0] === people[who].userId)!, people[who], 'approve')));
    expect(decisions.map((d) => d.decidedBy).sort()).toEqual(voters.map((who) => people[who].userId).sort());

    const finals = await openTasks(handle, 'plan.final_approval', 1);
    expect(finals).toHaveLength(1);
    const rows = await bed.db.dataSource.getRepository(TaskEntity).findBy({ workflowId: handle.workflowId, kind: 'plan.review' });
    expect(rows.map((r) => [r.status, r.outcome])).toEqual([
      ['completed', 'approve'],
      ['completed', 'approve'],
      ['completed', 'approve'],
    ]);
    await complete(handle, finals[0], people.chair, 'approve');
    await phaseOf(handle, 'execution');
    const { events } = await handle.fetchHistory();
    expect(events!.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'recordPlanVerdict')).toHaveLength(1);
    expect((await bed.db.dataSource.getRepository(PlanVersionEntity).findOneByOrFail({ cycleId: input.cycleId, version: 1 })).status).toBe('approved');
  });

  it('gives the author no ballot (four-eyes) and applies the rule to the other members, refuses superseded ballots, and lets the chair decide alone past the round limit', async () => {
    const { handle, input } = await startCycle({ members: ['admin', 'reviewer1'], maxRounds: 1, internalReview: ['hr'] });
    await complete(handle, (await openTasks(handle, 'plan.contribution', 1))[0], people.finance, 'submitted', { payload: contributionFor('finance') });
    await handle.executeUpdate(submitDraftUpdate, { args: [{ content: samplePlan({ finance: units['finance'], customer: units['customer'] }), actor: people.admin }] });

    // Internal review (seed 003) comes first; HR reports a risk.
    const [internal] = await openTasks(handle, 'plan.internal_review', 1);
    expect((await handle.query(cycleStatusQuery)).phase).toBe('internal_review');
    await complete(handle, internal, people.hr, 'concerns', { payload: { risk: 'hiring plan is tight' } });

    // The admin drafted the plan: no ballot for them, and the round says so.
    const [ballot] = await openTasks(handle, 'plan.review', 1);
    expect(ballot.eligible).toEqual([people.reviewer1.userId]);
    expect((await handle.query(cycleStatusQuery)).committeeRound).toEqual({ subject: 'plan', version: 1, round: 1, voters: [people.reviewer1.userId], recused: [people.admin.userId], needed: 1 });
    const failure = await failureOf(complete(handle, ballot, people.admin, 'approve'));
    expect(failure.type).toBe('forbidden');

    // The only voter asks for changes: the round ends at once, nobody waits for the author.
    await complete(handle, ballot, people.reviewer1, 'request_changes', { payload: { comments: [{ anchor: 'kpis.nps', text: 'too low' }] } });
    const revising = await phaseOf(handle, 'drafting');
    expect(revising.round).toBe(1);
    expect((await handle.query(tasksQuery)).filter((t) => t.spec.kind === 'plan.review' && t.status === 'open')).toEqual([]);
    expect((await failureOf(complete(handle, ballot, people.chair, 'approve'))).type).toBe('conflict');

    // Round 2 is past the limit of one: no ballots, the chair decides alone (after HR again).
    await handle.executeUpdate(submitDraftUpdate, { args: [{ content: samplePlan({ finance: units['finance'], customer: units['customer'] }), actor: people.admin }] });
    await complete(handle, (await openTasks(handle, 'plan.internal_review', 1))[0], people.hr, 'no_objection');
    const [final] = await openTasks(handle, 'plan.final_approval', 1);
    expect((await handle.query(tasksQuery)).filter((t) => t.spec.kind === 'plan.review' && t.status === 'open')).toEqual([]);
    await complete(handle, final, people.chair, 'reject', { comment: 'the group needs a different direction' });
    const result = await handle.result();
    expect(result).toMatchObject({ phase: 'rejected', round: 2, rejection: { reasons: ['the group needs a different direction'] } });
    const versions = await bed.db.dataSource.getRepository(PlanVersionEntity).find({ where: { cycleId: input.cycleId }, order: { version: 'ASC' } });
    expect(versions.map((v) => v.status)).toEqual(['changes_requested', 'rejected']);
  });
});
