import type { Period } from './calendar';
import type { ErrorDetail } from './errors';
import type { AgendaItem, BudgetVarianceLine, MeetingMinutes, MilestoneStatus, RiskLevel } from './controls';
import { KpiDirection, type Kpi, type PlanContent } from './plan';

export type { CauseAnalysis, CorrectiveAction, SubmitActualsRequest } from './monitoring.schema';

/**
 * The monthly loop (seed 000 monthly operating targets, seed 003 §三.四–五, seed 004): the
 * month's targets from the effective plan, actuals against them, a status per KPI by
 * thresholds, the trend over earlier months, and what owners say about off-track KPIs.
 */

/** Attainment bands: on track at ≥ onTrack of target, at risk down to atRisk, off track below. */
export interface Thresholds {
  onTrack: number;
  atRisk: number;
}
export const DEFAULT_THRESHOLDS: Thresholds = { onTrack: 0.95, atRisk: 0.85 };

export const KpiStatus = { OnTrack: 'on_track', AtRisk: 'at_risk', OffTrack: 'off_track', Missing: 'missing' } as const;
export type KpiStatus = (typeof KpiStatus)[keyof typeof KpiStatus];

export const Trend = { Improving: 'improving', Worsening: 'worsening', Stable: 'stable', New: 'new' } as const;
export type Trend = (typeof Trend)[keyof typeof Trend];

/** One KPI's target for one month, as the monthly execution carries it. */
export interface MonthTarget {
  kpiId: string;
  name: string;
  unit: string;
  direction: Kpi['direction'];
  ownerUnitId: string;
  target: number;
  thresholds: Thresholds;
}

/** The month's targets: every KPI with a target in the period's year, its monthly value. */
export function monthTargets(plan: PlanContent, period: Period): MonthTarget[] {
  return plan.kpis.flatMap((kpi) => {
    const yearly = kpi.targets.find((t) => t.year === period.year);
    if (!yearly) return [];
    return [
      {
        kpiId: kpi.id,
        name: kpi.name,
        unit: kpi.unit,
        direction: kpi.direction,
        ownerUnitId: kpi.ownerUnitId,
        target: yearly.monthly[period.month - 1],
        thresholds: kpi.thresholds ?? DEFAULT_THRESHOLDS,
      },
    ];
  });
}

/**
 * How much of the target was reached, whichever way is better: 1 is exactly on target.
 * Higher is better: actual / target; lower is better: target / actual. A zero target is met
 * (1) by any value on the right side of zero and missed (0) otherwise.
 */
export function attainment(direction: Kpi['direction'], target: number, actual: number): number {
  const higher = direction === KpiDirection.HigherIsBetter;
  if (target === 0) return (higher ? actual >= 0 : actual <= 0) ? 1 : 0;
  if (higher) return actual / target;
  if (actual === 0) return target > 0 ? Number.POSITIVE_INFINITY : 0;
  return target / actual;
}

export function statusOf(ratio: number, thresholds: Thresholds = DEFAULT_THRESHOLDS): KpiStatus {
  if (ratio >= thresholds.onTrack) return KpiStatus.OnTrack;
  if (ratio >= thresholds.atRisk) return KpiStatus.AtRisk;
  return KpiStatus.OffTrack;
}

/** Trend of attainment against the mean of up to three earlier months; ±2 points is stable. */
export function trendOf(earlier: number[], current: number): Trend {
  const recent = earlier.filter((v) => Number.isFinite(v)).slice(-3);
  if (recent.length === 0 || !Number.isFinite(current)) return Trend.New;
  const mean = recent.reduce((a, b) => a + b, 0) / recent.length;
  if (current - mean > 0.02) return Trend.Improving;
  if (mean - current > 0.02) return Trend.Worsening;
  return Trend.Stable;
}

export interface KpiEvaluation {
  kpiId: string;
  ownerUnitId: string;
  target: number;
  actual: number | null;
  /** actual − target. */
  variance: number | null;
  /** (actual − target) / |target|; null for a zero target or no actual. */
  variancePct: number | null;
  /** Whether the variance goes the KPI's better way (or is zero). */
  favourable: boolean | null;
  attainment: number | null;
  status: KpiStatus;
  trend: Trend;
}

/** One KPI's month: variance respecting its direction, status by its thresholds, trend over `earlier` attainments. */
export function evaluateKpi(target: MonthTarget, actual: number | undefined, earlier: number[] = []): KpiEvaluation {
  if (actual === undefined) {
    return { kpiId: target.kpiId, ownerUnitId: target.ownerUnitId, target: target.target, actual: null, variance: null, variancePct: null, favourable: null, attainment: null, status: KpiStatus.Missing, trend: Trend.New };
  }
  const variance = actual - target.target;
  const ratio = attainment(target.direction, target.target, actual);
  return {
    kpiId: target.kpiId,
    ownerUnitId: target.ownerUnitId,
    target: target.target,
    actual,
    variance,
    variancePct: target.target === 0 ? null : variance / Math.abs(target.target),
    favourable: target.direction === KpiDirection.HigherIsBetter ? variance >= 0 : variance <= 0,
    attainment: ratio,
    status: statusOf(ratio, target.thresholds),
    trend: trendOf(earlier, ratio),
  };
}

// ---- actuals ---------------------------------------------------------------------------

export interface ActualValue {
  kpiId: string;
  value: number;
}

/**
 * Checks actuals against the month's targets: known KPIs, each once, in the KPI's unit. `path`
 * names each problem (`values.2.unit`, or `row 3 unit` for a CSV file via `pathOf`).
 */
export function checkActuals(
  values: { kpiId: string; value: number; unit?: string }[],
  targets: MonthTarget[],
  pathOf: (index: number, field: string) => string = (i, field) => `values.${i}.${field}`,
): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const byId = new Map(targets.map((t) => [t.kpiId, t]));
  const seen = new Set<string>();
  values.forEach((v, i) => {
    const target = byId.get(v.kpiId);
    if (!target) problems.push({ path: pathOf(i, 'kpiId'), message: `no KPI ${v.kpiId} has a target this month` });
    else if (v.unit !== undefined && v.unit !== '' && v.unit !== target.unit) problems.push({ path: pathOf(i, 'unit'), message: `${v.kpiId} is measured in ${target.unit}, not ${v.unit}` });
    if (seen.has(v.kpiId)) problems.push({ path: pathOf(i, 'kpiId'), message: `${v.kpiId} appears twice` });
    seen.add(v.kpiId);
  });
  return problems;
}

/** KPIs among `values` the caller's unit does not own (an owner may only report its own). */
export function foreignKpis(values: { kpiId: string }[], targets: MonthTarget[], unitId: string | null | undefined): string[] {
  const owned = new Set(targets.filter((t) => t.ownerUnitId === unitId).map((t) => t.kpiId));
  return values.filter((v) => !owned.has(v.kpiId) && targets.some((t) => t.kpiId === v.kpiId)).map((v) => v.kpiId);
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * One CSV row (`kpi_id,value[,unit]`, header on line 1) into a value, or its problems named by
 * line and column. Thousands separators are refused rather than guessed.
 */
export function parseActualsRow(row: Record<string, string | undefined>, line: number): { value?: { kpiId: string; value: number; unit?: string }; problems: ErrorDetail[] } {
  const problems: ErrorDetail[] = [];
  const kpiId = (row['kpi_id'] ?? '').trim();
  const raw = (row['value'] ?? '').trim();
  const unit = (row['unit'] ?? '').trim();
  if (!kpiId) problems.push({ path: `row ${line}.kpi_id`, message: 'must not be empty' });
  if (!NUMBER.test(raw)) problems.push({ path: `row ${line}.value`, message: raw === '' ? 'must not be empty' : `${JSON.stringify(raw)} is not a number` });
  if (problems.length > 0) return { problems };
  return { value: { kpiId, value: Number(raw), ...(unit ? { unit } : {}) }, problems };
}

// ---- causes and actions ----------------------------------------------------------------

export const CauseCategory = {
  MarketChange: 'market_change',
  CompetitorAction: 'competitor_action',
  WeakExecution: 'weak_execution',
  PlanFlaw: 'plan_flaw',
  Other: 'other',
} as const;
export type CauseCategory = (typeof CauseCategory)[keyof typeof CauseCategory];

// ---- the monthly report ----------------------------------------------------------------

/** The month's summary for the operations meeting; the API serves it as JSON, a job renders it. */
export interface MonthlyReport {
  cycleId: string;
  cycleTitle: string;
  period: string;
  /** Plan version whose targets applied. */
  version: number;
  status: 'collecting' | 'analysed' | 'closed';
  generatedAt: string;
  kpis: {
    kpiId: string;
    name: string;
    unit: string;
    direction: Kpi['direction'];
    ownerUnit: string;
    target: number;
    actual: number | null;
    variance: number | null;
    variancePct: number | null;
    status: KpiStatus;
    trend: Trend;
  }[];
  /** One per deviation asked about: an off-track KPI, a late milestone or an overspend (which of them: kpiId, milestoneId or budgetUnit). */
  causes: { kpiId: string | null; milestoneId: string | null; budgetUnit: string | null; initiativeId: string | null; ownerUnit: string; category: CauseCategory | null; narrative: string | null; status: string }[];
  actions: { id: string; what: string; ownerUnit: string; dueAt: string; kpiId: string | null; initiativeId: string | null; riskId: string | null; meetingItem: string | null; status: string; fromPeriod: string }[];
  /** The implementation plan: each milestone asked about this month and its owner's word. */
  milestones: { milestoneId: string; title: string; ownerUnit: string; dueMonth: string; status: MilestoneStatus | 'not_reported'; newDueMonth: string | null; reason: string | null; late: boolean }[];
  /** Cost budget against spend, by unit and initiative; status by year to date. */
  budget: (Omit<BudgetVarianceLine, 'unitId'> & { unit: string })[];
  /** The risk register as it stands: open risks and those closed this month. */
  risks: { riskId: string; title: string; category: string; ownerUnit: string; likelihood: number; impact: number; level: RiskLevel; response: string; status: 'open' | 'closed'; committeeAttention: boolean }[];
  /** The operations meeting: its agenda from the analysis, and the minutes once recorded. */
  meeting: { agenda: AgendaItem[]; minutes: (MeetingMinutes & { recordedAt?: string }) | null };
  /** The units' evaluations over the quarter (and year) this month ends, drafts until signed off. */
  evaluations: { span: string; unit: string; kpiScore: number | null; milestoneScore: number | null; budgetScore: number | null; score: number; grade: string; adjustedScore: number | null; finalGrade: string | null; status: 'draft' | 'signed_off' }[];
  /** Names of the units the agenda and the minutes refer to by id. */
  units: Record<string, string>;
  decisions: { at: string; by: string | null; what: string }[];
}
