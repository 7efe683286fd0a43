import { z } from 'zod';
import { planContentSchema } from '@rollplan/domain';
import { isoTime, responseDto } from '../common/openapi-types';

const versionSummarySchema = z.strictObject({
  cycleId: z.uuid(),
  version: z.number().int().min(1),
  status: z.enum(['in_review', 'changes_requested', 'approved', 'rejected', 'superseded']),
  submittedBy: z.uuid(),
  submittedAt: isoTime(),
  round: z.number().int().min(0).describe('the committee round it was reviewed in'),
  decidedAt: isoTime().nullable(),
  effectiveFrom: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/)
    .nullable()
    .describe('first month (YYYY-MM) an approved version applies to'),
});
/** A submitted version without its content (GET /plans/:cycleId/versions). */
export class PlanVersionSummaryDto extends responseDto(versionSummarySchema) {}
/** A submitted version with its content: immutable. */
export class PlanVersionDto extends responseDto(versionSummarySchema.extend({ content: planContentSchema })) {}

const listDiffSchema = z.strictObject({
  added: z.array(z.string()).describe('keys of items only in `to` (ids; `unitId/year` for allocations, the year for totals)'),
  removed: z.array(z.string()).describe('keys of items only in `from`'),
  changed: z.array(
    z.strictObject({
      id: z.string(),
      fields: z.array(
        z.strictObject({
          path: z.string().describe('dotted path of the field in the item, e.g. `targets.0.monthly`'),
          from: z.unknown().optional().describe('absent when the field is new'),
          to: z.unknown().optional().describe('absent when the field was removed'),
        }),
      ),
    }),
  ),
});
export class PlanDiffDto extends responseDto(
  z.strictObject({
    from: z.number().int().min(1),
    to: z.number().int().min(1),
    changes: z.strictObject({ goals: listDiffSchema, initiatives: listDiffSchema, milestones: listDiffSchema, kpis: listDiffSchema, allocations: listDiffSchema, totals: listDiffSchema, budget: listDiffSchema.describe('cost budget lines, keyed unitId/initiativeId (- for none)/year') }),
  }),
) {}
