import { z } from 'zod';
import type { ErrorDetail } from './errors';
import { causeAnalysisSchema } from './monitoring.schema';
import { evaluationSignOffSchema, meetingMinutesSchema, reportMilestonesSchema, riskReviewPayloadSchema } from './controls.schema';
import { NOTIFICATION_EVENTS, TASK_KIND_NAMES, checkDecision, type TaskKindName } from './tasks';

// Task requests and decision payloads as they arrive at the API.

export const assigneeSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('user'), userId: z.uuid() }),
  z.strictObject({ type: z.literal('unit'), unitId: z.uuid() }),
  z.strictObject({ type: z.literal('committee') }),
]);

const analysis = z.string().trim().min(1, 'must not be empty').max(20_000);
const freeText = z.string().max(20_000).default('');

/** A functional center's (or subsidiary's) analysis of its own area for the plan (seed 000 §2). */
export const contributionPayloadSchema = z.discriminatedUnion('area', [
  z.strictObject({ area: z.literal('strategy_rd'), industryEnvironment: analysis, businessModels: analysis, competitors: analysis, freeText }),
  z.strictObject({ area: z.literal('finance'), funding: analysis, investmentCapacity: analysis, financingCapacity: analysis, financialPosition: analysis, freeText }),
  z.strictObject({ area: z.literal('hr'), people: analysis, capabilities: analysis, freeText }),
  z.strictObject({ area: z.literal('project_operations'), engineeringCapability: analysis, technicalManagementCapability: analysis, freeText }),
  z.strictObject({ area: z.literal('customer'), customers: analysis, marketing: analysis, brand: analysis, freeText }),
  z.strictObject({ area: z.literal('subsidiary'), summary: analysis, freeText }),
]);
export type ContributionPayload = z.infer<typeof contributionPayloadSchema>;

/** A review comment anchored to an item of the plan (`goals.revenue`, `kpis.nps.targets.2029`). */
const anchoredComments = z.array(z.strictObject({ anchor: z.string().min(1).max(300), text: z.string().trim().min(1).max(10_000) })).max(200).default([]);

/** The payload each kind of task takes with its decision. */
export const TASK_PAYLOADS: Record<TaskKindName, z.ZodType> = {
  'adhoc.request': z.strictObject({ note: z.string().max(10_000).optional() }),
  'notice.acknowledge': z.strictObject({}),
  'plan.contribution': contributionPayloadSchema,
  'plan.internal_review': z.strictObject({ feasibility: z.string().max(10_000).default(''), soundness: z.string().max(10_000).default(''), risk: z.string().max(10_000).default('') }),
  'plan.review': z.strictObject({ comments: anchoredComments }),
  'plan.final_approval': z.strictObject({ comments: anchoredComments }),
  'monthly.actuals': z.strictObject({}),
  'monthly.cause_analysis': causeAnalysisSchema,
  'monthly.action': z.strictObject({ note: z.string().max(10_000).optional() }),
  'monthly.milestones': reportMilestonesSchema,
  'monthly.spend': z.strictObject({}),
  'monthly.risk_review': riskReviewPayloadSchema,
  'monthly.operations_meeting': meetingMinutesSchema,
  'evaluation.sign_off': evaluationSignOffSchema,
  'committee.vote': z.strictObject({ note: z.string().max(10_000).optional() }),
};

/**
 * Every problem with a decision on a task of `kind`: the payload against its schema, and what
 * the workflow checks again (checkDecision). Empty when it is acceptable.
 */
export function validateDecision(kind: TaskKindName, outcome: string, payload: unknown, links: Record<string, string> = {}): ErrorDetail[] {
  const problems = checkDecision(kind, outcome, payload, links);
  const parsed = TASK_PAYLOADS[kind].safeParse(payload ?? {});
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
      for (const key of keys) {
        problems.push({ path: ['payload', ...issue.path.map(String), ...(key ? [key] : [])].join('.'), message: key ? 'unknown field' : issue.message });
      }
    }
  }
  return problems;
}

export const groupRuleSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('all') }),
  z.strictObject({ kind: z.literal('any') }),
  z.strictObject({ kind: z.literal('n_of_m'), n: z.number().int().min(1) }),
]);

/** `GET /tasks`: my inbox across every procedure. */
export const listTasksQuerySchema = z.strictObject({
  status: z.enum(['open', 'claimed', 'completed', 'cancelled', 'active']).default('active'),
  cycleId: z.uuid('must be a UUID').optional(),
  kind: z.enum(TASK_KIND_NAMES).optional(),
  dueBefore: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
export type ListTasksQuery = z.infer<typeof listTasksQuerySchema>;

export const completeTaskSchema = z.strictObject({
  outcome: z.string().min(1).max(100),
  comment: z.string().trim().max(10_000).optional(),
  payload: z.record(z.string(), z.unknown()).optional(),
});
export type CompleteTaskRequest = z.infer<typeof completeTaskSchema>;

export const delegateTaskSchema = z.strictObject({ toUserId: z.uuid('must be a UUID') });
export const taskCommentSchema = z.strictObject({ body: z.string().trim().min(1, 'must not be empty').max(10_000) });

/** `POST /tasks`: an ad-hoc request from the planning office to a person, a unit or the committee. */
export const createTaskRequestSchema = z
  .strictObject({
    kind: z.enum(['adhoc.request', 'notice.acknowledge', 'committee.vote']),
    title: z.string().trim().min(1, 'must not be empty').max(300),
    /** One assignee, or for a committee vote one ballot per member (empty: every member). */
    assignee: assigneeSchema,
    dueAt: z.iso.datetime({ offset: true }),
    cycleId: z.uuid('must be a UUID').optional(),
    remindBeforeHours: z.array(z.number().int().min(1).max(24 * 90)).max(5).default([48]),
    escalateTo: z.array(assigneeSchema).max(5).default([]),
    graceDays: z.number().int().min(1).max(90).default(3),
    rule: groupRuleSchema.optional(),
  })
  .superRefine((body, ctx) => {
    if (body.kind === 'committee.vote' && body.assignee.type !== 'committee') {
      ctx.addIssue({ code: 'custom', path: ['assignee'], message: 'a committee vote goes to the committee' });
    }
    if (body.rule && body.kind !== 'committee.vote') {
      ctx.addIssue({ code: 'custom', path: ['rule'], message: 'only a committee vote has a group rule' });
    }
  });
export type CreateTaskRequest = z.infer<typeof createTaskRequestSchema>;

export const createWebhookSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2000),
  events: z.array(z.enum([...NOTIFICATION_EVENTS, '*'])).min(1, 'must name at least one event'),
});
export type CreateWebhookRequest = z.infer<typeof createWebhookSchema>;

export const listNotificationsQuerySchema = z.strictObject({
  unread: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
