import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Actor, AgendaItem, BudgetVarianceLine, BusinessCalendar, KpiEvaluation, MilestoneReport, MonthTarget, RaiseRiskRequest, SpendEntry, TrackedMilestone } from '@rollplan/domain/rules';
import type { RiskSummary } from './activities';
import type { TaskState } from './human-task.messages';

/** Input of one month's execution (`monthlyReview`, id `month-<cycleId>-<YYYY-MM>`). */
export interface MonthlyReviewInput {
  cycleId: string;
  /** YYYY-MM */
  period: string;
  /** Plan version whose targets apply. */
  version: number;
  targets: MonthTarget[];
  /** Attainments of earlier months per KPI, oldest first (for the trend). */
  earlier: Record<string, number[]>;
  actualsDueAt: string;
  closesAt: string;
  planningOfficeUnitId?: string;
  /** Causes and corrective actions still open at the end of the previous month. */
  carried: TaskState[];
  /** The business calendar when the month opened (absent before v0.12: calendar days, UTC): due dates, reminders and escalations in working days. */
  calendar?: BusinessCalendar;
  /** The code baseline it started from (CODE_BASELINE, names.ts); absent in executions started before v0.11. */
  baseline?: number;
}

export type PeriodPhase = 'collecting' | 'analysed' | 'closed';

export interface PeriodStatus {
  cycleId: string;
  period: string;
  version: number;
  phase: PeriodPhase;
  /** Frozen: closed early by the admin (reopened by an extension), or past its close time. */
  frozen: boolean;
  actualsDueAt: string;
  closesAt: string;
  targets: MonthTarget[];
  actuals: Record<string, number>;
  evaluations: KpiEvaluation[];
  closedEarly?: { at: string; by: string; reason?: string };
  extensions: { closesAt: string; at: string; by: string; reason: string }[];
  /** Milestones, spend, risks and the meeting (months opened since v0.12). */
  controls?: ControlsStatus;
}

/** The operating controls of a month as its execution holds them (operating-controls.ts). */
export interface ControlsStatus {
  milestones: TrackedMilestone[];
  milestoneReports: Record<string, MilestoneReport>;
  spendUnits: { unitId: string; initiativeIds: (string | null)[] }[];
  tolerance: number;
  spend: SpendEntry[];
  budget: BudgetVarianceLine[];
  risks: RiskSummary[];
  agenda: AgendaItem[];
}

export interface MonthlyReviewResult {
  period: string;
  evaluations: KpiEvaluation[];
  /** Tasks still open at the close: the next month takes them over. */
  open: TaskState[];
}

export type ActualsSource = 'api' | 'csv' | 'token';

export interface SubmitActualsInput {
  values: { kpiId: string; value: number; unit?: string }[];
  source: ActualsSource;
  /** For a CSV import: its id (the file's hash). */
  importId?: string;
  /** Set by the API (or the import job) from the caller's token. */
  actor: Actor;
}

// Message names are persisted: see names.ts.
export const periodStatusQuery = defineQuery<PeriodStatus>('periodStatus');
export const submitActualsUpdate = defineUpdate<PeriodStatus, [SubmitActualsInput]>('submitActuals');
/** The admin closes the period before its time: actuals are frozen, the month is analysed with what it has. */
export const closePeriodSignal = defineSignal<[{ actor: Actor; reason?: string }]>('closePeriod');
/** The admin moves the period's close (and unfreezes a period closed early). */
export const extendPeriodSignal = defineSignal<[{ closesAt: string; reason: string; actor: Actor }]>('extendPeriod');
// Since v0.9 the API closes and extends through these updates: their validators refuse a month
// already closed (or ended) and a close in the past, so the API answers what the workflow did.
// The signals stay for histories and senders from before.
export const closePeriodUpdate = defineUpdate<PeriodStatus, [{ actor: Actor; reason?: string }]>('closePeriodEarly');
export const extendPeriodUpdate = defineUpdate<PeriodStatus, [{ closesAt: string; reason: string; actor: Actor }]>('movePeriodClose');

export interface ReportSpendInput {
  unitId: string;
  entries: { initiativeId?: string | null; amount: number }[];
  source: ActualsSource;
  actor: Actor;
}
/** A unit's spend for the month against its cost budget (a correction replaces the earlier amount). */
export const reportSpendUpdate = defineUpdate<ControlsStatus, [ReportSpendInput]>('reportSpend');
/** Raises a risk in the register during the month now open; its owner reviews it from the next month on. */
export const raiseRiskUpdate = defineUpdate<RiskSummary, [{ risk: RaiseRiskRequest; actor: Actor }]>('raiseRisk');
