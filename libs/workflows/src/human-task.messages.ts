import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Actor, Assignee, EscalationPolicy, GroupRule, TaskKindName, TaskStatus } from '@rollplan/domain/rules';

/** What a workflow needs to open one task. */
export interface TaskSpec {
  kind: TaskKindName;
  title: string;
  assignee: Assignee;
  /** ISO time the decision is due. */
  dueAt: string;
  escalation: EscalationPolicy;
  /** The person whose work is under decision: with four-eyes kinds, they may not decide. */
  submittedBy?: string;
  cycleId?: string;
  links?: Record<string, string>;
  /** What the holder starts from, shown with the task (e.g. last year's analysis and actuals). */
  context?: Record<string, unknown>;
}

export interface TaskDecision {
  taskId: string;
  outcome: string;
  comment?: string;
  payload?: Record<string, unknown>;
  /** Who decided; absent when the system did (timeout outcome). */
  decidedBy?: string;
  decidedAt: string;
}

/** A task as the workflow holding it sees it. */
export interface TaskState {
  id: string;
  spec: TaskSpec;
  status: TaskStatus;
  /** Who holds it now: the spec's assignee until an escalation or a delegation moves it. */
  assignee: Assignee;
  /** Who may act on it now. */
  eligible: string[];
  claimedBy?: string;
  escalationStep: number;
  decision?: TaskDecision;
  /** Set when the due date moved: the wait starts its schedule again. */
  rescheduled?: boolean;
  /** Carried over from an earlier execution (see TaskBoard.adopt). */
  adopted?: boolean;
  /** The vote a ballot belongs to (the id of its first ballot), for one person, one ballot. */
  group?: string;
}

export interface CompleteTaskInput {
  taskId: string;
  outcome: string;
  comment?: string;
  payload?: Record<string, unknown>;
  /** Set by the API from the caller's token. */
  actor: Actor;
}

export interface ClaimTaskInput {
  taskId: string;
  actor: Actor;
}

export interface DelegateTaskInput {
  taskId: string;
  toUserId: string;
  actor: Actor;
}

// Message names are persisted (see names.ts). Every workflow that opens tasks handles these.
export const completeTaskUpdate = defineUpdate<TaskDecision, [CompleteTaskInput]>('completeTask');
export const claimTaskUpdate = defineUpdate<TaskState, [ClaimTaskInput]>('claimTask');
export const unclaimTaskUpdate = defineUpdate<TaskState, [ClaimTaskInput]>('unclaimTask');
export const delegateTaskUpdate = defineUpdate<TaskState, [DelegateTaskInput]>('delegateTask');
export const tasksQuery = defineQuery<TaskState[]>('tasks');

/** Input of the standalone human-task workflow: one task, or a vote of several under a rule. */
export interface HumanTaskInput {
  requestedBy: Actor;
  tasks: TaskSpec[];
  /** For several tasks: how their outcomes combine; `passOutcome` counts as a pass. */
  group?: { rule: GroupRule; passOutcome: string };
  /** The code baseline it started from (CODE_BASELINE, names.ts); absent in executions started before v0.11. */
  baseline?: number;
}

export interface HumanTaskResult {
  decisions: TaskDecision[];
  /** For a group: whether it passed. */
  group?: { state: 'passed' | 'failed'; passes: number; fails: number; needed: number };
}
