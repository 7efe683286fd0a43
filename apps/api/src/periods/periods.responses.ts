import { z } from 'zod';
import { AgendaItemKind, BudgetStatus, CauseCategory, KpiDirection, KpiStatus, MilestoneStatus, RiskLevel, RiskResponse, Trend } from '@rollplan/domain';
import { enumOf, isoTime, nullableNumber, periodText, responseDto } from '../common/openapi-types';

const periodStatus = z.enum(['collecting', 'analysed', 'closed']).describe('collecting actuals, analysed (every actual in), closed');
const taskStatus = z.enum(['open', 'claimed', 'completed', 'cancelled']);
const kpiStatus = z.enum(Object.values(KpiStatus) as [KpiStatus, ...KpiStatus[]]);
const trend = z.enum(Object.values(Trend) as [Trend, ...Trend[]]).describe('attainment against the mean of up to three earlier months');
const direction = z.enum([KpiDirection.HigherIsBetter, KpiDirection.LowerIsBetter]);
const closedEarly = z.strictObject({ at: isoTime(), by: z.uuid(), reason: z.string().optional() }).describe('the admin closed the month before its time');
const extension = z.strictObject({ closesAt: isoTime(), at: isoTime(), by: z.uuid(), reason: z.string() });
const budgetFigures = {
  initiativeId: z.string().nullable().describe("null: the unit's running costs outside its initiatives"),
  budget: z.number().describe("the month's budget"),
  spent: z.number(),
  variance: z.number().describe('spent − budget'),
  variancePct: z.number().nullable(),
  ytdBudget: z.number(),
  ytdSpent: z.number(),
  ytdVariancePct: z.number().nullable(),
  status: enumOf(BudgetStatus).describe('by year to date against the plan\'s overspend tolerance; missing: nothing reported this month'),
};
const agendaItem = z.strictObject({
  id: z.string().describe('`kind:ref`, what minutes name'),
  kind: enumOf(AgendaItemKind),
  ref: z.string(),
  title: z.string(),
  ownerUnitId: z.uuid().nullable(),
  detail: z.string(),
});
const trackedMilestone = z.strictObject({ milestoneId: z.string(), title: z.string(), ownerUnitId: z.uuid(), dueMonth: periodText(), deliverable: z.string().nullable(), initiativeId: z.string().nullable() });
const riskSummary = z.strictObject({ riskId: z.uuid(), title: z.string(), ownerUnitId: z.uuid(), level: enumOf(RiskLevel), status: z.enum(['open', 'closed']) });
const minutes = z.strictObject({
  items: z.array(z.strictObject({ itemId: z.string(), minutes: z.string(), decisions: z.array(z.strictObject({ what: z.string(), ownerUnitId: z.uuid(), dueAt: isoTime() })) })),
  attendees: z.array(z.string()).optional(),
  summary: z.string().optional(),
  recordedAt: isoTime().optional(),
  recordedBy: z.uuid().nullable().optional(),
});

const controlsStatus = z.strictObject({
  milestones: z.array(trackedMilestone),
  milestoneReports: z.record(z.string(), z.strictObject({ milestoneId: z.string(), status: enumOf(MilestoneStatus), newDueMonth: periodText().optional(), reason: z.string().optional(), note: z.string().optional() })),
  spendUnits: z.array(z.strictObject({ unitId: z.uuid(), initiativeIds: z.array(z.string().nullable()) })),
  tolerance: z.number(),
  spend: z.array(z.strictObject({ unitId: z.uuid(), initiativeId: z.string().nullable(), amount: z.number() })),
  budget: z.array(z.strictObject({ unitId: z.uuid(), ...budgetFigures })),
  risks: z.array(riskSummary),
  agenda: z.array(agendaItem),
});

/** GET /cycles/:id/periods: one row per month reviewed so far. */
export class PeriodSummaryDto extends responseDto(
  z.strictObject({
    period: periodText(),
    version: z.number().int().min(1).describe('plan version whose targets apply'),
    status: periodStatus,
    workflowId: z.string().describe("the month's execution"),
    actualsDueAt: isoTime(),
    closesAt: isoTime(),
    closedAt: isoTime().nullable(),
  }),
) {}

/** The month's summary for the operations meeting (libs/domain MonthlyReport). */
const monthlyReportSchema = z.strictObject({
  cycleId: z.uuid(),
  cycleTitle: z.string(),
  period: periodText(),
  version: z.number().int().min(1),
  status: periodStatus,
  generatedAt: isoTime(),
  kpis: z.array(
    z.strictObject({
      kpiId: z.string(),
      name: z.string(),
      unit: z.string().describe('unit of measure'),
      direction,
      ownerUnit: z.string().describe("the owner unit's name"),
      target: z.number(),
      actual: z.number().nullable(),
      variance: z.number().nullable().describe('actual − target'),
      variancePct: z.number().nullable().describe('(actual − target) / |target|; null for a zero target or no actual'),
      status: kpiStatus,
      trend,
    }),
  ),
  causes: z.array(
    z.strictObject({
      kpiId: z.string().nullable().describe('an off-track KPI'),
      milestoneId: z.string().nullable().describe('a late milestone'),
      budgetUnit: z.string().nullable().describe('an overspend: the unit'),
      initiativeId: z.string().nullable(),
      ownerUnit: z.string(),
      category: z.enum(Object.values(CauseCategory) as [CauseCategory, ...CauseCategory[]]).nullable(),
      narrative: z.string().nullable(),
      status: taskStatus.describe('of the cause analysis task'),
    }),
  ),
  actions: z.array(
    z.strictObject({
      id: z.uuid().describe('the corrective action task'),
      what: z.string(),
      ownerUnit: z.string(),
      dueAt: isoTime(),
      kpiId: z.string().nullable(),
      initiativeId: z.string().nullable(),
      riskId: z.uuid().nullable().describe('a mitigation action of this risk'),
      meetingItem: z.string().nullable().describe('decided at the operations meeting on this agenda item'),
      status: taskStatus,
      fromPeriod: periodText().describe('the month whose analysis committed to it'),
    }),
  ),
  milestones: z.array(
    z.strictObject({
      milestoneId: z.string(),
      title: z.string(),
      ownerUnit: z.string(),
      dueMonth: periodText(),
      status: z.enum(['not_reported', ...Object.values(MilestoneStatus)]),
      newDueMonth: periodText().nullable(),
      reason: z.string().nullable(),
      late: z.boolean().describe('a deviation: reported late, or not done by its due month'),
    }),
  ),
  budget: z.array(z.strictObject({ unit: z.string(), ...budgetFigures })),
  risks: z.array(
    z.strictObject({
      riskId: z.uuid(),
      title: z.string(),
      category: z.string(),
      ownerUnit: z.string(),
      likelihood: z.number().int().min(1).max(5),
      impact: z.number().int().min(1).max(5),
      level: enumOf(RiskLevel),
      response: enumOf(RiskResponse),
      status: z.enum(['open', 'closed']),
      committeeAttention: z.boolean().describe("high or critical: on the committee's agenda"),
    }),
  ),
  meeting: z.strictObject({ agenda: z.array(agendaItem), minutes: minutes.nullable() }),
  evaluations: z.array(
    z.strictObject({
      span: z.string().describe('the quarter (2027-Q1) or year this month ends'),
      unit: z.string(),
      kpiScore: z.number().nullable(),
      milestoneScore: z.number().nullable(),
      budgetScore: z.number().nullable(),
      score: z.number(),
      grade: z.string(),
      adjustedScore: z.number().nullable().describe("the planning office's adjustment at sign-off"),
      finalGrade: z.string().nullable(),
      status: z.enum(['draft', 'signed_off']),
    }),
  ),
  units: z.record(z.uuid(), z.string()).describe('names of the org units, by id'),
  decisions: z.array(z.strictObject({ at: isoTime(), by: z.string().nullable().describe("the actor's name"), what: z.string() })),
});
export class MonthlyReportDto extends responseDto(monthlyReportSchema) {}

/** GET /cycles/:id/periods/:period: the report with the month's dates and state. */
export class PeriodDetailDto extends responseDto(
  monthlyReportSchema.extend({
    workflowId: z.string(),
    actualsDueAt: isoTime(),
    closesAt: isoTime(),
    closedAt: isoTime().nullable(),
    frozen: z.boolean().describe('no more actuals: closed early, or past its close'),
    closedEarly: closedEarly.optional(),
    extensions: z.array(extension),
  }),
) {}

/** What the month's execution holds after an actuals submission. */
export class PeriodStatusDto extends responseDto(
  z.strictObject({
    cycleId: z.uuid(),
    period: periodText(),
    version: z.number().int().min(1),
    phase: periodStatus,
    frozen: z.boolean(),
    actualsDueAt: isoTime(),
    closesAt: isoTime(),
    targets: z.array(
      z.strictObject({
        kpiId: z.string(),
        name: z.string(),
        unit: z.string(),
        direction,
        ownerUnitId: z.uuid(),
        target: z.number().describe("the month's target"),
        thresholds: z.strictObject({ onTrack: z.number(), atRisk: z.number() }).describe('attainment bands'),
      }),
    ),
    actuals: z.record(z.string(), z.number()).describe('actual values by KPI id'),
    evaluations: z.array(
      z.strictObject({
        kpiId: z.string(),
        ownerUnitId: z.uuid(),
        target: z.number(),
        actual: z.number().nullable(),
        variance: z.number().nullable(),
        variancePct: z.number().nullable(),
        favourable: z.boolean().nullable().describe("whether the variance goes the KPI's better way"),
        attainment: nullableNumber().describe('1 is on target; null without an actual (or when it is infinite: a zero actual of a lower-is-better KPI)'),
        status: kpiStatus,
        trend,
      }),
    ),
    closedEarly: closedEarly.optional(),
    extensions: z.array(extension),
    controls: controlsStatus.optional().describe('milestones, spend, risks and the meeting (months opened since v0.12)'),
  }),
) {}

/** The month's operating controls after a spend report. */
export class ControlsStatusDto extends responseDto(controlsStatus) {}

/** A CSV import of actuals or spend: queued, then imported or failed (all or nothing) with every bad row. */
export class ActualsImportDto extends responseDto(
  z.strictObject({
    id: z.string().regex(/^[0-9a-f]{64}$/).describe('SHA-256 of cycle, month and file: the same file again is the same import'),
    period: periodText(),
    kind: z.enum(['actuals', 'spend']).describe('actuals: kpi_id,value,unit; spend: unit_id,initiative_id,amount'),
    fileName: z.string(),
    status: z.enum(['queued', 'imported', 'failed']),
    rows: z.number().int().min(0).nullable().describe('rows imported; null until done'),
    errors: z.array(z.strictObject({ path: z.string().describe('row and column, e.g. `row 3.value`'), message: z.string() })),
    createdAt: isoTime(),
    finishedAt: isoTime().nullable(),
  }),
) {}

export class PeriodClosingDto extends responseDto(z.strictObject({ period: periodText(), closing: z.literal(true).describe('the execution closes the month: actuals frozen, the report rendered') })) {}
export class PeriodExtendedDto extends responseDto(z.strictObject({ period: periodText(), closesAt: isoTime().describe('the new close') })) {}
