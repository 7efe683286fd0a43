import { z } from 'zod';
import { DEFAULT_CONTROLS, MilestoneStatus, RiskCategory, RiskResponse } from './controls';
import { amount, itemId, period, text, year } from './fields.schema';

// The plan's operating-control sections (budget, controls) and what people send in the monthly
// loop: milestone reports, spend, risks, the operations meeting's minutes, the evaluation's
// sign-off. The rules across them (controls.ts) are zod-free, so workflows can run them.

const uuid = z.uuid('must be a UUID');
const note = z.string().max(10_000).default('');
const enumOf = <T extends string>(values: Record<string, T>) => z.enum(Object.values(values) as [T, ...T[]]);

/** One line of the cost budget: a unit's (initiative's) amount for a year, optionally phased by month. */
export const budgetLineSchema = z.strictObject({
  unitId: uuid,
  /** The initiative the money is for; none: the unit's own running cost. */
  initiativeId: itemId.optional(),
  year,
  amount,
  /** Twelve monthly amounts adding up to `amount`; default evenly, amount / 12 a month. */
  phasing: z.array(z.number().finite().min(0, 'must not be negative')).length(12, 'must have 12 months').optional(),
});
export type PlanBudgetLine = z.infer<typeof budgetLineSchema>;

const weight = z.number().min(0).max(1);

/** Settings of the operating controls a plan may carry; every field has its default (DEFAULT_CONTROLS). */
export const controlsSchema = z.strictObject({
  /** Year-to-date spend up to this fraction over budget is still within it. */
  overspendTolerance: z.number().min(0).max(1).default(DEFAULT_CONTROLS.overspendTolerance),
  /** Weights of the parts of a unit's evaluation, adding up to 1. */
  evaluationWeights: z
    .strictObject({ kpis: weight, milestones: weight, budget: weight })
    .refine((w) => Math.abs(w.kpis + w.milestones + w.budget - 1) <= 1e-6, { message: 'the weights must add up to 1' })
    .default(() => ({ ...DEFAULT_CONTROLS.evaluationWeights })),
});

// ---- milestones ------------------------------------------------------------------------

/** One milestone's month: done, on track, or late with a new due month and why. */
export const milestoneReportSchema = z.strictObject({
  milestoneId: itemId,
  status: enumOf(MilestoneStatus),
  /** Only for a late milestone: when it will now be done, a month after the one reported. */
  newDueMonth: period.optional(),
  /** Why it is late (needed when it is). */
  reason: z.string().trim().max(2000).optional(),
  note: z.string().trim().max(10_000).optional(),
});

/** A unit's milestone reports for the month. */
export const reportMilestonesSchema = z.strictObject({
  reports: z.array(milestoneReportSchema).min(1, 'must report at least one milestone').max(500),
});
export type ReportMilestonesRequest = z.infer<typeof reportMilestonesSchema>;

// ---- spend -----------------------------------------------------------------------------

/** What a unit spent in the month on one initiative (or, without one, on its unassigned line). */
export const spendEntrySchema = z.strictObject({
  initiativeId: itemId.nullable().optional(),
  amount: z.number({ error: 'must be a number' }).finite('must be a finite number').min(0, 'must not be negative'),
});

/** A unit's spend for the month; the planning office may name the unit it reports for. */
export const reportSpendSchema = z.strictObject({
  unitId: uuid.optional(),
  entries: z.array(spendEntrySchema).min(1, 'must send at least one entry').max(500),
});
export type ReportSpendRequest = z.infer<typeof reportSpendSchema>;

// ---- risks -----------------------------------------------------------------------------

const mitigation = z
  .array(z.strictObject({ what: text(2000), ownerUnitId: uuid, dueAt: z.iso.datetime({ offset: true }) }))
  .max(20)
  .default([]);
const rating = z.number().int('must be a whole number').min(1).max(5);

/** A new entry of the risk register, with its first assessment. */
export const raiseRiskSchema = z.strictObject({
  title: text(300),
  description: note,
  category: enumOf(RiskCategory),
  ownerUnitId: uuid,
  likelihood: rating,
  impact: rating,
  response: enumOf(RiskResponse),
  mitigation,
});
export type RaiseRiskRequest = z.infer<typeof raiseRiskSchema>;

/** Payload of a risk review: the owner's assessment again, or closing the risk. */
export const riskReviewPayloadSchema = z.strictObject({
  likelihood: rating,
  impact: rating,
  response: enumOf(RiskResponse),
  note,
  closed: z.boolean().default(false),
  mitigation,
});
export type RiskReviewPayload = z.infer<typeof riskReviewPayloadSchema>;

// ---- the operations meeting ------------------------------------------------------------

/** Payload of the meeting task: minutes and decisions per agenda item (checkMinutes checks them against the agenda). */
export const meetingMinutesSchema = z.strictObject({
  items: z
    .array(
      z.strictObject({
        itemId: z.string().trim().min(1, 'must not be empty').max(200),
        minutes: text(20_000),
        decisions: z
          .array(z.strictObject({ what: text(2000), ownerUnitId: uuid, dueAt: z.iso.datetime({ offset: true }) }))
          .max(20)
          .default([]),
      }),
    )
    .max(1000),
  attendees: z.array(text(200)).max(100).default([]),
  summary: z.string().max(20_000).default(''),
});
export type MeetingMinutesPayload = z.infer<typeof meetingMinutesSchema>;

// ---- evaluations -----------------------------------------------------------------------

/** Payload of the evaluation's sign-off: scores the committee changes, each with its reason. */
export const evaluationSignOffSchema = z.strictObject({
  note,
  adjustments: z
    .array(z.strictObject({ unitId: uuid, score: z.number().finite().min(0).max(100), reason: text(2000) }))
    .max(200)
    .superRefine((adjustments, ctx) => {
      adjustments.forEach((a, i) => {
        if (adjustments.findIndex((b) => b.unitId === a.unitId) !== i) ctx.addIssue({ code: 'custom', path: [i, 'unitId'], message: 'a second adjustment for this unit' });
      });
    })
    .default([]),
});
export type EvaluationSignOff = z.infer<typeof evaluationSignOffSchema>;
