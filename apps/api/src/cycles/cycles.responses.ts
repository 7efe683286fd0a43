import { z } from 'zod';
import { CENTER_AREAS, CyclePhase, TASK_KIND_NAMES } from '@rollplan/domain';
import { isoTime, pageOf, periodText, responseDto } from '../common/openapi-types';

const userId = z.uuid();
const year = z.number().int();
const version = z.number().int().min(1);
const reviewStage = z.enum(['internal_review', 'committee_review', 'revising']);

/** A unit's contribution to the draft (waive and extend answer it). */
const contributionSchema = z.strictObject({
  unitId: z.uuid(),
  area: z.enum([...CENTER_AREAS, 'subsidiary']),
  taskId: z.uuid().optional().describe('the contribution task, once opened'),
  status: z.enum(['open', 'submitted', 'waived']),
  dueAt: isoTime(),
  waiver: z.strictObject({ reason: z.string(), by: userId }).optional(),
  extensions: z.array(z.strictObject({ dueAt: isoTime(), reason: z.string(), by: userId })).optional(),
});

/**
 * A cycle as its workflow reports it (GET /cycles/:id and every command on a cycle). The list
 * (GET /cycles) shows the read model's part: id, title, years, phase, a cancellation's reason.
 * Fields a cycle has not reached yet are absent.
 */
const cycleViewSchema = z.strictObject({
  id: z.uuid(),
  workflowId: z.string(),
  title: z.string(),
  startYear: year,
  horizonYears: z.number().int().min(1),
  planYears: z.array(year),
  phase: z.enum(Object.values(CyclePhase) as [CyclePhase, ...CyclePhase[]]),
  phaseSince: isoTime(),
  round: z.number().int().min(0).optional().describe('committee review round (0 before the first)'),
  versions: z.array(version).optional().describe('plan versions submitted so far'),
  effectiveVersion: version.optional().describe('the plan version in force'),
  contributions: z.array(contributionSchema).optional(),
  pending: z
    .array(z.strictObject({ taskId: z.uuid(), kind: z.enum(TASK_KIND_NAMES), eligible: z.array(userId), dueAt: isoTime() }))
    .optional()
    .describe('open tasks: who is still pending, and until when'),
  rejection: z.strictObject({ reasons: z.array(z.string()), at: isoTime() }).optional(),
  schedule: z
    .array(z.strictObject({ version, from: periodText(), startYear: year.optional(), approvedAt: isoTime().optional() }))
    .optional()
    .describe('approved versions and the first month each applies to, in order'),
  currentPeriod: periodText().optional().describe('the month whose execution runs now'),
  lastClosedPeriod: periodText().optional(),
  change: z.strictObject({ version, round: z.number().int(), stage: reviewStage, reason: z.string() }).optional().describe('a change to the plan in force under review'),
  planYear: year.optional().describe('the plan year of the month under review (or last reviewed)'),
  run: z.number().int().min(1).optional().describe('runs of the workflow so far (continue-as-new)'),
  closure: z.strictObject({ at: isoTime(), by: userId, reason: z.string().optional(), forced: z.boolean(), openActions: z.array(z.uuid()) }).optional(),
  adjustment: z
    .strictObject({
      year,
      stage: z.enum(['analysis', 'drafting', 'internal_review', 'committee_review', 'revising']),
      openedAt: isoTime(),
      by: userId.optional(),
      version: version.optional(),
      round: z.number().int(),
    })
    .optional()
    .describe('the yearly rolling adjustment in progress: a plan for year … year + horizon − 1'),
  adjustments: z.array(z.strictObject({ year, version, from: periodText(), late: z.boolean() })).optional().describe('rolling adjustments approved so far'),
  planInForce: z.strictObject({ version, startYear: year, planYears: z.array(year) }).optional().describe('the newest approved plan'),
  monitoring: z
    .strictObject({ from: periodText(), pastMonths: z.enum(['skip', 'backfill']), skipped: z.array(periodText()), backfilled: z.array(periodText()) })
    .optional()
    .describe('which months are monitored (set when execution starts)'),
  committeeRound: z
    .strictObject({
      subject: z.enum(['plan', 'change', 'adjustment']),
      version,
      round: z.number().int(),
      voters: z.array(userId),
      recused: z.array(userId).describe('members who may not vote: they submitted the version'),
      needed: z.number().int().min(0),
    })
    .optional()
    .describe('the committee round under way or last held'),
  startedBy: userId.optional(),
  cancellation: z.strictObject({ reason: z.string(), at: isoTime(), by: userId.optional() }).optional(),
  createdAt: isoTime().optional(),
});
export class CycleViewDto extends responseDto(cycleViewSchema) {}
export class CyclePageDto extends responseDto(pageOf(cycleViewSchema)) {}
export class ContributionStateDto extends responseDto(contributionSchema) {}
export class VersionSubmittedDto extends responseDto(z.strictObject({ version: version.describe('the new immutable plan version, now under review') })) {}
