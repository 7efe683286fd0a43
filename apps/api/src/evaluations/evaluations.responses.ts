import { z } from 'zod';
import { isoTime, nullableText, responseDto } from '../common/openapi-types';

const grade = z.enum(['A', 'B', 'C', 'D']).describe('A ≥ 90, B ≥ 75, C ≥ 60, else D');
const part = z.number().min(0).max(100).nullable();

export class UnitEvaluationDto extends responseDto(
  z.strictObject({
    cycleId: z.uuid(),
    span: z.string().describe('a quarter (2027-Q1) or a year (2027)'),
    unitId: z.uuid(),
    kind: z.enum(['quarter', 'year']),
    kpiScore: part.describe("mean attainment of the unit's KPIs, each capped at 100 %"),
    milestoneScore: part.describe('milestones due in the span done on time'),
    budgetScore: part.describe('100 within budget, 0 at 50 % over'),
    score: z.number().min(0).max(100).describe('weighted by the plan’s evaluation weights'),
    grade,
    inputs: z.record(z.string(), z.unknown()).describe('what the score was computed from'),
    status: z.enum(['draft', 'signed_off']).describe('signed off: frozen'),
    adjustedScore: part.describe("the planning office's adjustment at sign-off"),
    adjustmentReason: nullableText(),
    finalGrade: grade.nullable(),
    note: nullableText(),
    signedOffBy: z.uuid().nullable(),
    signedOffAt: isoTime().nullable(),
    computedAt: isoTime(),
  }),
) {}
