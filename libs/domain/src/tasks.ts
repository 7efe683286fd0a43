import { z } from 'zod';
import { causeAnalysisSchema } from './monitoring';

/**
 * Human tasks: every step that waits on a person. Pure rules only — the workflow helper
 * (libs/workflows/src/human-task.ts) runs them, the API validates against them.
 * Persisted values: do not rename.
 */
export const TaskStatus = {
  Open: 'open',
  Claimed: 'claimed',
  Completed: 'completed',
  Cancelled: 'cancelled',
} as const;
export type TaskStatus = (typeof TaskStatus)[keyof typeof TaskStatus];

export function isClosedTask(status: TaskStatus): boolean {
  return status === TaskStatus.Completed || status === TaskStatus.Cancelled;
}

/** Who a task waits on: one person, or a group any of whose members may claim it. */
export type Assignee = { type: 'user'; userId: string } | { type: 'unit'; unitId: string } | { type: 'committee' };

export const assigneeSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('user'), userId: z.uuid() }),
  z.strictObject({ type: z.literal('unit'), unitId: z.uuid() }),
  z.strictObject({ type: z.literal('committee') }),
]);

/** A kind of task: its outcomes, its payload, its rules. Later procedures add kinds here. */
export interface TaskKind {
  outcomes: readonly string[];
  payload: z.ZodType;
  /** Four-eyes: the person who submitted the work under decision may not decide it. */
  fourEyes: boolean;
  /** Outcome recorded by the system when the last escalation step runs out; none: keep waiting. */
  timeoutOutcome?: string;
  /** Closed by the workflow once the work arrives elsewhere (e.g. actuals); says where to send it. */
  closedBySystem?: string;
}

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

export const TASK_KINDS = {
  /** An ad-hoc request to one person or group: done or declined, with a note. */
  'adhoc.request': {
    outcomes: ['done', 'declined'],
    payload: z.strictObject({ note: z.string().max(10_000).optional() }),
    fourEyes: false,
  },
  /** A notice the holder confirms having read; lapses as `expired` when the escalation runs out. */
  'notice.acknowledge': {
    outcomes: ['acknowledged'],
    payload: z.strictObject({}),
    fourEyes: false,
    timeoutOutcome: 'expired',
  },
  /** A contributing unit's analysis for the three-year plan. */
  'plan.contribution': {
    outcomes: ['submitted'],
    payload: contributionPayloadSchema,
    fourEyes: false,
  },
  /** A department's internal review of a draft before the committee sees it (seed 003). */
  'plan.internal_review': {
    outcomes: ['no_objection', 'concerns'],
    payload: z.strictObject({ feasibility: z.string().max(10_000).default(''), soundness: z.string().max(10_000).default(''), risk: z.string().max(10_000).default('') }),
    fourEyes: true,
  },
  /** A committee member's review of a draft in one round. */
  'plan.review': {
    outcomes: ['approve', 'request_changes', 'reject'],
    payload: z.strictObject({ comments: anchoredComments }),
    fourEyes: true,
  },
  /** The chair's final approval of a draft the committee passed (or of the last round's draft). */
  'plan.final_approval': {
    outcomes: ['approve', 'request_changes', 'reject'],
    payload: z.strictObject({ comments: anchoredComments }),
    fourEyes: true,
  },
  /** A KPI owner's actuals for a month: closed when every KPI of the unit has a value. */
  'monthly.actuals': {
    outcomes: ['submitted'],
    payload: z.strictObject({}),
    fourEyes: false,
    closedBySystem: 'send the values with PUT /cycles/:id/periods/:period/actuals or a CSV import',
  },
  /** An owner's analysis of an off-track KPI: the cause, and the corrective actions it will take. */
  'monthly.cause_analysis': {
    outcomes: ['analysed'],
    payload: causeAnalysisSchema,
    fourEyes: false,
  },
  /** A corrective action, tracked to done; carried over month after month until it is. */
  'monthly.action': {
    outcomes: ['done'],
    payload: z.strictObject({ note: z.string().max(10_000).optional() }),
    fourEyes: false,
  },
  /** One committee member's vote on a decision put to the committee. */
  'committee.vote': {
    outcomes: ['approve', 'reject'],
    payload: z.strictObject({ note: z.string().max(10_000).optional() }),
    fourEyes: true,
  },
} as const satisfies Record<string, TaskKind>;
export type TaskKindName = keyof typeof TASK_KINDS;
export const TASK_KIND_NAMES = Object.keys(TASK_KINDS) as [TaskKindName, ...TaskKindName[]];

/**
 * Problems with a decision on a task of `kind`; empty when it is acceptable. `links` are the
 * task's own (e.g. the area a contribution task asks about): the payload must answer that task.
 */
export function validateDecision(kind: TaskKindName, outcome: string, payload: unknown, links: Record<string, string> = {}): { path: string; message: string }[] {
  const definition: TaskKind = TASK_KINDS[kind];
  const problems: { path: string; message: string }[] = [];
  if (!definition.outcomes.includes(outcome)) {
    problems.push({ path: 'outcome', message: `must be one of: ${definition.outcomes.join(', ')}` });
  }
  const parsed = definition.payload.safeParse(payload ?? {});
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
      for (const key of keys) {
        problems.push({ path: ['payload', ...issue.path.map(String), ...(key ? [key] : [])].join('.'), message: key ? 'unknown field' : issue.message });
      }
    }
  }
  // A center analyses its own area: the HR center's task takes an HR analysis, nothing else.
  const area = (payload as { area?: unknown } | undefined)?.area;
  if (kind === 'plan.contribution' && links.area && area !== undefined && area !== links.area) {
    problems.push({ path: 'payload.area', message: `this task asks for the ${links.area} analysis, not ${String(area)}` });
  }
  return problems;
}

/**
 * When to remind and escalate, as offsets from the task's due time. Each escalation step
 * hands the task to the next assignee of the chain and gives it `graceMs` more.
 */
export interface EscalationPolicy {
  /** Reminders this long before due (ms); e.g. [2 days, 2 hours]. */
  remindBeforeMs: number[];
  /** Who takes over after each overdue period, in order (e.g. unit head, then the planning office). */
  chain: Assignee[];
  /** How long each escalated holder gets before the next step. */
  graceMs: number;
}

export type ScheduledStep =
  | { at: number; kind: 'remind'; holder: number }
  | { at: number; kind: 'escalate'; to: Assignee; step: number }
  | { at: number; kind: 'expire' };

/**
 * The task's timeline from its due time: reminders before due, then one escalation per
 * chain step, then expiry. Times in ms since the epoch, ascending.
 */
export function escalationSchedule(dueAt: number, policy: EscalationPolicy, openedAt: number): ScheduledStep[] {
  const steps: ScheduledStep[] = [];
  for (const before of [...policy.remindBeforeMs].sort((a, b) => b - a)) {
    const at = dueAt - before;
    if (at > openedAt) steps.push({ at, kind: 'remind', holder: 0 });
  }
  policy.chain.forEach((to, i) => steps.push({ at: dueAt + i * policy.graceMs, kind: 'escalate', to, step: i + 1 }));
  steps.push({ at: dueAt + policy.chain.length * policy.graceMs, kind: 'expire' });
  return steps;
}

/** How a group of individual votes becomes one decision. */
export type GroupRule = { kind: 'all' } | { kind: 'any' } | { kind: 'n_of_m'; n: number };

/** The committee's default rule: a majority of those who vote (at least one vote). */
export function majorityOf(voters: number): GroupRule {
  return { kind: 'n_of_m', n: Math.floor(Math.max(voters, 1) / 2) + 1 };
}

export const groupRuleSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('all') }),
  z.strictObject({ kind: z.literal('any') }),
  z.strictObject({ kind: z.literal('n_of_m'), n: z.number().int().min(1) }),
]);

/**
 * Tallies votes of `voters` (each votes `pass` or anything else): `passed` once enough
 * have passed, `failed` once enough can no longer pass, otherwise still `open`.
 */
export function tallyGroup(
  rule: GroupRule,
  voters: number,
  votes: { pass: boolean }[],
): { state: 'open' | 'passed' | 'failed'; needed: number; passes: number; fails: number } {
  const needed = rule.kind === 'all' ? voters : rule.kind === 'any' ? 1 : Math.min(rule.n, voters);
  const passes = votes.filter((v) => v.pass).length;
  const fails = votes.length - passes;
  const state = passes >= needed ? 'passed' : voters - fails < needed ? 'failed' : 'open';
  return { state, needed, passes, fails };
}

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

const DAY_MS = 86_400_000;

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

/** The escalation policy a request asks for. */
export function requestedEscalation(request: Pick<CreateTaskRequest, 'remindBeforeHours' | 'escalateTo' | 'graceDays'>): EscalationPolicy {
  return { remindBeforeMs: request.remindBeforeHours.map((h) => h * 3_600_000), chain: request.escalateTo, graceMs: request.graceDays * DAY_MS };
}

/** Events a webhook may subscribe to (outbox events of the task mechanism), or `*`. */
export const NOTIFICATION_EVENTS = ['task.opened', 'task.reminder', 'task.escalated', 'task.delegated', 'task.decided', 'task.cancelled'] as const;

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
