import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { HumanTaskInput } from './human-task.messages';
import type { Actor, CyclePhase, GroupRule, PlanContent } from '@rollplan/domain/rules';

/** Input of the planning-cycle workflow; one object so fields can be added compatibly. */
export interface PlanningCycleInput {
  cycleId: string;
  title: string;
  startYear: number;
  horizonYears: number;
  /** The admin who started it, as the API authenticated them (absent in histories recorded before v0.2). */
  startedBy?: Actor;
  /** Who drafts and who reviews (absent in histories recorded before v0.4: those cycles only wait in drafting). */
  setup?: CycleSetup;
  /** Set when the cycle continued as new: where the previous run left off. */
  resume?: CycleResume;
  /** The code baseline it started from (CODE_BASELINE, names.ts); absent in executions started before v0.11. */
  baseline?: number;
}

/** What a cycle carries into its next run (continue-as-new at a month boundary). */
export interface CycleResume {
  status: CycleStatus;
  /** Index in the horizon of the next month to run. */
  nextMonth: number;
  /** Causes and actions still open, for the next month's execution. */
  carried: import('./human-task.messages').TaskState[];
  /** Results of version-creating updates by id, so a retried Idempotency-Key in this run gets the first answer (absent before v0.9). */
  updates?: Record<string, unknown>;
}

export type ContributionArea = 'strategy_rd' | 'finance' | 'hr' | 'project_operations' | 'customer' | 'subsidiary';

/** Resolved by the API at start from the request and the org structure. */
export interface CycleSetup {
  contributors: { unitId: string; area: ContributionArea; name: string }[];
  /** ISO due time of the contributions. */
  contributionDueAt: string;
  /** Where overdue work escalates after the unit head: the planning office. */
  planningOfficeUnitId?: string;
  /** Departments that review each draft before the committee (seed 003); empty: no internal review. */
  internalReviewUnitIds: string[];
  committee: { memberIds: string[]; chairId: string; rule: GroupRule; reviewDays: number; maxRounds: number };
  /** Actuals are due at the end of this working day of the following month (default 5). */
  actualsWorkingDay?: number;
  /**
   * The organization's time zone (absent in cycles started before v0.12: UTC, weekdays only).
   * With it, month boundaries and due dates are local, and working days follow the business
   * calendar (holidays, make-up days) loaded as each month opens.
   */
  timeZone?: string;
  /** How many months before a plan year its rolling adjustment opens (default 2: on 1 November). */
  adjustmentLeadMonths?: number;
  /** false: the rolling adjustment opens only by hand (POST /cycles/:id/adjustments). */
  autoAdjustment?: boolean;
  /**
   * From which month the plan is monitored (default its first), and what happens to months
   * whose review had already closed when the plan was approved: skipped (default; each can be
   * backfilled later) or backfilled at once.
   */
  monitoring?: { from?: string; pastMonths: 'skip' | 'backfill' };
}

/** Which months the cycle monitors: decided when execution starts (see CycleSetup.monitoring). */
export interface MonitoringState {
  from: string;
  pastMonths: 'skip' | 'backfill';
  /** Past months not monitored; each can still be backfilled. */
  skipped: string[];
  /** Past months opened late, by choice or by backfill. */
  backfilled: string[];
}

/** One committee round's electorate: who votes, who may not (they submitted the version), and the votes needed. */
export interface CommitteeRoundState {
  subject: 'plan' | 'change' | 'adjustment';
  version: number;
  round: number;
  voters: string[];
  recused: string[];
  needed: number;
}

export interface ContributionState {
  unitId: string;
  area: ContributionArea;
  taskId?: string;
  status: 'open' | 'submitted' | 'waived';
  dueAt: string;
  waiver?: { reason: string; by: string };
  extensions?: { dueAt: string; reason: string; by: string }[];
}

export interface PendingTask {
  taskId: string;
  kind: string;
  eligible: string[];
  dueAt: string;
}

/** What the workflow knows about its cycle right now. */
export interface CycleStatus extends PlanningCycleInput {
  phase: CyclePhase;
  /** Committee review round (0 before the first). */
  round?: number;
  /** Versions submitted so far, and the one in force. */
  versions?: number[];
  effectiveVersion?: number;
  contributions?: ContributionState[];
  /** Open tasks of the cycle: who is still pending, and until when. */
  pending?: PendingTask[];
  rejection?: { reasons: string[]; at: string };
  /** Approved versions, the first period (YYYY-MM) each applies to, its plan's first year and when it was approved, in order. */
  schedule?: { version: number; from: string; startYear?: number; approvedAt?: string }[];
  /** Which months are monitored (set when execution starts). */
  monitoring?: MonitoringState;
  /** The committee round under way (or the last one): its electorate. */
  committeeRound?: CommitteeRoundState;
  /** The yearly rolling adjustment in progress: a plan for `year`…`year + 2`. */
  adjustment?: { year: number; stage: 'analysis' | 'drafting' | 'internal_review' | 'committee_review' | 'revising'; openedAt: string; by?: string; version?: number; round: number };
  /** Rolling adjustments approved so far: the plan year each one starts, its version and first month. */
  adjustments?: { year: number; version: number; from: string; late: boolean }[];
  /** The month whose execution runs now, and the last one closed. */
  currentPeriod?: string;
  lastClosedPeriod?: string;
  /** A change to the plan in force, while the committee reviews it or the office revises it. */
  change?: { version: number; round: number; stage: 'internal_review' | 'committee_review' | 'revising'; reason: string };
  /** Runs of this cycle so far (continue-as-new keeps each run's history short). */
  run?: number;
  /** ISO time the phase was entered (workflow time). */
  phaseSince: string;
  cancellation?: { reason: string; at: string; by?: string };
  /** Set when the admin closed the cycle; `openActions` were cancelled by a forced closure. */
  closure?: { at: string; by: string; reason?: string; forced: boolean; openActions: string[] };
}

export interface CancelCycleInput {
  reason: string;
  /** Set by the API from the caller's token; never from the request body. */
  by?: Actor;
}

// Message names are persisted: see names.ts.
export const cycleStatusQuery = defineQuery<CycleStatus>('cycleStatus');
export const cancelCycleUpdate = defineUpdate<CycleStatus, [CancelCycleInput]>('cancelCycle');

export interface CloseCycleInput {
  reason?: string;
  force: boolean;
  /** Corrective actions still open (the API lists them from the read model); closing cancels them. */
  openActions: string[];
  by: Actor;
}
/** Ends a cycle in execution: its running month and open tasks are cancelled, the phase is `closed`. */
export const closeCycleUpdate = defineUpdate<CycleStatus, [CloseCycleInput]>('closeCycle');

/** Opens a request to people as a child of the cycle: it ends with the cycle. */
export interface OpenRequestInput {
  /** Workflow id of the request (the API derives it from the idempotency key). */
  requestId: string;
  request: HumanTaskInput;
}
export const openRequestUpdate = defineUpdate<{ requestId: string }, [OpenRequestInput]>('openRequest');

export interface SubmitDraftInput {
  content: PlanContent;
  /** Set by the API from the caller's token. */
  actor: Actor;
}
export const submitDraftUpdate = defineUpdate<{ version: number }, [SubmitDraftInput]>('submitDraft');

export interface ContributionChangeInput {
  unitId: string;
  reason: string;
  /** For an extension: the new due time. */
  dueAt?: string;
  actor: Actor;
}
export const waiveContributionUpdate = defineUpdate<ContributionState, [ContributionChangeInput]>('waiveContribution');
export const extendContributionUpdate = defineUpdate<ContributionState, [ContributionChangeInput]>('extendContribution');

export interface ProposeChangeInput {
  content: PlanContent;
  /** Why the plan must change (e.g. the cause analysis that found a flaw). */
  reason: string;
  actor: Actor;
}
/** A change to the plan in force (or the revision of one the committee sent back): a new version to review. */
export const proposeChangeUpdate = defineUpdate<{ version: number }, [ProposeChangeInput]>('proposeChange');

export interface SubmitRolledPlanInput {
  /** The plan year the open adjustment rolls to: a request for another year is stale. */
  year: number;
  content: PlanContent;
  actor: Actor;
}
/** The rolled plan of the open rolling adjustment (or its revision): a new version for the committee. */
export const submitRolledPlanUpdate = defineUpdate<{ version: number }, [SubmitRolledPlanInput]>('submitRolledPlan');

/** Opens a skipped past month now, with fresh due dates, for its actuals to be entered late. */
export const backfillPeriodUpdate = defineUpdate<MonitoringState, [{ period: string; actor: Actor }]>('backfillPeriod');

/** Opens the yearly rolling adjustment by hand (it also opens itself ahead of each plan year). */
export const startAdjustmentUpdate = defineUpdate<CycleStatus['adjustment'], [{ actor: Actor }]>('startAdjustment');
