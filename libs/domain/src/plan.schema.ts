import { z } from 'zod';
import { budgetLineSchema, controlsSchema } from './controls.schema';
import { amount, itemId, period, text, year } from './fields.schema';
import { KpiAggregation, KpiDirection } from './plan';

// The plan's shape (seed 000 §3), checked at the edge: the API and the activities parse with it.
// The rules across items (validatePlan) are in plan.ts, zod-free, so workflows can run them.

export const goalSchema = z.strictObject({
  id: itemId,
  title: text(300),
  description: z.string().max(10_000).default(''),
  /** The measurable target in words, e.g. "revenue 12 bn CNY by 2029". */
  target: text(1000),
});

export const initiativeSchema = z.strictObject({
  id: itemId,
  title: text(300),
  description: z.string().max(10_000).default(''),
  ownerUnitId: z.uuid('must be a UUID'),
  years: z.array(year).min(1, 'must name at least one year'),
  goalIds: z.array(itemId).min(1, 'must serve at least one goal'),
});

export const milestoneSchema = z.strictObject({
  id: itemId,
  year,
  title: text(300),
  initiativeId: itemId.optional(),
  /** Who answers for it each month; default the owner of its initiative (one of the two is needed). */
  ownerUnitId: z.uuid('must be a UUID').optional(),
  /** The month it is due, in its year; default December. */
  dueMonth: period.optional(),
  /** What "done" means: the thing delivered. */
  deliverable: z.string().trim().max(2000).optional(),
});

export const allocationSchema = z.strictObject({
  unitId: z.uuid('must be a UUID'),
  year,
  budget: amount,
  headcount: z.number().int().min(0, 'must not be negative'),
});

export const yearTotalSchema = z.strictObject({ year, budget: amount, headcount: z.number().int().min(0) });

export const kpiSchema = z.strictObject({
  id: itemId,
  name: text(200),
  /** Unit of measure: "CNY m", "%", "days". */
  unit: text(40),
  direction: z.enum([KpiDirection.HigherIsBetter, KpiDirection.LowerIsBetter]),
  aggregation: z.enum([KpiAggregation.Sum, KpiAggregation.Average, KpiAggregation.Last]),
  ownerUnitId: z.uuid('must be a UUID'),
  goalIds: z.array(itemId).min(1, 'must measure at least one goal'),
  targets: z
    .array(z.strictObject({ year, target: z.number().finite(), monthly: z.array(z.number().finite()).length(12, 'must have 12 months') }))
    .min(1, 'must have yearly targets'),
  /** Attainment bands for the monthly loop; default on track at ≥ 95 %, at risk from 85 %. */
  thresholds: z
    .strictObject({ onTrack: z.number().positive().max(10), atRisk: z.number().min(0).max(10) })
    .refine((t) => t.atRisk <= t.onTrack, { message: 'atRisk must not exceed onTrack', path: ['atRisk'] })
    .optional(),
});

export const planContentSchema = z.strictObject({
  goals: z.array(goalSchema).min(1, 'a plan needs at least one goal'),
  initiatives: z.array(initiativeSchema).default([]),
  milestones: z.array(milestoneSchema).default([]),
  allocations: z.array(allocationSchema).default([]),
  /** Group totals per year that the unit allocations must add up to. */
  totals: z.array(yearTotalSchema).default([]),
  kpis: z.array(kpiSchema).min(1, 'a plan needs at least one KPI'),
  /** Cost budget by unit (and initiative) and year, phased by month; lines of a unit add up to its allocation. */
  budget: z.array(budgetLineSchema).default([]),
  /** Settings of the operating controls (overspend tolerance, evaluation weights); default DEFAULT_CONTROLS. */
  controls: controlsSchema.optional(),
  /** Contribution tasks whose analyses this draft used. */
  contributionIds: z.array(z.uuid()).default([]),
});
export type PlanContent = z.infer<typeof planContentSchema>;
export type Kpi = z.infer<typeof kpiSchema>;
