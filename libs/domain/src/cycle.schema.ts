import { z } from 'zod';
import { CyclePhase, MAX_START_YEAR, MIN_START_YEAR, PLAN_HORIZON_YEARS } from './cycle';
import { planContentSchema } from './plan.schema';
import { groupRuleSchema } from './tasks.schema';

// Request bodies and queries of the cycle routes.

const title = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters');

/** Body of `POST /cycles`. Unknown fields are rejected; everything but title and year has a default. */
export const startCycleSchema = z.strictObject({
  title,
  startYear: z
    .number()
    .int('must be a whole year')
    .min(MIN_START_YEAR, `must be ${MIN_START_YEAR} or later`)
    .max(MAX_START_YEAR, `must be ${MAX_START_YEAR} or earlier`),
  horizonYears: z.literal(PLAN_HORIZON_YEARS).default(PLAN_HORIZON_YEARS),
  /** Units that contribute an analysis; default: the five functional centers. */
  contributingUnitIds: z.array(z.uuid('must be a UUID')).min(1).max(100).optional(),
  /** When contributions are due; default: 14 days after the start. */
  contributionDueAt: z.iso.datetime({ offset: true }).optional(),
  /** Monthly actuals are due at the end of this working day of the following month; default 5. */
  actualsWorkingDay: z.number().int().min(1).max(20).default(5),
  /** The yearly rolling adjustment opens this many months before each plan year (default 2), or only by hand. */
  rollingAdjustment: z
    .strictObject({ auto: z.boolean().default(true), leadMonths: z.number().int().min(0).max(11).default(2) })
    .default({ auto: true, leadMonths: 2 }),
  /**
   * Which months are monitored: from `from` (YYYY-MM, default the plan's first month); months
   * whose review had already closed when the plan is approved are skipped (default; each can be
   * backfilled later with POST /cycles/:id/periods/:period/backfill) or backfilled at once.
   */
  monitoring: z
    .strictObject({
      from: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month, YYYY-MM').optional(),
      pastMonths: z.enum(['skip', 'backfill']).default('skip'),
    })
    .default({ pastMonths: 'skip' }),
  /** Departments that review each draft before the committee (seed 003); default: none. */
  internalReviewUnitIds: z.array(z.uuid('must be a UUID')).max(20).default([]),
  committee: z
    .strictObject({
      rule: groupRuleSchema.optional(),
      reviewDays: z.number().int().min(1).max(60).default(7),
      maxRounds: z.number().int().min(1).max(10).default(3),
    })
    .default({ reviewDays: 7, maxRounds: 3 }),
}).superRefine((body, ctx) => {
  const from = body.monitoring.from;
  if (from && (Number(from.slice(0, 4)) < body.startYear || Number(from.slice(0, 4)) >= body.startYear + body.horizonYears)) {
    ctx.addIssue({ code: 'custom', path: ['monitoring', 'from'], message: `must be a month of the plan years ${body.startYear}–${body.startYear + body.horizonYears - 1}` });
  }
});
export type StartCycleRequest = z.infer<typeof startCycleSchema>;

/** Body of `POST /cycles/:id/cancel`. */
export const cancelCycleSchema = z.strictObject({
  reason: z.string().trim().min(1, 'must not be empty').max(2000, 'must be at most 2000 characters'),
});
export type CancelCycleRequest = z.infer<typeof cancelCycleSchema>;

/** Body of `POST /cycles/:id/close`: open corrective actions block it unless forced, with a reason. */
export const closeCycleSchema = z
  .strictObject({
    reason: z.string().trim().min(1, 'must not be empty').max(2000).optional(),
    force: z.boolean().default(false),
  })
  .refine((body) => !body.force || body.reason, { message: 'a forced closure needs a reason', path: ['reason'] });
export type CloseCycleRequest = z.infer<typeof closeCycleSchema>;

/** Query of `GET /cycles`. */
export const listCyclesQuerySchema = z.strictObject({
  phase: z.enum(Object.values(CyclePhase) as [CyclePhase, ...CyclePhase[]]).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
export type ListCyclesQuery = z.infer<typeof listCyclesQuerySchema>;

export const waiveContributionSchema = z.strictObject({ reason: z.string().trim().min(1, 'must not be empty').max(2000) });
export const extendContributionSchema = z.strictObject({
  dueAt: z.iso.datetime({ offset: true }),
  reason: z.string().trim().min(1, 'must not be empty').max(2000),
});
/** A plan version number (stored as a 32-bit integer; no cycle comes near the bound). */
export const versionNumber = z.coerce.number().int().min(1).max(100_000);
export const diffQuerySchema = z.strictObject({ from: versionNumber, to: versionNumber });

/** `POST /cycles/:id/changes`: a change to the plan in force, as a whole new plan, and why. */
export const proposeChangeSchema = z.strictObject({
  content: planContentSchema,
  reason: z.string().trim().min(1, 'must not be empty').max(5000),
});
