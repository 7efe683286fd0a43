import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { In } from 'typeorm';
import { AuditLogEntity, PeriodReviewEntity, PlanVersionEntity, TaskEntity } from '@rollplan/db';
import { addMonths, cycleWorkflowId, formatPeriod, periodStartUtc, type Actor, type PlanContent } from '@rollplan/domain';
import {
  WorkflowType,
  cancelCycleUpdate,
  closeCycleUpdate,
  startAdjustmentUpdate,
  cycleStatusQuery,
  periodStatusQuery,
  proposeChangeUpdate,
  submitActualsUpdate,
  submitDraftUpdate,
  submitRolledPlanUpdate,
  type PlanningCycleInput,
} from '@rollplan/workflows';
import { cycleDriver, seedDemoPeople } from '../support/cycle-driver';
import { contributionFor, planWithMonthlyRevenue } from '../support/plans';
import { useWorkflowTestBed } from '../support/temporal';

// Seed 000 §3.4–3.5 and the whole lifecycle on the time-skipping server: drafting and approval,
// 36 months with actuals, two rolling adjustments (2028 on time, 2029 approved late), closure.
describe('a whole three-year cycle with two rolling adjustments (time-skipping)', () => {
  const bed = useWorkflowTestBed('whole');
  const people: Record<string, Actor> = {};
  const units: Record<string, string> = {};
  const { demoSetup, until, openOf, complete, sleepUntil, approveRound, failureOf } = cycleDriver(() => bed.env, people, units);

  beforeAll(() => seedDemoPeople(bed.db.dataSource, people, units));

  const rolledPlan = (startYear: number, monthly: number): PlanContent => planWithMonthlyRevenue({ finance: units['finance'], customer: units['customer'] }, startYear, monthly);

  /** The finance center's re-analysis, then the rolled plan through the committee. */
  async function rollTo(cycle: WorkflowHandle, year: number, monthly: number, approve: boolean) {
    await until(() => cycle.query(cycleStatusQuery), (s) => s.adjustment?.year === year, `the ${year} adjustment`);
    const [reanalysis] = await openOf(cycle, 'plan.contribution');
    expect(reanalysis.spec.links).toMatchObject({ adjustment: String(year) });
    await complete(cycle, reanalysis, people.finance, 'submitted', contributionFor('finance'));
    await until(() => cycle.query(cycleStatusQuery), (s) => s.adjustment?.stage === 'drafting', 'drafting');
    // A change of the plan in force waits: the adjustment's rolled plan carries it.
    expect((await failureOf(cycle.executeUpdate(proposeChangeUpdate, { args: [{ content: rolledPlan(year - 1, monthly), reason: 'meanwhile', actor: people.admin }] }))).type).toBe('conflict');
    await cycle.executeUpdate(submitRolledPlanUpdate, { args: [{ year, content: rolledPlan(year, monthly), actor: people.admin }] });
    if (approve) await approveRound(cycle, 2);
  }

  it('runs drafting, 36 months and two rolling adjustments, then closes', async () => {
    const wallStart = Date.now();
    const setup = await demoSetup();
    const input: PlanningCycleInput = { cycleId: randomUUID(), title: 'Plan 2027–2029, rolling', startYear: 2027, horizonYears: 3, startedBy: people.admin, setup };
    const cycle = await bed.env.client.workflow.start(WorkflowType.PlanningCycle, { workflowId: cycleWorkflowId(input.cycleId), taskQueue: bed.taskQueue, args: [input] });

    await complete(cycle, (await openOf(cycle, 'plan.contribution'))[0], people.finance, 'submitted', contributionFor('finance'));
    await cycle.executeUpdate(submitDraftUpdate, { args: [{ content: rolledPlan(2027, 800), actor: people.admin }] });
    await approveRound(cycle, 2);
    await until(() => cycle.query(cycleStatusQuery), (s) => s.phase === 'execution', 'execution');

    const revenueTargets: Record<string, number> = {};
    const monthIds: string[] = [];
    for (let i = 0; i < 36; i++) {
      const period = addMonths({ year: 2027, month: 1 }, i);
      const label = formatPeriod(period);
      await sleepUntil(periodStartUtc(addMonths(period, 1)) + 3_600_000);
      const month = bed.env.client.workflow.getHandle(`month-${input.cycleId}-${label}`);
      const status = await until(() => month.query(periodStatusQuery), (s) => s.targets.length > 0, `${label} started`);
      monthIds.push(month.workflowId);
      revenueTargets[label] = status.targets.find((t) => t.kpiId === 'revenue-cny')!.target;
      for (const target of status.targets) {
        const owner = target.ownerUnitId === units['finance'] ? people.finance : people.customer;
        await month.executeUpdate(submitActualsUpdate, { args: [{ values: [{ kpiId: target.kpiId, value: target.target }], source: 'api', actor: owner }] });
      }
      // The adjustments open on 1 November: 2028's is approved in November, 2029's only in March.
      if (label === '2027-10') await rollTo(cycle, 2028, 1000, true);
      if (label === '2028-10') await rollTo(cycle, 2029, 1100, false);
      if (label === '2029-02') await approveRound(cycle, 2);
    }

    // Month continuity: 36 months, each its own execution, none skipped.
    expect(new Set(monthIds).size).toBe(36);
    const reviews = await bed.db.dataSource.getRepository(PeriodReviewEntity).find({ where: { cycleId: input.cycleId }, order: { period: 'ASC' } });
    expect(reviews.slice(0, 36).map((r) => r.period)).toEqual(Array.from({ length: 36 }, (_, i) => formatPeriod(addMonths({ year: 2027, month: 1 }, i))));
    // Targets: v1 in 2027, the 2028 roll from January 2028, v2 kept until the late 2029 roll applies (April 2029).
    const expectedTarget = (label: string) => (label < '2028-01' ? 800 : label < '2029-01' ? 1000 : label < '2029-04' ? 900 : 1100);
    expect(Object.entries(revenueTargets).filter(([label, target]) => target !== expectedTarget(label))).toEqual([]);
    expect(reviews.slice(0, 36).map((r) => r.version)).toEqual([...Array(12).fill(1), ...Array(15).fill(2), ...Array(9).fill(3)]);

    const status = await cycle.query(cycleStatusQuery);
    expect(status.adjustments).toEqual([
      { year: 2028, version: 2, from: '2028-01', late: false },
      { year: 2029, version: 3, from: '2029-04', late: true },
    ]);
    expect(status.schedule).toEqual([
      { version: 1, from: '2027-01', startYear: 2027, approvedAt: expect.stringMatching(/^2026-/) },
      { version: 2, from: '2028-01', startYear: 2028, approvedAt: expect.stringMatching(/^2027-11-/) },
      { version: 3, from: '2029-04', startYear: 2029, approvedAt: expect.stringMatching(/^2029-03-/) },
    ]);
    const versions = await bed.db.dataSource.getRepository(PlanVersionEntity).find({ where: { cycleId: input.cycleId }, order: { version: 'ASC' } });
    expect(versions.map((v) => [v.version, v.status, v.effectiveFrom])).toEqual([
      [1, 'superseded', '2027-01'],
      [2, 'superseded', '2028-01'],
      [3, 'approved', '2029-04'],
    ]);

    // Closure: the admin closes the cycle during December 2029's review (and the 2030 adjustment's
    // re-analysis); both are cancelled with it.
    const closed = await cycle.executeUpdate(closeCycleUpdate, { args: [{ force: false, openActions: [], by: people.admin, reason: 'the group moves to a new cycle' }] });
    expect(closed).toMatchObject({ phase: 'closed', closure: { by: people.admin.userId, forced: false } });
    expect((await cycle.result()).phase).toBe('closed');
    const running = bed.env.client.workflow.getHandle(`month-${input.cycleId}-2029-12`);
    expect(await until(() => running.describe().then((d) => d.status.name), (s) => s !== 'RUNNING', 'December 2029 cancelled')).toBe('CANCELLED');
    expect((await bed.db.dataSource.getRepository(TaskEntity).findBy({ workflowId: cycle.workflowId, status: In(['open', 'claimed']) })).map((t) => t.title)).toEqual([]);

    // Bounded histories: every run of the cycle and every month.
    const sizes: [string, number][] = [];
    let runId: string | undefined = (await cycle.describe()).raw.workflowExecutionInfo?.firstRunId ?? undefined;
    for (let run = 1; runId; run++) {
      const { events } = await bed.env.client.workflow.getHandle(cycle.workflowId, runId).fetchHistory();
      sizes.push([`cycle run ${run}`, events!.length]);
      runId = events!.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
    }
    for (const id of monthIds) sizes.push([id.slice(-7), (await bed.env.client.workflow.getHandle(id).fetchHistory()).events!.length]);
    const largest = sizes.reduce((a, b) => (b[1] > a[1] ? b : a));
    console.log(`whole cycle: ${Date.now() - wallStart} ms wall; ${sizes.filter(([n]) => n.startsWith('cycle')).length} cycle runs; largest history ${largest[1]} events (${largest[0]})`);
    expect(sizes.filter(([name]) => name.startsWith('cycle')).length).toBeGreaterThanOrEqual(3);
    expect(largest[1]).toBeLessThan(10_240);
  });

  it('cancels a cycle in execution: the running month, the adjustment’s tasks and the month’s tasks, with the actor and reason', async () => {
    // The test server's clock is wherever earlier tests left it: start the plan the year after.
    const year = new Date(Number(await bed.env.currentTimeMs())).getUTCFullYear() + 1;
    const setup = await demoSetup({ autoAdjustment: false });
    const input: PlanningCycleInput = { cycleId: randomUUID(), title: 'Cancelled in execution', startYear: year, horizonYears: 3, startedBy: people.admin, setup };
    const cycle = await bed.env.client.workflow.start(WorkflowType.PlanningCycle, { workflowId: cycleWorkflowId(input.cycleId), taskQueue: bed.taskQueue, args: [input] });
    await complete(cycle, (await openOf(cycle, 'plan.contribution'))[0], people.finance, 'submitted', contributionFor('finance'));
    await cycle.executeUpdate(submitDraftUpdate, { args: [{ content: rolledPlan(year, 800), actor: people.admin }] });
    await approveRound(cycle, 2);
    await sleepUntil(Date.UTC(year, 1, 1, 1));
    const month = bed.env.client.workflow.getHandle(`month-${input.cycleId}-${year}-01`);
    await until(() => month.query(periodStatusQuery), (s) => s.phase === 'collecting', 'January collecting');
    await openOf(month, 'monthly.actuals', 2);
    await cycle.executeUpdate(startAdjustmentUpdate, { args: [{ actor: people.admin }] });
    await openOf(cycle, 'plan.contribution');

    const cancelled = await cycle.executeUpdate(cancelCycleUpdate, { args: [{ reason: 'merged into the group plan', by: people.admin }] });
    expect(cancelled.cancellation).toMatchObject({ reason: 'merged into the group plan', by: people.admin.userId });
    expect((await cycle.result()).phase).toBe('cancelled');
    expect(await until(() => month.describe().then((d) => d.status.name), (s) => s !== 'RUNNING', 'January cancelled')).toBe('CANCELLED');
    const tasks = await bed.db.dataSource.getRepository(TaskEntity).findBy({ cycleId: input.cycleId, status: In(['open', 'claimed']) });
    expect(tasks.map((t) => t.kind)).toEqual([]);
    const [audit] = await bed.db.dataSource.getRepository(AuditLogEntity).findBy({ subjectId: input.cycleId, action: 'cycle.cancelled' });
    expect([audit.actorId, audit.data.reason]).toEqual([people.admin.userId, 'merged into the group plan']);
  });
});
