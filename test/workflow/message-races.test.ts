// Messages that race (issue 16), on the time-skipping server with rollplan's real worker. An
// activity gate holds one activity open while the test sends the competing message, so each
// race happens every run instead of by chance. Each case asserts the one outcome a user expects.
import { randomUUID } from 'node:crypto';
import { TaskEntity } from '@rollplan/db';
import { cycleWorkflowId, type Actor } from '@rollplan/domain';
import {
  WorkflowType,
  cancelCycleUpdate,
  claimTaskUpdate,
  extendPeriodUpdate,
  cycleStatusQuery,
  periodStatusQuery,
  proposeChangeUpdate,
  submitDraftUpdate,
  tasksQuery,
  type HumanTaskInput,
  type PlanningCycleInput,
} from '@rollplan/workflows';
import type { WorkflowHandle } from '@temporalio/client';
import { In } from 'typeorm';
import { cycleDriver, seedDemoPeople } from '../support/cycle-driver';
import { contributionFor, planWithMonthlyRevenue } from '../support/plans';
import { ActivityGate, useWorkflowTestBed } from '../support/temporal';

const DAY = 86_400_000;

describe('racing messages (time-skipping)', () => {
  const gate = new ActivityGate();
  const bed = useWorkflowTestBed('races', { gate });
  const people: Record<string, Actor> = {};
  const units: Record<string, string> = {};
  const { demoSetup, until, openOf, complete, sleepUntil, approveRound, failureOf } = cycleDriver(() => bed.env, people, units);
  beforeAll(() => seedDemoPeople(bed.db.dataSource, people, units));

  const nextYear = async () => new Date(Number(await bed.env.currentTimeMs())).getUTCFullYear() + 1;

  async function startCycle(title: string, year: number): Promise<{ cycle: WorkflowHandle; input: PlanningCycleInput }> {
    const input: PlanningCycleInput = { cycleId: randomUUID(), title, startYear: year, horizonYears: 3, startedBy: people.admin, setup: await demoSetup({ autoAdjustment: false }) };
    const cycle = await bed.env.client.workflow.start(WorkflowType.PlanningCycle, { workflowId: cycleWorkflowId(input.cycleId), taskQueue: bed.taskQueue, args: [input] });
    return { cycle, input };
  }

  /** A cycle whose plan v1 is approved and in execution. */
  async function approvedCycle(title: string) {
    const year = await nextYear();
    const plan = planWithMonthlyRevenue({ finance: units['finance'], customer: units['customer'] }, year, 800);
    const { cycle, input } = await startCycle(title, year);
    await complete(cycle, (await openOf(cycle, 'plan.contribution'))[0], people.finance, 'submitted', contributionFor('finance'));
    await cycle.executeUpdate(submitDraftUpdate, { args: [{ content: plan, actor: people.admin }] });
    await approveRound(cycle, 2);
    // The execution has begun (its schedule set): its handlers are installed.
    await until(() => cycle.query(cycleStatusQuery), (s) => s.phase === 'execution' && s.schedule !== undefined, 'execution');
    const changed = structuredClone(plan);
    changed.goals[0].description = 'sharper';
    const propose = (key: string) => cycle.executeUpdate(proposeChangeUpdate, { args: [{ content: changed, reason: 'mid-course correction', actor: people.admin }], updateId: `change.${key}` });
    return { cycle, input, year, propose };
  }

  it('a contribution decided while its escalation is being recorded stays decided: not pending on the cycle', async () => {
    const { cycle } = await startCycle('Escalation race', await nextYear());
    const [contribution] = await openOf(cycle, 'plan.contribution');
    const escalating = gate.hold('escalateTask');
    // The due date passes: the escalation to the planning office starts and is held. (Virtual
    // time stands still while the test holds it; sleeping past the activity's 30 s timeout would
    // retry it unheld.)
    await sleepUntil(Date.parse(contribution.spec.dueAt) + 1000);
    await escalating.entered;
    await complete(cycle, contribution, people.finance, 'submitted', contributionFor('finance'));
    escalating.release();

    await until(() => cycle.query(cycleStatusQuery), (s) => s.contributions?.[0]?.status === 'submitted', 'the contribution submitted');
    const task = (await cycle.query(tasksQuery)).find((t) => t.id === contribution.id)!;
    expect([task.status, task.decision?.decidedBy]).toEqual(['completed', people.finance.userId]);
    expect((await cycle.query(cycleStatusQuery)).pending).toEqual([]);
  });

  it('a second plan change sent while the first is being recorded is refused; the first is reviewed', async () => {
    const { cycle, propose } = await approvedCycle('Two changes');
    const recording = gate.hold('recordPlanVersion');
    const first = propose('first');
    await recording.entered;
    const second = await failureOf(propose('second'));
    recording.release();

    expect(await first).toEqual({ version: 2 });
    expect(second).toMatchObject({ type: 'conflict' });
    const ballots = await openOf(cycle, 'plan.review', 2);
    expect(ballots.map((b) => b.spec.links?.version)).toEqual(['2', '2']);
    expect((await cycle.query(cycleStatusQuery)).versions).toEqual([1, 2]);
  });

  it('a change accepted as the run\'s twelfth month closes goes to the committee, in this run or the next', async () => {
    const { cycle, input, year, propose } = await approvedCycle('Change at the year boundary');
    // December's review runs in January; it is the run's twelfth month, after which the cycle
    // continues as new when nothing is under review.
    await sleepUntil(Date.UTC(year + 1, 0, 10));
    const december = bed.env.client.workflow.getHandle(`month-${input.cycleId}-${year}-12`);
    await until(() => december.query(periodStatusQuery), (p) => p.targets.length > 0, 'December under review');

    const recording = gate.hold('recordPlanVersion');
    const proposing = propose('boundary');
    await recording.entered;
    // The office moves December's close to a moment from now (virtual time runs with the clock
    // while the test holds the activity): the month ends while the change is being recorded.
    const now = Number(await bed.env.currentTimeMs());
    await december.executeUpdate(extendPeriodUpdate, { args: [{ closesAt: new Date(now + 1500).toISOString(), reason: 'closing the year', actor: people.admin }] });
    await until(() => cycle.query(cycleStatusQuery), (s) => s.lastClosedPeriod === `${year}-12`, 'December closed');
    recording.release();

    expect(await proposing).toEqual({ version: 2 });
    const ballots = await openOf(cycle, 'plan.review', 2);
    expect(ballots.map((b) => b.spec.links?.version)).toEqual(['2', '2']);
    expect((await cycle.query(cycleStatusQuery)).change).toMatchObject({ version: 2, stage: 'committee_review' });
  }, 180_000);

  it('a cycle cancelled while a change\'s ballots are being opened leaves no ballot open', async () => {
    const { cycle, input, year, propose } = await approvedCycle('Cancel during review');
    await sleepUntil(Date.UTC(year, 1, 10));
    const opening = gate.hold('openTask');
    expect(await propose('to-cancel')).toEqual({ version: 2 });
    await opening.entered;
    await cycle.executeUpdate(cancelCycleUpdate, { args: [{ reason: 'the group was restructured', by: people.admin }] });
    // The cycle must not end while a ballot of its review is still being opened: give it the
    // chance to (bounded), then let the ballot's row be written.
    for (let i = 0; i < 60 && (await cycle.describe()).status.name === 'RUNNING'; i++) await new Promise((r) => setTimeout(r, 50));
    opening.release();
    expect(await cycle.result()).toMatchObject({ phase: 'cancelled' });

    // Both ballot rows exist (the held one was written after the release), and neither is open.
    const tasks = bed.db.dataSource.getRepository(TaskEntity);
    const changeBallots = async () => (await tasks.findBy({ cycleId: input.cycleId, kind: 'plan.review' })).filter((t) => t.links.version === '2');
    const ballots = await until(changeBallots, (rows) => rows.length === 2, 'both ballots written');
    expect(ballots.map((b) => b.status).sort()).toEqual(['cancelled', 'cancelled']);
    expect(await tasks.countBy({ cycleId: input.cycleId, status: In(['open', 'claimed']) })).toBe(0);
  });

  it('two people claiming one task together: one holds it, the other is told it is taken; a decision during the claim stands', async () => {
    const now = Number(await bed.env.currentTimeMs());
    const request = await bed.env.client.workflow.start(WorkflowType.HumanTask, {
      workflowId: `request-${randomUUID()}`,
      taskQueue: bed.taskQueue,
      args: [
        {
          requestedBy: people.admin,
          tasks: [{ kind: 'adhoc.request', title: 'Read the risk memo', assignee: { type: 'unit', unitId: units['decision-committee'] }, dueAt: new Date(now + 7 * DAY).toISOString(), escalation: { remindBeforeMs: [], chain: [], graceMs: DAY } }],
        } satisfies HumanTaskInput,
      ],
    });
    const [task] = await openOf(request, 'adhoc.request');
    const claiming = gate.hold('recordTaskClaim');
    const first = request.executeUpdate(claimTaskUpdate, { args: [{ taskId: task.id, actor: people.reviewer1 }] });
    await claiming.entered;
    const second = await failureOf(request.executeUpdate(claimTaskUpdate, { args: [{ taskId: task.id, actor: people.reviewer2 }] }));
    // The claimer decides while the claim is still being recorded.
    await complete(request, task, people.reviewer1, 'done', { note: 'read' });
    claiming.release();
    await first;

    expect(second).toMatchObject({ type: 'conflict', message: 'task is claimed by someone else' });
    expect(await request.result()).toMatchObject({ decisions: [{ outcome: 'done', decidedBy: people.reviewer1.userId }] });
    const state = (await request.query(tasksQuery))[0];
    expect([state.status, state.claimedBy]).toEqual(['completed', people.reviewer1.userId]);
    // The claim reached the row after the decision: the completed row stays as decided.
    const row = await bed.db.dataSource.getRepository(TaskEntity).findOneByOrFail({ id: task.id });
    expect([row.status, row.outcome, row.decidedBy]).toEqual(['completed', 'done', people.reviewer1.userId]);
  });
});
