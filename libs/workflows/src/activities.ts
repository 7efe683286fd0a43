import type {
  Actor,
  AgendaItem,
  BudgetVarianceLine,
  BusinessCalendar,
  CyclePhase,
  EvaluationSignOff,
  KpiEvaluation,
  MeetingMinutes,
  MilestoneReport,
  MonthTarget,
  PlanContent,
  RaiseRiskRequest,
  RiskLevel,
  RiskReviewPayload,
  SpendEntry,
  TrackedMilestone,
  UnitEvaluation,
} from '@rollplan/domain/rules';
import type { PlanningCycleInput } from './planning-cycle.messages';

/**
 * The activities workflows call, as types only: workflow code imports this file with
 * `import type`, the worker implements it (apps/worker/src/activities).
 * Every activity is idempotent: Temporal may run it more than once.
 */
/** A decision as recordTaskDecision records it; `actor` null when the system decided (no decision in time). */
export interface RecordedDecision {
  decision: import('./human-task.messages').TaskDecision;
  actor: Actor | null;
}

export interface CycleActivities {
  /** Creates the cycle's read-model row and its audit record; a retry finds them and changes nothing. */
  recordCycleStarted(input: PlanningCycleInput & { workflowId: string }): Promise<void>;
  /** Moves the read model to `phase` and audits it, with the actor who caused it (none: the process itself). */
  recordCyclePhase(input: { cycleId: string; phase: CyclePhase; at: string; reason?: string; actor?: Actor }): Promise<void>;
}

/** Activities of the human-task mechanism: each writes the tasks read model and an outbox row together. */
export interface TaskActivities {
  /** Creates the task row; resolves who may act on it (the user, or the group's active members). */
  openTask(input: { taskId: string; workflowId: string; spec: import('./human-task.messages').TaskSpec; openedAt: string }): Promise<{ eligible: string[] }>;
  /** Announces a reminder to whoever may act now. */
  remindTask(input: { taskId: string; at: string }): Promise<void>;
  /** Hands the task to the next assignee of its chain. */
  escalateTask(input: { taskId: string; to: import('@rollplan/domain/rules').Assignee; step: number; dueAt: string }): Promise<{ eligible: string[] }>;
  recordTaskClaim(input: { taskId: string; claimedBy: string | null; actor: Actor }): Promise<void>;
  recordTaskDelegation(input: { taskId: string; toUserId: string; actor: Actor }): Promise<void>;
  /**
   * Returns what it recorded: run as a local activity, its input is not in the history, its result
   * is (the marker), and the timeline and exports read the decision from there.
   */
  recordTaskDecision(input: RecordedDecision): Promise<RecordedDecision>;
  cancelTask(input: { taskId: string; reason: string }): Promise<void>;
  rescheduleTask(input: { taskId: string; dueAt: string; reason?: string; actor?: Actor }): Promise<void>;
  /** Points a task's row at the execution that now holds it. */
  transferTask(input: { taskId: string; workflowId: string }): Promise<void>;
}

/** Activities of plan drafting and review: plan versions and the effective version. */
export interface PlanActivities {
  /** Stores a submitted version (immutable); a retry finds it and changes nothing. */
  recordPlanVersion(input: { cycleId: string; version: number; content: PlanContent; submittedBy: string; submittedAt: string; round: number }): Promise<void>;
  /** Records the committee's verdict on a version; `approved` also makes it the cycle's effective version. */
  recordPlanVerdict(input: { cycleId: string; version: number; verdict: 'changes_requested' | 'approved' | 'rejected'; at: string; reasons: string[]; effectiveFrom?: string }): Promise<void>;
}

/** Activities of the monthly loop: the period's read model, actuals, the report job. */
export interface MonitoringActivities {
  /** The month's targets from a plan version (read from plan_versions). */
  loadMonthTargets(input: { cycleId: string; version: number; period: string }): Promise<MonthTarget[]>;
  /** The organization's business calendar for `years` in `timeZone`: holidays and make-up working days as known now. */
  loadBusinessCalendar(input: { timeZone: string; years: number[] }): Promise<BusinessCalendar>;
  /** Attainments of every closed month before `period`, per KPI, oldest first. */
  loadEarlierAttainments(input: { cycleId: string; period: string }): Promise<Record<string, number[]>>;
  recordPeriodOpened(input: { cycleId: string; period: string; version: number; workflowId: string; targets: MonthTarget[]; actualsDueAt: string; closesAt: string }): Promise<void>;
  /** Upserts the values (a correction replaces the earlier value) and audits who sent them how. */
  recordActuals(input: { cycleId: string; period: string; values: { kpiId: string; value: number; ownerUnitId: string }[]; actor: Actor; source: string; importId?: string; at: string }): Promise<void>;
  recordEvaluations(input: { cycleId: string; period: string; evaluations: KpiEvaluation[] }): Promise<void>;
  /** Closed early, extended (reopened) or closed: the read model and an audit row with the actor. */
  recordPeriodEvent(input: { cycleId: string; period: string; event: 'closed_early' | 'extended' | 'closed'; at: string; actor?: Actor; reason?: string; closesAt?: string }): Promise<void>;
  /** For a unit's re-analysis in a rolling adjustment: its latest analysis in the cycle and its KPIs' months of `year - 1`. */
  loadAdjustmentContext(input: { cycleId: string; unitId: string; year: number }): Promise<Record<string, unknown>>;
  /** Queues the rendering of the month's report (HTML and XLSX); one job per call id. */
  requestMonthlyReport(input: { cycleId: string; period: string; requestId: string }): Promise<void>;
}

/** A risk of the register as a month carries it. */
export interface RiskSummary {
  riskId: string;
  title: string;
  ownerUnitId: string;
  level: RiskLevel;
  status: 'open' | 'closed';
}

/** What a month asks about besides the KPIs (issue 18), as the plan version and the register stand when it opens. */
export interface MonthControls {
  /** Milestones not yet done that are due this year or earlier: each owner reports on its own. */
  milestones: TrackedMilestone[];
  /** Units with cost budget in the period's year: each reports its spend, by initiative. */
  spendUnits: { unitId: string; initiativeIds: (string | null)[] }[];
  /** Overspend tolerance of the plan version. */
  tolerance: number;
  /** Open risks: each owner reviews its own. */
  risks: RiskSummary[];
}

/**
 * Activities of the operating controls of a month: milestones, spend, risks, the operations
 * meeting. Those that record a task's decision take who decided (the decision itself is audited
 * with the actor's roles by recordTaskDecision).
 */
export interface ControlsActivities {
  loadMonthControls(input: { cycleId: string; version: number; period: string }): Promise<MonthControls>;
  /** Upserts a unit's milestone reports for the month, audited. */
  recordMilestoneReports(input: { cycleId: string; period: string; unitId: string; reports: MilestoneReport[]; decidedBy: string | null; at: string }): Promise<void>;
  /** Upserts a unit's spend for the month by initiative (a correction replaces), audited. */
  recordSpend(input: { cycleId: string; period: string; unitId: string; entries: SpendEntry[]; actor: Actor; source: string; at: string }): Promise<void>;
  /** The month's budget against spend (and the year to date), stored with the month; returns the lines. */
  analyseBudget(input: { cycleId: string; version: number; period: string; tolerance: number }): Promise<BudgetVarianceLine[]>;
  /** Adds a risk to the register with its first assessment; a retry finds it. */
  recordRiskRaised(input: { riskId: string; cycleId: string; period: string; risk: RaiseRiskRequest; actor: Actor; at: string }): Promise<RiskSummary>;
  /** Records a review of a risk (one per task); a closed review closes the risk. */
  recordRiskReview(input: { riskId: string; period: string; taskId: string; review: RiskReviewPayload; decidedBy: string | null; at: string }): Promise<RiskSummary>;
  recordAgenda(input: { cycleId: string; period: string; agenda: AgendaItem[] }): Promise<void>;
  recordMeetingMinutes(input: { cycleId: string; period: string; minutes: MeetingMinutes; decidedBy: string | null; at: string }): Promise<void>;
  /**
   * When `period` ends a quarter (and a year): each unit's evaluation over it, computed from the
   * months' KPIs, milestones and spend with the plan's weights, stored as drafts; a retry finds them.
   */
  prepareEvaluations(input: { cycleId: string; version: number; period: string }): Promise<{ span: string; kind: 'quarter' | 'year'; units: UnitEvaluation[] }[]>;
  /** Signs off a span's evaluations with the office's adjustments; signed off, they are frozen. */
  signOffEvaluations(input: { cycleId: string; span: string; signOff: EvaluationSignOff; decidedBy: string | null; at: string }): Promise<void>;
}
