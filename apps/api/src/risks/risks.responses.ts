import { z } from 'zod';
import { RiskCategory, RiskLevel, RiskResponse } from '@rollplan/domain';
import { enumOf, isoTime, periodText, responseDto } from '../common/openapi-types';


const assessment = z.strictObject({
  period: periodText(),
  likelihood: z.number().int().min(1).max(5),
  impact: z.number().int().min(1).max(5),
  level: enumOf(RiskLevel),
  response: enumOf(RiskResponse),
  note: z.string().nullable(),
  closed: z.boolean(),
  assessedBy: z.uuid().nullable(),
  assessedAt: isoTime(),
  taskId: z.uuid().nullable().describe('the monthly review task it answered; null: when raised'),
});

const risk = z.strictObject({
  id: z.uuid(),
  cycleId: z.uuid(),
  title: z.string(),
  description: z.string(),
  category: enumOf(RiskCategory),
  ownerUnitId: z.uuid(),
  raisedBy: z.uuid().nullable(),
  raisedIn: periodText(),
  raisedAt: isoTime(),
  status: z.enum(['open', 'closed']),
  likelihood: z.number().int().min(1).max(5),
  impact: z.number().int().min(1).max(5),
  level: enumOf(RiskLevel).describe('likelihood × impact on a 5×5 matrix: ≤4 low, 5–9 medium, 10–16 high, ≥20 critical'),
  response: enumOf(RiskResponse),
  closedAt: isoTime().nullable(),
});

export class RiskDto extends responseDto(risk) {}
export class RiskDetailDto extends responseDto(risk.extend({ assessments: z.array(assessment).describe('oldest first: when raised, then each monthly review') })) {}
