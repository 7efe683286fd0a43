import { randomUUID } from 'node:crypto';
import { TaskEntity } from '@rollplan/db';
import { cycleWorkflowId, formatPeriod, type Actor, type PlanContent } from '@rollplan/domain';
import {
  WorkflowType,
  backfillPeriodUpdate,
  cycleStatusQuery,
  periodStatusQuery,
  proposeChangeUpdate,
  submitDraftUpdate,
  submitRolledPlanUpdate,
  type PlanningCycleInput,
} from '@rollplan/workflows';
import { cycleDriver, seedDemoPeople } from '../support/cycle-driver';
import { contributionFor, planWithMonthlyRevenue } from '../support/plans';
import { useWorkflowTestBed } from '../support/temporal';

const DAY = 86_400_000;

// A plan approved late in its first year (issue 13, items 2 and 3), on the time-skipping server:
// its past months are skipped (one backfilled by hand), the month under review gets fresh due
// dates, the automatic rolling adjustment does not open at once but a year later, and the next
// year's months run on the rolled plan.
describe('a plan approved in November of its first year (time-skipping)', () => {
  const bed = useWorkflowTestBed('late');
  const people: Record<string, Actor> = {};
  const units: Record<string, string> = {};
  const { demoSetup, until, openOf, complete, sleepUntil, approveRound, failureOf } = cycleDriver(() => bed.env, people, units);

  beforeAll(() => seedDemoPeople(bed.db.dataSource, people, units));

  const plan = (startYear: number, monthly: number): PlanContent => planWithMonthlyRevenue({ finance: units['finance'], customer: units['customer'] }, startYear, monthly);

  it('skips the months already past, gives the month under review fresh due dates, and rolls the plan a year later', async () => {
    // The plan year after the test server's clock; the cycle starts on 10 November of it.
    const year = new Date(Number(await bed.env.currentTimeMs())).getUTCFullYear() + 1;
    await sleepUntil(Date.UTC(year, 10, 10));
    const setup = await demoSetup();
    const input: PlanningCycleInput = { cycleId: randomUUID(), title: 'Approved late', startYear: year, horizonYears: 3, startedBy: people.admin, setup };
    const cycle = await bed.env.client.workflow.start(WorkflowType.PlanningCycle, { workflowId: cycleWorkflowId(input.cycleId), taskQueue: bed.taskQueue, args: [input] });
    await complete(cycle, (await openOf(cycle, 'plan.contribution'))[0], people.finance, 'submitted', contributionFor('finance'));
    await cycle.executeUpdate(submitDraftUpdate, { args: [{ content: plan(year, 800), actor: people.admin }] });
    await approveRound(cycle, 2);
    const approvedAt = Number(await bed.env.currentTimeMs());

    // January to September had closed their reviews: skipped, not opened. October is under review.
    const running = await until(() => cycle.query(cycleStatusQuery), (s) => s.currentPeriod === `${year}-10`, 'October under review');
    expect(running.monitoring).toEqual({ from: `${year}-01`, pastMonths: 'skip', skipped: Array.from({ length: 9 }, (_, i) => formatPeriod({ year, month: i + 1 })), backfilled: [] });
    // 1 November had passed at the approval, yet no adjustment rolls this plan again at once.
    expect(running.adjustment).toBeUndefined();

    // October's actuals were due on its 5th working day, before the plan existed: fresh due dates, nobody escalated.
    const october = bed.env.client.workflow.getHandle(`month-${input.cycleId}-${year}-10`);
    const octoberStatus = await until(() => october.query(periodStatusQuery), (s) => s.phase === 'collecting', 'October collecting');
    expect(Date.parse(octoberStatus.actualsDueAt)).toBeGreaterThanOrEqual(approvedAt + 5 * DAY - 60_000);
    const actuals = await until(
      () => bed.db.dataSource.getRepository(TaskEntity).findBy({ cycleId: input.cycleId, kind: 'monthly.actuals' }),
      (rows) => rows.length === 2,
      'October actuals tasks',
    );
    expect(actuals.map((t) => [t.links.period, t.escalationStep, t.dueAt.getTime() > approvedAt + 4 * DAY])).toEqual([
      [`${year}-10`, 0, true],
      [`${year}-10`, 0, true],
    ]);

    // September is backfilled by hand; a month not skipped cannot be.
    expect((await failureOf(cycle.executeUpdate(backfillPeriodUpdate, { args: [{ period: `${year}-10`, actor: people.admin }] }))).type).toBe('conflict');
    const monitoring = await cycle.executeUpdate(backfillPeriodUpdate, { args: [{ period: `${year}-09`, actor: people.admin }] });
    expect(monitoring.skipped).not.toContain(`${year}-09`);
    const september = bed.env.client.workflow.getHandle(`month-${input.cycleId}-${year}-09`);
    const septemberStatus = await until(() => september.query(periodStatusQuery), (s) => s.phase === 'collecting', 'September backfilled');
    expect(Date.parse(septemberStatus.closesAt)).toBeGreaterThan(approvedAt + 14 * DAY);

    // Changes go through as usual (no adjustment blocks them).
    const changed = plan(year, 800);
    changed.goals[0].description = 'sharper';
    const { version } = await cycle.executeUpdate(proposeChangeUpdate, { args: [{ content: changed, reason: 'mid-course correction', actor: people.admin }] });
    expect(version).toBe(2);
    await approveRound(cycle, 2);
    await until(() => cycle.query(cycleStatusQuery), (s) => s.effectiveVersion === 2, 'change approved');

    // The automatic adjustment opens on 1 November of the next year, rolling to the year after.
    await sleepUntil(Date.UTC(year + 1, 10, 1) + 3_600_000);
    const adjusting = await until(() => cycle.query(cycleStatusQuery), (s) => s.adjustment !== undefined, 'adjustment open');
    expect(adjusting.adjustment).toMatchObject({ year: year + 2, stage: 'analysis' });
    await complete(cycle, (await openOf(cycle, 'plan.contribution'))[0], people.finance, 'submitted', contributionFor('finance'));
    await until(() => cycle.query(cycleStatusQuery), (s) => s.adjustment?.stage === 'drafting', 'drafting');
    // A plan for other years than the adjustment's is refused, with every problem named.
    expect((await failureOf(cycle.executeUpdate(submitRolledPlanUpdate, { args: [{ year: year + 2, content: plan(year + 1, 900), actor: people.admin }] }))).type).toBe('validation_failed');
    expect((await failureOf(cycle.executeUpdate(submitRolledPlanUpdate, { args: [{ year: year + 1, content: plan(year + 1, 900), actor: people.admin }] }))).type).toBe('conflict');
    await cycle.executeUpdate(submitRolledPlanUpdate, { args: [{ year: year + 2, content: plan(year + 2, 1000), actor: people.admin }] });
    await approveRound(cycle, 2);
    const rolled = await until(() => cycle.query(cycleStatusQuery), (s) => s.adjustment === undefined && (s.adjustments?.length ?? 0) === 1, 'rolled');
    expect(rolled.adjustments).toEqual([{ year: year + 2, version: 3, from: `${year + 2}-01`, late: false }]);

    // The next year's months run on the rolled plan.
    await sleepUntil(Date.UTC(year + 2, 1, 1) + 3_600_000);
    const january = bed.env.client.workflow.getHandle(`month-${input.cycleId}-${year + 2}-01`);
    const januaryStatus = await until(() => january.query(periodStatusQuery), (s) => s.targets.length > 0, 'January on the rolled plan');
    expect([januaryStatus.version, januaryStatus.targets.find((t) => t.kpiId === 'revenue-cny')!.target]).toEqual([3, 1000]);
  });
});
