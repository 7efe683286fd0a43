// A retried request after the cycle continued as new (issue 16): Temporal deduplicates update ids
// within one run; the cycle carries the results of its version-creating updates into the next
// run, so a retried Idempotency-Key gets the first answer instead of making a second version.
import { randomUUID } from 'node:crypto';
import { cycleWorkflowId, type Actor } from '@rollplan/domain';
import { WorkflowType, cycleStatusQuery, periodStatusQuery, proposeChangeUpdate, submitActualsUpdate, submitDraftUpdate, type PlanningCycleInput } from '@rollplan/workflows';
import { cycleDriver, seedDemoPeople } from '../support/cycle-driver';
import { contributionFor, planWithMonthlyRevenue } from '../support/plans';
import { useWorkflowTestBed } from '../support/temporal';

describe('a retried plan change after the cycle continued as new (time-skipping)', () => {
  const bed = useWorkflowTestBed('retry-runs');
  const people: Record<string, Actor> = {};
  const units: Record<string, string> = {};
  const { demoSetup, until, openOf, complete, sleepUntil, approveRound } = cycleDriver(() => bed.env, people, units);
  beforeAll(() => seedDemoPeople(bed.db.dataSource, people, units));

  it('answers the retry with the first version and makes no second one', async () => {
    const year = new Date(Number(await bed.env.currentTimeMs())).getUTCFullYear() + 1;
    const plan = planWithMonthlyRevenue({ finance: units['finance'], customer: units['customer'] }, year, 800);
    const input: PlanningCycleInput = { cycleId: randomUUID(), title: 'Retried change', startYear: year, horizonYears: 3, startedBy: people.admin, setup: await demoSetup({ autoAdjustment: false }) };
    const cycle = await bed.env.client.workflow.start(WorkflowType.PlanningCycle, { workflowId: cycleWorkflowId(input.cycleId), taskQueue: bed.taskQueue, args: [input] });
    await complete(cycle, (await openOf(cycle, 'plan.contribution'))[0], people.finance, 'submitted', contributionFor('finance'));
    await cycle.executeUpdate(submitDraftUpdate, { args: [{ content: plan, actor: people.admin }] });
    await approveRound(cycle, 2);

    // The API's update id for POST /cycles/:id/changes with Idempotency-Key: key-1.
    const updateId = `change.${people.admin.userId}.key-1`;
    const changed = structuredClone(plan);
    changed.goals[0].description = 'sharper';
    const propose = () => cycle.executeUpdate(proposeChangeUpdate, { args: [{ content: changed, reason: 'mid-course correction', actor: people.admin }], updateId });
    await sleepUntil(Date.UTC(year, 0, 10));
    expect(await propose()).toEqual({ version: 2 });
    await approveRound(cycle, 2);
    await until(() => cycle.query(cycleStatusQuery), (s) => s.effectiveVersion === 2 && !s.change, 'the change approved');

    // Twelve months with actuals on target; after December's review the cycle continues as new.
    for (let month = 1; month <= 12; month++) {
      await sleepUntil(Date.UTC(year, month, 1, 1));
      const handle = bed.env.client.workflow.getHandle(`month-${input.cycleId}-${year}-${String(month).padStart(2, '0')}`);
      const targets = (await until(() => handle.query(periodStatusQuery), (p) => p.targets.length > 0, `month ${month}`)).targets;
      for (const target of targets) {
        const owner = target.ownerUnitId === units['finance'] ? people.finance : people.customer;
        await handle.executeUpdate(submitActualsUpdate, { args: [{ values: [{ kpiId: target.kpiId, value: target.target }], source: 'api', actor: owner }] });
      }
    }
    await sleepUntil(Date.UTC(year + 1, 1, 1, 3));
    await until(() => cycle.query(cycleStatusQuery), (s) => s.run === 2, 'the next run');

    // The client retries the same request: the first answer, no version 3, nothing under review.
    expect(await propose()).toEqual({ version: 2 });
    const status = await cycle.query(cycleStatusQuery);
    expect([status.versions, status.change, status.effectiveVersion]).toEqual([[1, 2], undefined, 2]);
  });
});
