import { defineSearchAttributeKey } from '@temporalio/common';

// PERSISTED NAMES. Running executions, recorded histories and saved list filters refer
// to these strings: changing one needs a migration plan (docs/temporal.md).

/** Workflow types, one per procedure. */
export const WorkflowType = {
  PlanningCycle: 'planningCycle',
  HumanTask: 'humanTask',
  MonthlyReview: 'monthlyReview',
} as const;

/**
 * Custom search attributes, registered on the dev server by `npm start` and the test
 * harness, and by `temporal operator search-attribute create` in a deployment.
 */
export const SearchAttribute = {
  CycleId: defineSearchAttributeKey('RollplanCycleId', 'KEYWORD'),
  Procedure: defineSearchAttributeKey('RollplanProcedure', 'KEYWORD'),
  Phase: defineSearchAttributeKey('RollplanPhase', 'KEYWORD'),
  PlanYear: defineSearchAttributeKey('RollplanPlanYear', 'INT'),
  Period: defineSearchAttributeKey('RollplanPeriod', 'KEYWORD'),
  Units: defineSearchAttributeKey('RollplanUnits', 'KEYWORD_LIST'),
} as const;

const CLI_TYPE_NAMES = { KEYWORD: 'Keyword', KEYWORD_LIST: 'KeywordList', INT: 'Int', TEXT: 'Text', BOOL: 'Bool', DOUBLE: 'Double', DATETIME: 'Datetime' } as const;

/** Search attributes as the Temporal CLI's `--search-attribute NAME=Type` expects them. */
export const SEARCH_ATTRIBUTE_CLI_TYPES: Record<string, string> = Object.fromEntries(
  Object.values(SearchAttribute).map((key) => [key.name, CLI_TYPE_NAMES[key.type]]),
);

/** `ApplicationFailure` types raised by workflows and activities; the API maps them to statuses. */
export const FailureType = {
  Conflict: 'conflict',
  Forbidden: 'forbidden',
  NotFound: 'not_found',
  ValidationFailed: 'validation_failed',
} as const;

/** Values of the RollplanProcedure search attribute. */
export const Procedure = {
  PlanningCycle: 'planning-cycle',
  HumanTask: 'human-task',
  MonthlyReview: 'monthly-review',
} as const;

/** BullMQ queues (persisted in Redis: renaming one strands its jobs). */
export const QueueName = {
  /** One job per outbox event: fans out to in-app, e-mail and webhook deliveries. */
  Notifications: 'rollplan-notifications',
  Email: 'rollplan-email',
  Webhooks: 'rollplan-webhooks',
  /** Deliveries that used up their retries; admins list and retry them. */
  DeadLetters: 'rollplan-dead-letters',
  /** CSV imports of KPI actuals: parsed, checked and sent to the month's execution. */
  Imports: 'rollplan-imports',
  /** Monthly reports rendered to HTML and XLSX. */
  Reports: 'rollplan-reports',
} as const;

/** Redis channel on which the worker announces new in-app notifications to the API's streams. */
export const notificationsChannel = (prefix: string) => `${prefix}:notifications:new`;

/** A CSV import's job, as the API and the worker's sweeper queue it: the job id makes it one job. */
export const importJob = (importId: string) =>
  ({ name: 'import', data: { importId }, opts: { jobId: `import.${importId}`, attempts: 5, backoff: { type: 'exponential' as const, delay: 1000 } } });

/** `patched()` ids, one per change to a running workflow's command sequence (log: docs/temporal.md). */
export const Patch = {
  HumanTaskProcedureAttribute: 'human-task-procedure-attribute',
  CycleDrafting: 'cycle-drafting-and-review',
  CycleMonthlyLoop: 'cycle-monthly-loop',
  RollingAdjustment: 'cycle-rolling-adjustment',
  TaskBookkeepingSettles: 'task-bookkeeping-settles',
  /** A month's close cancels actuals tasks still being opened; carried ones are cancelled too. */
  MonthCloseSettlesActuals: 'month-close-settles-actuals',
  /** A member who submitted the version under review gets no ballot; the rule counts the others. */
  CommitteeRecusal: 'committee-recusal',
  /** Monitoring starts at a chosen month; past months are skipped or backfilled, late ones get fresh windows. */
  MonitoringStart: 'monitoring-start',
  /** A task opened after its due date gets a fresh one. */
  FreshDueDates: 'fresh-due-dates',
  /** The automatic rolling adjustment never rolls a plan again right after its approval. */
  AdjustmentAfterApproval: 'adjustment-after-approval',
  /** A task decided while its escalation was being recorded stays decided. */
  EscalationKeepsClosedTask: 'escalation-keeps-closed-task',
  /** A plan change is under review from the moment it is accepted, before its version is recorded. */
  ChangeTakenBeforeRecording: 'change-taken-before-recording',
  /** Reviews and adjustments started by messages run in the execution's cancellation scope. */
  ReviewsInExecutionScope: 'reviews-in-execution-scope',
  /** A decision is recorded by a local activity: the update answers without a second workflow task. */
  DecisionByLocalActivity: 'decision-by-local-activity',
  /** A month asks for milestone progress, spend and risk reviews, and holds the operations meeting (issue 18). */
  OperatingControls: 'month-operating-controls',
} as const;
export type PatchId = (typeof Patch)[keyof typeof Patch];

/**
 * The code baseline new executions start with (input field `baseline`): every patch up to it is in
 * effect from their first event, without a `patched()` call. Each such call writes a marker and
 * upserts TemporalChangeVersion (two history events and a visibility write) in every new execution,
 * for a branch only histories recorded before the patch need. Executions started before v0.11 carry
 * no baseline and call `patched()` as before. A patch added later is not in a baseline until the
 * baseline is raised (log: docs/temporal.md).
 */
export const CODE_BASELINE = 1;
export const PATCH_BASELINE: Readonly<Record<PatchId, number>> = {
  [Patch.HumanTaskProcedureAttribute]: 1,
  [Patch.CycleDrafting]: 1,
  [Patch.CycleMonthlyLoop]: 1,
  [Patch.RollingAdjustment]: 1,
  [Patch.TaskBookkeepingSettles]: 1,
  [Patch.MonthCloseSettlesActuals]: 1,
  [Patch.CommitteeRecusal]: 1,
  [Patch.MonitoringStart]: 1,
  [Patch.FreshDueDates]: 1,
  [Patch.AdjustmentAfterApproval]: 1,
  [Patch.EscalationKeepsClosedTask]: 1,
  [Patch.ChangeTakenBeforeRecording]: 1,
  [Patch.ReviewsInExecutionScope]: 1,
  [Patch.DecisionByLocalActivity]: 1,
  // Not in a baseline yet: new months call patched() for it.
  [Patch.OperatingControls]: Number.POSITIVE_INFINITY,
};
