import type { ErrorDetail } from './errors';
import type { CreateTaskRequest } from './tasks.schema';

export type { ContributionPayload, CreateTaskRequest, CompleteTaskRequest, CreateWebhookRequest, ListTasksQuery } from './tasks.schema';

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

/** A kind of task: its outcomes and its rules (its payload schema: TASK_PAYLOADS). Later procedures add kinds here. */
export interface TaskKind {
  outcomes: readonly string[];
  /** Four-eyes: the person who submitted the work under decision may not decide it. */
  fourEyes: boolean;
  /** Outcome recorded by the system when the last escalation step runs out; none: keep waiting. */
  timeoutOutcome?: string;
  /** Closed by the workflow once the work arrives elsewhere (e.g. actuals); says where to send it. */
  closedBySystem?: string;
}

export const TASK_KINDS = {
  /** An ad-hoc request to one person or group: done or declined, with a note. */
  'adhoc.request': {
    outcomes: ['done', 'declined'],
    fourEyes: false,
  },
  /** A notice the holder confirms having read; lapses as `expired` when the escalation runs out. */
  'notice.acknowledge': {
    outcomes: ['acknowledged'],
    fourEyes: false,
    timeoutOutcome: 'expired',
  },
  /** A contributing unit's analysis for the three-year plan. */
  'plan.contribution': {
    outcomes: ['submitted'],
    fourEyes: false,
  },
  /** A department's internal review of a draft before the committee sees it (seed 003). */
  'plan.internal_review': {
    outcomes: ['no_objection', 'concerns'],
    fourEyes: true,
  },
  /** A committee member's review of a draft in one round. */
  'plan.review': {
    outcomes: ['approve', 'request_changes', 'reject'],
    fourEyes: true,
  },
  /** The chair's final approval of a draft the committee passed (or of the last round's draft). */
  'plan.final_approval': {
    outcomes: ['approve', 'request_changes', 'reject'],
    fourEyes: true,
  },
  /** A KPI owner's actuals for a month: closed when every KPI of the unit has a value. */
  'monthly.actuals': {
    outcomes: ['submitted'],
    fourEyes: false,
    closedBySystem: 'send the values with PUT /cycles/:id/periods/:period/actuals or a CSV import',
  },
  /** An owner's analysis of an off-track KPI: the cause, and the corrective actions it will take. */
  'monthly.cause_analysis': {
    outcomes: ['analysed'],
    fourEyes: false,
  },
  /** A corrective action, tracked to done; carried over month after month until it is. */
  'monthly.action': {
    outcomes: ['done'],
    fourEyes: false,
  },
  /** A unit's word on each milestone of the implementation plan it owns: done, on track, or late with a new date and why. */
  'monthly.milestones': {
    outcomes: ['reported'],
    fourEyes: false,
  },
  /** A unit's spend for the month against its cost budget: closed when the spend arrives. */
  'monthly.spend': {
    outcomes: ['submitted'],
    fourEyes: false,
    closedBySystem: 'send the spend with PUT /cycles/:id/periods/:period/spend',
  },
  /** A risk owner's monthly review of a risk in the register: a new assessment, and mitigation actions. */
  'monthly.risk_review': {
    outcomes: ['reviewed'],
    fourEyes: false,
  },
  /** The planning office's minutes of the monthly operations meeting, item by item, with its decisions. */
  'monthly.operations_meeting': {
    outcomes: ['recorded'],
    fourEyes: false,
  },
  /** The planning office's sign-off of the units' evaluations over a quarter or a year: adjusted with reasons, then frozen. */
  'evaluation.sign_off': {
    outcomes: ['signed_off'],
    fourEyes: false,
  },
  /** One committee member's vote on a decision put to the committee. */
  'committee.vote': {
    outcomes: ['approve', 'reject'],
    fourEyes: true,
  },
} as const satisfies Record<string, TaskKind>;
export type TaskKindName = keyof typeof TASK_KINDS;
export const TASK_KIND_NAMES = Object.keys(TASK_KINDS) as [TaskKindName, ...TaskKindName[]];

/**
 * What the workflow itself checks of a decision on a task of `kind`: the outcome, and that the
 * payload answers this task (`links`: e.g. the area a contribution task asks about). The
 * payload's shape is checked at the edge (validateDecision in tasks.schema.ts, run by the API):
 * schemas stay out of workflow code, where every cached execution would instantiate them.
 */
export function checkDecision(kind: TaskKindName, outcome: string, payload: unknown, links: Record<string, string> = {}): ErrorDetail[] {
  const definition: TaskKind = TASK_KINDS[kind];
  const problems: ErrorDetail[] = [];
  if (!definition.outcomes.includes(outcome)) {
    problems.push({ path: 'outcome', message: `must be one of: ${definition.outcomes.join(', ')}` });
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

const DAY_MS = 86_400_000;

/** The escalation policy a request asks for. */
export function requestedEscalation(request: Pick<CreateTaskRequest, 'remindBeforeHours' | 'escalateTo' | 'graceDays'>): EscalationPolicy {
  return { remindBeforeMs: request.remindBeforeHours.map((h) => h * 3_600_000), chain: request.escalateTo, graceMs: request.graceDays * DAY_MS };
}

/** Events a webhook may subscribe to (outbox events of the task mechanism), or `*`. */
export const NOTIFICATION_EVENTS = ['task.opened', 'task.reminder', 'task.escalated', 'task.delegated', 'task.decided', 'task.cancelled'] as const;
