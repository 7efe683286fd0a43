import { randomUUID } from 'node:crypto';
import { seedDemoOrganization } from '@rollplan/api';
import { MilestoneReportEntity, OrgUnitEntity, PeriodReviewEntity, RiskAssessmentEntity, RiskEntity, UnitEvaluationEntity, UserEntity } from '@rollplan/db';
import { addMonths, cycleWorkflowId, formatPeriod, periodStartUtc, type Actor, type Role, type UnitEvaluation } from '@rollplan/domain';
import {
  WorkflowType,
  cycleStatusQuery,
  periodStatusQuery,
  raiseRiskUpdate,
  reportSpendUpdate,
  submitActualsUpdate,
  submitDraftUpdate,
  type PlanningCycleInput,
} from '@rollplan/workflows';
import { contributionFor, samplePlan } from '../support/plans';
import { cycleDriver } from '../support/cycle-driver';
import { useWorkflowTestBed } from '../support/temporal';

// Issue 18 on the time-skipping server: three months of 2027 in which the owners report
// milestone progress and spend beside their actuals and review a risk raised in January. A
// milestone slips in March (a deviation with a cause analysis), the customer center overspends
// its phased budget in February, and the register keeps every assessment. March's close
// evaluates the first quarter; the planning office signs it off in April and it is frozen.
describe('operating controls over months (time-skipping)', () => {
  const bed = useWorkflowTestBed('controls');
  const people: Record<string, Actor> = {};
  const units: Record<string, string> = {};
  const { demoSetup, until, openOf, complete, sleepUntil, approveRound, failureOf } = cycleDriver(() => bed.env, people, units);

  beforeAll(async () => {
    await seedDemoOrganization(bed.db.dataSource);
    for (const u of await bed.db.dataSource.getRepository(UserEntity).find()) {
      people[u.email.split('@')[0]] = { userId: u.id, roles: u.roles as Role[], unitId: u.unitId, via: 'user' };
    }
    for (const unit of await bed.db.dataSource.getRepository(OrgUnitEntity).find()) units[unit.code] = unit.id;
  });

  it('asks for milestones, spend and risk reviews each month and turns slips and overspends into cause analyses', async () => {
    const plan = samplePlan({ finance: units['finance'], customer: units['customer'] });
    plan.milestones = [{ id: 'south-office', year: 2027, title: 'Open the southern office', initiativeId: 'new-regions', dueMonth: '2027-03', deliverable: 'Signed lease' }];
    // The customer center's 60 for 2027, all on the new regions, front-loaded: 10 in January, 5 a month after.
    plan.budget = [{ unitId: units['customer'], initiativeId: 'new-regions', year: 2027, amount: 60, phasing: [10, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 0] }];
    const input: PlanningCycleInput = { cycleId: randomUUID(), title: 'Controls 2027', startYear: 2027, horizonYears: 3, startedBy: people.admin, setup: await demoSetup() };
    const cycle = await bed.env.client.workflow.start(WorkflowType.PlanningCycle, { workflowId: cycleWorkflowId(input.cycleId), taskQueue: bed.taskQueue, args: [input] });
    await complete(cycle, (await openOf(cycle, 'plan.contribution'))[0], people.finance, 'submitted', contributionFor('finance'));
    await cycle.executeUpdate(submitDraftUpdate, { args: [{ content: plan, actor: people.admin }] });
    await approveRound(cycle, 2);
    await until(() => cycle.query(cycleStatusQuery), (s) => s.phase === 'execution', 'execution');

    let riskId = '';
    for (const month of [1, 2, 3]) {
      const period = { year: 2027, month };
      const label = formatPeriod(period);
      await sleepUntil(periodStartUtc(addMonths(period, 1)) + 3_600_000);
      const handle = bed.env.client.workflow.getHandle(`month-${input.cycleId}-${label}`);
      const status = await until(() => handle.query(periodStatusQuery), (s) => s.controls !== undefined, `${label} controls`);
      expect(status.controls!.milestones.map((m) => [m.milestoneId, m.ownerUnitId, m.dueMonth])).toEqual([['south-office', units['customer'], '2027-03']]);
      expect(status.controls!.spendUnits).toEqual(expect.arrayContaining([{ unitId: units['customer'], initiativeIds: ['new-regions'] }, { unitId: units['finance'], initiativeIds: [null] }]));

      const [milestones] = await openOf(handle, 'monthly.milestones');
      expect(milestones.spec).toMatchObject({ assignee: { type: 'unit', unitId: units['customer'] }, dueAt: status.actualsDueAt });
      if (month < 3) {
        await complete(handle, milestones, people.customer, 'reported', { reports: [{ milestoneId: 'south-office', status: 'on_track' }] });
      } else {
        // Due this month and not done: "on track" is refused; it is late, with a new date and why.
        expect((await failureOf(complete(handle, milestones, people.customer, 'reported', { reports: [{ milestoneId: 'south-office', status: 'late' }] }))).type).toBe('validation_failed');
        await complete(handle, milestones, people.customer, 'reported', { reports: [{ milestoneId: 'south-office', status: 'late', newDueMonth: '2027-06', reason: 'The landlord delayed the lease' }] });
      }

      // Spend: another unit's is refused; February's 14 takes the year to 24 against 15.
      expect((await failureOf(handle.executeUpdate(reportSpendUpdate, { args: [{ unitId: units['customer'], entries: [{ initiativeId: 'new-regions', amount: 1 }], source: 'api', actor: people.finance }] }))).type).toBe('forbidden');
      await handle.executeUpdate(reportSpendUpdate, { args: [{ unitId: units['customer'], entries: [{ initiativeId: 'new-regions', amount: month === 2 ? 14 : 5 }], source: 'api', actor: people.customer }] });
      await handle.executeUpdate(reportSpendUpdate, { args: [{ unitId: units['finance'], entries: [{ amount: 40 / 12 }], source: 'api', actor: people.finance }] });

      if (month === 1) {
        const raised = await handle.executeUpdate(raiseRiskUpdate, {
          args: [{ risk: { title: 'Landlord backs out', description: '', category: 'operational', ownerUnitId: units['customer'], likelihood: 4, impact: 4, response: 'reduce', mitigation: [{ what: 'Shortlist a second site', ownerUnitId: units['customer'], dueAt: new Date(Date.UTC(2027, 2, 15)).toISOString() }] }, actor: people.finance }],
        });
        expect(raised).toMatchObject({ level: 'high', status: 'open' });
        riskId = raised.riskId;
        const [mitigation] = await openOf(handle, 'monthly.action');
        expect(mitigation.spec).toMatchObject({ title: 'Shortlist a second site', links: { riskId, fromPeriod: '2027-01' } });
      }
      if (month === 2) {
        // Raised in January, reviewed by its owner from February: lower now.
        const [review] = await openOf(handle, 'monthly.risk_review');
        expect(review.spec.links).toMatchObject({ riskId, period: '2027-02' });
        await complete(handle, review, people.customer, 'reviewed', { likelihood: 2, impact: 4, response: 'reduce', note: 'Lease terms agreed in principle', closed: false, mitigation: [] });
      }

      await handle.executeUpdate(submitActualsUpdate, { args: [{ values: [{ kpiId: 'revenue-cny', value: 800 }], source: 'api', actor: people.finance }] });
      await handle.executeUpdate(submitActualsUpdate, { args: [{ values: [{ kpiId: 'nps', value: 40 }], source: 'api', actor: people.customer }] });
      const analysed = await until(() => handle.query(periodStatusQuery), (s) => s.phase === 'analysed' && s.controls!.budget.length > 0, `${label} analysed`);
      const customerLine = analysed.controls!.budget.find((l) => l.unitId === units['customer'])!;
      expect([label, customerLine.ytdBudget, customerLine.ytdSpent, customerLine.status]).toEqual(
        [[label, 10, 5, 'underspent'], [label, 15, 19, 'overspent'], [label, 20, 24, 'overspent']][month - 1],
      );
      const agenda = analysed.controls!.agenda.map((a) => a.id);
      expect(agenda.includes(`budget:${units['customer']}/new-regions`)).toBe(month >= 2);
      expect(agenda.includes('milestone:south-office')).toBe(month === 3);
      expect(agenda.includes(`risk:${riskId}`)).toBe(month === 1);

      const causes = (await openOf(handle, 'monthly.cause_analysis', [0, 1, 3][month - 1])).filter((t) => t.spec.links?.period === label);
      expect(causes.map((t) => t.spec.links?.milestoneId ?? `budget:${t.spec.links?.budgetUnitId}`).sort()).toEqual(
        month === 1 ? [] : month === 2 ? [`budget:${units['customer']}`] : [`budget:${units['customer']}`, 'south-office'].sort(),
      );
      // The planning office holds the meeting of each analysed month.
      const [meeting] = await openOf(handle, 'monthly.operations_meeting');
      expect(meeting.spec.assignee).toEqual({ type: 'unit', unitId: units['planning-office'] });
    }

    const reports = await bed.db.dataSource.getRepository(MilestoneReportEntity).find({ where: { milestoneId: 'south-office', cycleId: input.cycleId }, order: { period: 'ASC' } });
    expect(reports.map((r) => [r.period, r.status, r.newDueMonth])).toEqual([
      ['2027-01', 'on_track', null],
      ['2027-02', 'on_track', null],
      ['2027-03', 'late', '2027-06'],
    ]);
    expect(await bed.db.dataSource.getRepository(RiskEntity).findOneByOrFail({ id: riskId })).toMatchObject({ level: 'medium', likelihood: 2, impact: 4, status: 'open', raisedIn: '2027-01' });
    const assessments = await bed.db.dataSource.getRepository(RiskAssessmentEntity).find({ where: { riskId }, order: { id: 'ASC' } });
    expect(assessments.map((a) => [a.period, a.level, a.taskId === null])).toEqual([
      ['2027-01', 'high', true],
      ['2027-02', 'medium', false],
    ]);
    const march = await bed.db.dataSource.getRepository(PeriodReviewEntity).findOneByOrFail({ cycleId: input.cycleId, period: '2027-03' });
    expect((march.milestones as { milestoneId: string }[]).map((m) => m.milestoneId)).toEqual(['south-office']);

    // March closes on 1 May: the first quarter is evaluated; April's execution holds the sign-off.
    await sleepUntil(Date.UTC(2027, 4, 1) + 3_600_000);
    const april = bed.env.client.workflow.getHandle(`month-${input.cycleId}-2027-04`);
    const [signOff] = await openOf(april, 'evaluation.sign_off');
    expect(signOff.spec).toMatchObject({ assignee: { type: 'unit', unitId: units['planning-office'] }, links: { span: '2027-Q1', period: '2027-03' } });
    const evaluated = signOff.spec.context!.evaluations as UnitEvaluation[];
    // Customer: 24 spent against 20 (20 % over) → 60 for budget; its milestone slipped → 0.
    expect(evaluated.find((e) => e.unitId === units['customer'])).toMatchObject({ budgetScore: 60, milestoneScore: 0 });
    // Finance: on target and on budget, no milestone due → A.
    expect(evaluated.find((e) => e.unitId === units['finance'])).toMatchObject({ kpiScore: 100, budgetScore: 100, milestoneScore: null, score: 100, grade: 'A' });

    expect((await failureOf(complete(april, signOff, people.admin, 'signed_off', { note: '', adjustments: [{ unitId: units['hr'], score: 80, reason: 'x' }] }))).type).toBe('validation_failed');
    await complete(april, signOff, people.admin, 'signed_off', { note: 'Q1 reviewed with the centers', adjustments: [{ unitId: units['customer'], score: 55, reason: 'The lease slip costs a quarter' }] });
    const rows = bed.db.dataSource.getRepository(UnitEvaluationEntity);
    const signed = await until(() => rows.find({ where: { cycleId: input.cycleId, span: '2027-Q1' } }), (r) => r.length === 2 && r.every((e) => e.status === 'signed_off'), 'Q1 signed off');
    expect(signed.find((e) => e.unitId === units['customer'])).toMatchObject({ adjustedScore: 55, finalGrade: 'D', adjustmentReason: 'The lease slip costs a quarter', signedOffBy: people.admin.userId });
    expect(signed.find((e) => e.unitId === units['finance'])).toMatchObject({ adjustedScore: null, finalGrade: 'A' });
    // Frozen: the database refuses to change a signed-off evaluation.
    await expect(rows.update({ cycleId: input.cycleId, span: '2027-Q1', unitId: units['finance'] }, { score: 10 })).rejects.toThrow(/signed off and frozen/);
  });
});
