import { addMonths, formatPeriod, isPeriod, parsePeriod } from './calendar';
import type { ErrorDetail } from './errors';
import { KpiStatus } from './monitoring';
import type { PlanContent } from './plan';

export type {
  EvaluationSignOff,
  MeetingMinutesPayload,
  PlanBudgetLine,
  RaiseRiskRequest,
  ReportMilestonesRequest,
  ReportSpendRequest,
  RiskReviewPayload,
} from './controls.schema';

/**
 * The operating controls of the monthly loop, beside the KPIs (monitoring.ts): milestones
 * reported every month until done, the cost budget against actual spend, the risk register,
 * the units' evaluations each quarter and year, and the operations meeting's agenda. Periods
 * are calendar months written `YYYY-MM` (calendar.ts).
 */

/** Weights of the parts of a unit's evaluation; they add up to 1. */
export interface EvaluationWeights {
  kpis: number;
  milestones: number;
  budget: number;
}

/** The plan's `controls` section (controlsSchema), defaults filled. */
export interface PlanControls {
  /** Year-to-date spend up to this fraction over budget is still within it. */
  overspendTolerance: number;
  evaluationWeights: EvaluationWeights;
}

/** What a plan without a `controls` section gets: 5 % overspend tolerance, KPIs weigh 60 %. */
export const DEFAULT_CONTROLS: PlanControls = {
  overspendTolerance: 0.05,
  evaluationWeights: { kpis: 0.6, milestones: 0.2, budget: 0.2 },
};

/** A plan's controls, the defaults for a plan that names none. */
export function planControls(plan: Pick<PlanContent, 'controls'>): PlanControls {
  return plan.controls ?? DEFAULT_CONTROLS;
}

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));
}

/** Months since year 0: periods compare as numbers. */
function monthIndex(period: string): number {
  const { year, month } = parsePeriod(period);
  return year * 12 + month - 1;
}

type PathOf = (index: number, field: string) => string;

// ---- milestones ------------------------------------------------------------------------

// Persisted (reports, read model): do not rename.
export const MilestoneStatus = { Done: 'done', OnTrack: 'on_track', Late: 'late' } as const;
export type MilestoneStatus = (typeof MilestoneStatus)[keyof typeof MilestoneStatus];

/** A milestone as the monthly loop tracks it: who answers for it and by when. */
export interface TrackedMilestone {
  milestoneId: string;
  title: string;
  ownerUnitId: string;
  /** YYYY-MM */
  dueMonth: string;
  deliverable: string | null;
  initiativeId: string | null;
}

/**
 * Every milestone with its effective owner (its own, else its initiative's) and due month (its
 * own, else December of its year). One without a resolvable owner is left out: validatePlan
 * refuses such a plan, and a stored one has nobody to ask.
 */
export function trackedMilestones(plan: Pick<PlanContent, 'milestones' | 'initiatives'>): TrackedMilestone[] {
  const initiativeOwner = new Map(plan.initiatives.map((i) => [i.id, i.ownerUnitId]));
  return plan.milestones.flatMap((m) => {
    const ownerUnitId = m.ownerUnitId ?? (m.initiativeId ? initiativeOwner.get(m.initiativeId) : undefined);
    if (!ownerUnitId) return [];
    return [
      {
        milestoneId: m.id,
        title: m.title,
        ownerUnitId,
        dueMonth: m.dueMonth ?? formatPeriod({ year: m.year, month: 12 }),
        deliverable: m.deliverable ?? null,
        initiativeId: m.initiativeId ?? null,
      },
    ];
  });
}

/**
 * The milestones owners report on in `period`: those not yet `done` that are due this year or
 * earlier. A year's milestones are reported every month of the year, so a slip shows early;
 * an overdue one from an earlier year is reported until it is done.
 */
export function milestonesToReport(plan: Pick<PlanContent, 'milestones' | 'initiatives'>, period: string, done: ReadonlySet<string>): TrackedMilestone[] {
  const { year } = parsePeriod(period);
  return trackedMilestones(plan).filter((m) => !done.has(m.milestoneId) && parsePeriod(m.dueMonth).year <= year);
}

export interface MilestoneReport {
  milestoneId: string;
  status: MilestoneStatus;
  /** For a late milestone: when it will now be done (YYYY-MM, after the period reported). */
  newDueMonth?: string;
  reason?: string;
  note?: string;
}

/**
 * Checks a unit's milestone reports for `period` against the milestones to report: each known
 * and once; a late one with a new due month after the period and a reason; an overdue one (due
 * before the period) done or late, never on track. Paths `milestones.2.reason` by default.
 */
export function checkMilestoneReports(
  reports: MilestoneReport[],
  toReport: TrackedMilestone[],
  period: string,
  pathOf: PathOf = (i, field) => `milestones.${i}.${field}`,
): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const add = (i: number, field: string, message: string) => problems.push({ path: pathOf(i, field), message });
  const byId = new Map(toReport.map((m) => [m.milestoneId, m]));
  const now = monthIndex(period);
  const seen = new Set<string>();
  reports.forEach((report, i) => {
    const milestone = byId.get(report.milestoneId);
    if (!milestone) add(i, 'milestoneId', `no milestone ${report.milestoneId} is to be reported in ${period}`);
    if (seen.has(report.milestoneId)) add(i, 'milestoneId', `${report.milestoneId} appears twice`);
    seen.add(report.milestoneId);
    if (report.status === MilestoneStatus.Late) {
      if (!report.newDueMonth) add(i, 'newDueMonth', 'a late milestone needs a new due month');
      else if (!isPeriod(report.newDueMonth)) add(i, 'newDueMonth', 'must be a month, YYYY-MM');
      else if (monthIndex(report.newDueMonth) <= now) add(i, 'newDueMonth', `must be a month after ${period}`);
      if (!report.reason?.trim()) add(i, 'reason', 'a late milestone needs a reason');
    } else if (report.newDueMonth !== undefined) {
      add(i, 'newDueMonth', 'only a late milestone takes a new due month');
    }
    if (milestone && report.status === MilestoneStatus.OnTrack && monthIndex(milestone.dueMonth) < now) {
      add(i, 'status', `${milestone.milestoneId} was due in ${milestone.dueMonth}: it is overdue, so it is done or late, not on track`);
    }
  });
  return problems;
}

/**
 * Whether a milestone deviates in `period`: reported late, or not reported done when its due
 * month has come (one due this month and not done is late).
 */
export function milestoneDeviation(m: TrackedMilestone, report: MilestoneReport | undefined, period: string): boolean {
  if (report?.status === MilestoneStatus.Late) return true;
  if (report?.status === MilestoneStatus.Done) return false;
  return monthIndex(m.dueMonth) <= monthIndex(period);
}

// ---- budget ----------------------------------------------------------------------------

/** A budget line with its monthly phasing filled in. */
export interface BudgetLine {
  unitId: string;
  /** null: the unit's own running cost, outside its initiatives. */
  initiativeId: string | null;
  year: number;
  amount: number;
  /** Twelve monthly amounts. */
  phasing: number[];
}

const evenly = (amount: number) => Array.from({ length: 12 }, () => amount / 12);
const budgetKey = (line: { unitId: string; initiativeId?: string | null }) => `${line.unitId}/${line.initiativeId ?? '-'}`;

/**
 * The plan's budget lines, phased (evenly when the plan gives no phasing), and for every unit
 * allocation (unit, year) with no line at all, one unassigned line of the allocation's budget
 * spread evenly — so every unit with money has a budget to report spend against.
 */
export function budgetLines(plan: Pick<PlanContent, 'budget' | 'allocations'>): BudgetLine[] {
  // Plans stored before budgets existed have none.
  const planned = plan.budget ?? [];
  const lines: BudgetLine[] = planned.map((l) => ({
    unitId: l.unitId,
    initiativeId: l.initiativeId ?? null,
    year: l.year,
    amount: l.amount,
    phasing: l.phasing ? [...l.phasing] : evenly(l.amount),
  }));
  const covered = new Set(planned.map((l) => `${l.unitId}/${l.year}`));
  for (const a of plan.allocations) {
    if (covered.has(`${a.unitId}/${a.year}`)) continue;
    covered.add(`${a.unitId}/${a.year}`);
    lines.push({ unitId: a.unitId, initiativeId: null, year: a.year, amount: a.budget, phasing: evenly(a.budget) });
  }
  return lines;
}

/** The month's budget of every line of the period's year. */
export function monthBudget(plan: Pick<PlanContent, 'budget' | 'allocations'>, period: string): { unitId: string; initiativeId: string | null; budget: number }[] {
  const { year, month } = parsePeriod(period);
  return budgetLines(plan)
    .filter((l) => l.year === year)
    .map((l) => ({ unitId: l.unitId, initiativeId: l.initiativeId, budget: l.phasing[month - 1] }));
}

export interface SpendEntry {
  unitId: string;
  initiativeId: string | null;
  amount: number;
}

export const BudgetStatus = { Within: 'within', Overspent: 'overspent', Underspent: 'underspent', Missing: 'missing' } as const;
export type BudgetStatus = (typeof BudgetStatus)[keyof typeof BudgetStatus];

export interface BudgetVarianceLine {
  unitId: string;
  initiativeId: string | null;
  /** The month's budget. */
  budget: number;
  spent: number;
  /** spent − budget */
  variance: number;
  /** variance / budget; null when the budget is 0. */
  variancePct: number | null;
  ytdBudget: number;
  ytdSpent: number;
  /** (ytdSpent − ytdBudget) / ytdBudget; null when ytdBudget is 0. */
  ytdVariancePct: number | null;
  status: BudgetStatus;
}

/**
 * A status by year to date, so one lumpy month is not an alarm: overspent above
 * ytdBudget × (1 + tolerance) (any spend against no budget), underspent below
 * ytdBudget × (1 − 2 × tolerance) — money not spent is a plan slipping, but it is watched with
 * twice the slack — within otherwise (5 %: 90 %..105 % of the budget). Missing when nothing was
 * reported this month. Values at a bound (to 1e-6) are within.
 */
export function budgetStatus(ytdBudget: number, ytdSpent: number, tolerance: number, reported = true): BudgetStatus {
  if (!reported) return BudgetStatus.Missing;
  const over = ytdBudget * (1 + tolerance);
  const under = ytdBudget * (1 - 2 * tolerance);
  if (ytdSpent > over && !close(ytdSpent, over)) return BudgetStatus.Overspent;
  if (ytdSpent < under && !close(ytdSpent, under)) return BudgetStatus.Underspent;
  return BudgetStatus.Within;
}

function varianceLine(unitId: string, initiativeId: string | null, budget: number, spent: number, ytdBudget: number, ytdSpent: number, status: BudgetStatus): BudgetVarianceLine {
  return {
    unitId,
    initiativeId,
    budget,
    spent,
    variance: spent - budget,
    variancePct: budget === 0 ? null : (spent - budget) / budget,
    ytdBudget,
    ytdSpent,
    ytdVariancePct: ytdBudget === 0 ? null : (ytdSpent - ytdBudget) / ytdBudget,
    status,
  };
}

/**
 * The month's spend against the budget, one row per budget line of the period's year, then one
 * per unit/initiative that spent with no line (budget 0). `spentEarlierThisYear` holds the sums
 * of the year's earlier months. A line nobody reported this month is `missing` (report 0 to
 * say nothing was spent); otherwise its status is by year to date (budgetStatus).
 */
export function budgetVariance(
  plan: Pick<PlanContent, 'budget' | 'allocations'>,
  period: string,
  spentThisMonth: SpendEntry[],
  spentEarlierThisYear: SpendEntry[],
  tolerance: number,
): BudgetVarianceLine[] {
  const { year, month } = parsePeriod(period);
  const sums = (entries: SpendEntry[]) => {
    const map = new Map<string, number>();
    for (const e of entries) map.set(budgetKey(e), (map.get(budgetKey(e)) ?? 0) + e.amount);
    return map;
  };
  const now = sums(spentThisMonth);
  const before = sums(spentEarlierThisYear);
  const rows: BudgetVarianceLine[] = [];
  const budgeted = new Set<string>();
  for (const line of budgetLines(plan).filter((l) => l.year === year)) {
    const key = budgetKey(line);
    budgeted.add(key);
    const budget = line.phasing[month - 1];
    const ytdBudget = line.phasing.slice(0, month).reduce((a, b) => a + b, 0);
    const spent = now.get(key) ?? 0;
    const ytdSpent = (before.get(key) ?? 0) + spent;
    rows.push(varianceLine(line.unitId, line.initiativeId, budget, spent, ytdBudget, ytdSpent, budgetStatus(ytdBudget, ytdSpent, tolerance, now.has(key))));
  }
  for (const entry of [...spentThisMonth, ...spentEarlierThisYear]) {
    const key = budgetKey(entry);
    if (budgeted.has(key)) continue;
    budgeted.add(key);
    const spent = now.get(key) ?? 0;
    const ytdSpent = (before.get(key) ?? 0) + spent;
    rows.push(varianceLine(entry.unitId, entry.initiativeId, 0, spent, 0, ytdSpent, budgetStatus(0, ytdSpent, tolerance, now.has(key))));
  }
  return rows;
}

/**
 * Per unit (in the order units first appear) its rows summed, initiativeId null, the status
 * recomputed by budgetStatus: missing only when none of its lines was reported this month.
 */
export function unitBudgetTotals(lines: BudgetVarianceLine[], tolerance: number = DEFAULT_CONTROLS.overspendTolerance): BudgetVarianceLine[] {
  const units = new Map<string, BudgetVarianceLine[]>();
  for (const line of lines) units.set(line.unitId, [...(units.get(line.unitId) ?? []), line]);
  return [...units].map(([unitId, ofUnit]) => {
    const sum = (field: 'budget' | 'spent' | 'ytdBudget' | 'ytdSpent') => ofUnit.reduce((a, l) => a + l[field], 0);
    const reported = ofUnit.some((l) => l.status !== BudgetStatus.Missing);
    return varianceLine(unitId, null, sum('budget'), sum('spent'), sum('ytdBudget'), sum('ytdSpent'), budgetStatus(sum('ytdBudget'), sum('ytdSpent'), tolerance, reported));
  });
}

/**
 * Checks one unit's spend entries against its budget lines of the year: amounts not negative,
 * each initiative (or the unassigned line, initiativeId null) budgeted for the unit and named
 * once. Paths `entries.1.initiativeId` by default.
 */
export function checkSpend(
  entries: { initiativeId?: string | null; amount: number }[],
  lines: { initiativeId: string | null }[],
  pathOf: PathOf = (i, field) => `entries.${i}.${field}`,
): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const add = (i: number, field: string, message: string) => problems.push({ path: pathOf(i, field), message });
  const budgeted = new Set(lines.map((l) => l.initiativeId));
  const seen = new Set<string | null>();
  entries.forEach((entry, i) => {
    const initiativeId = entry.initiativeId ?? null;
    if (!Number.isFinite(entry.amount)) add(i, 'amount', 'must be a finite number');
    else if (entry.amount < 0) add(i, 'amount', 'must not be negative');
    if (!budgeted.has(initiativeId)) {
      add(i, 'initiativeId', initiativeId === null ? 'the unit has no budget outside its initiatives this year: name the initiative' : `initiative ${initiativeId} has no budget line of the unit this year`);
    }
    if (seen.has(initiativeId)) add(i, 'initiativeId', `${initiativeId ?? 'the unassigned line'} appears twice`);
    seen.add(initiativeId);
  });
  return problems;
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * One CSV row (`unit_id,initiative_id,amount`, header on line 1) into a spend entry, or its
 * problems named by line and column. An empty initiative_id is the unit's unassigned line.
 * Thousands separators are refused rather than guessed.
 */
export function parseSpendRow(row: Record<string, string | undefined>, line: number): { value?: SpendEntry; problems: ErrorDetail[] } {
  const problems: ErrorDetail[] = [];
  const unitId = (row['unit_id'] ?? '').trim();
  const initiativeId = (row['initiative_id'] ?? '').trim();
  const raw = (row['amount'] ?? '').trim();
  if (!unitId) problems.push({ path: `row ${line}.unit_id`, message: 'must not be empty' });
  else if (!UUID.test(unitId)) problems.push({ path: `row ${line}.unit_id`, message: 'must be a UUID' });
  if (!NUMBER.test(raw)) problems.push({ path: `row ${line}.amount`, message: raw === '' ? 'must not be empty' : `${JSON.stringify(raw)} is not a number` });
  else if (Number(raw) < 0) problems.push({ path: `row ${line}.amount`, message: 'must not be negative' });
  if (problems.length > 0) return { problems };
  return { value: { unitId, initiativeId: initiativeId || null, amount: Number(raw) }, problems };
}

// ---- risks -----------------------------------------------------------------------------

// Persisted (risk register): do not rename.
export const RiskCategory = {
  Strategic: 'strategic',
  Market: 'market',
  Financial: 'financial',
  Operational: 'operational',
  Compliance: 'compliance',
  Technology: 'technology',
  People: 'people',
  Other: 'other',
} as const;
export type RiskCategory = (typeof RiskCategory)[keyof typeof RiskCategory];

export const RiskResponse = { Avoid: 'avoid', Reduce: 'reduce', Transfer: 'transfer', Accept: 'accept' } as const;
export type RiskResponse = (typeof RiskResponse)[keyof typeof RiskResponse];

export const RiskLevel = { Low: 'low', Medium: 'medium', High: 'high', Critical: 'critical' } as const;
export type RiskLevel = (typeof RiskLevel)[keyof typeof RiskLevel];

/** Likelihood × impact, each rated 1..5 (whole numbers). */
export function riskScore(likelihood: number, impact: number): number {
  for (const [name, value] of [['likelihood', likelihood], ['impact', impact]] as const) {
    if (!Number.isInteger(value) || value < 1 || value > 5) throw new RangeError(`${name} must be a whole number 1..5, not ${value}`);
  }
  return likelihood * impact;
}

/**
 * The level of a risk by its score on the 5 × 5 matrix: ≤ 4 low, 5–9 medium, 10–16 high,
 * 20–25 critical (no product of 1..5 falls on 17–19).
 *
 *   likelihood 5 │ M  H  H  C  C
 *              4 │ L  M  H  H  C
 *              3 │ L  M  M  H  H
 *              2 │ L  L  M  M  H
 *              1 │ L  L  L  L  M
 *                └──────────────
 *           impact 1  2  3  4  5
 */
export function riskLevel(likelihood: number, impact: number): RiskLevel {
  const score = riskScore(likelihood, impact);
  if (score <= 4) return RiskLevel.Low;
  if (score <= 9) return RiskLevel.Medium;
  if (score <= 16) return RiskLevel.High;
  return RiskLevel.Critical;
}

/** High and critical risks go on the operations meeting's agenda. */
export function needsCommitteeAttention(level: RiskLevel): boolean {
  return level === RiskLevel.High || level === RiskLevel.Critical;
}

/** One assessment of a risk, as the register keeps its history. */
export interface RiskAssessment {
  likelihood: number;
  impact: number;
  level: RiskLevel;
  response: RiskResponse;
  note: string | null;
  assessedAt: string;
  assessedBy: string | null;
}

// ---- evaluations -----------------------------------------------------------------------

export interface Quarter {
  year: number;
  /** 1..4 */
  quarter: number;
}

export function quarterOf(period: string): Quarter {
  const { year, month } = parsePeriod(period);
  return { year, quarter: Math.ceil(month / 3) };
}

/** The three months of a quarter, in order. */
export function quarterMonths(year: number, quarter: number): string[] {
  if (!Number.isInteger(quarter) || quarter < 1 || quarter > 4) throw new RangeError(`quarter must be 1..4, not ${quarter}`);
  return [0, 1, 2].map((i) => formatPeriod(addMonths({ year, month: (quarter - 1) * 3 + 1 }, i)));
}

export function isQuarterEnd(period: string): boolean {
  return parsePeriod(period).month % 3 === 0;
}

export function isYearEnd(period: string): boolean {
  return parsePeriod(period).month === 12;
}

/** A span evaluated when `period` closes: its quarter when it ends one, and its year in December. */
export interface EvaluationSpan {
  /** `2027-Q1` or `2027`. */
  span: string;
  kind: 'quarter' | 'year';
  months: string[];
}

export function evaluationSpans(period: string): EvaluationSpan[] {
  if (!isQuarterEnd(period)) return [];
  const { year, quarter } = quarterOf(period);
  const spans: EvaluationSpan[] = [{ span: `${year}-Q${quarter}`, kind: 'quarter', months: quarterMonths(year, quarter) }];
  if (isYearEnd(period)) spans.push({ span: String(year), kind: 'year', months: [1, 2, 3, 4].flatMap((q) => quarterMonths(year, q)) });
  return spans;
}

/**
 * A unit's milestones due in a span, from the months' reports (`reports`: every report of the
 * cycle, any month): done on time when reported done in its due month or before; late when not.
 */
export function milestoneRecord(due: TrackedMilestone[], reports: { milestoneId: string; period: string; status: MilestoneStatus }[]): { due: number; doneOnTime: number; late: number } {
  const doneOnTime = due.filter((m) => reports.some((r) => r.milestoneId === m.milestoneId && r.status === MilestoneStatus.Done && r.period <= m.dueMonth)).length;
  return { due: due.length, doneOnTime, late: due.length - doneOnTime };
}

export interface UnitEvaluationInput {
  unitId: string;
  /** One attainment per KPI-month of the unit in the span (a missing actual counts 0). */
  kpiAttainments: number[];
  milestones: { due: number; doneOnTime: number; late: number };
  budget: { budget: number; spent: number };
}

export type Grade = 'A' | 'B' | 'C' | 'D';

export interface UnitEvaluation {
  unitId: string;
  /** Each part 0..100, one decimal; null when the unit had nothing of that kind. */
  kpiScore: number | null;
  milestoneScore: number | null;
  budgetScore: number | null;
  /** Weighted mean of the parts there are, one decimal. */
  score: number;
  grade: Grade;
}

const oneDecimal = (x: number) => Math.round(x * 10) / 10;

/** A ≥ 90, B ≥ 75, C ≥ 60, else D. */
export function gradeOf(score: number): Grade {
  if (score >= 90) return 'A';
  if (score >= 75) return 'B';
  if (score >= 60) return 'C';
  return 'D';
}

/** Whether a unit had anything to evaluate in the span (evaluateUnit scores one that had not 0). */
export function isEvaluable(input: UnitEvaluationInput): boolean {
  return input.kpiAttainments.length > 0 || input.milestones.due > 0 || input.budget.budget > 0 || input.budget.spent > 0;
}

/**
 * A unit's evaluation over a quarter or a year.
 * - KPIs: the mean attainment, each capped at 1 (and floored at 0), × 100 — beating one target
 *   does not make up for missing another.
 * - Milestones: done on time / due × 100.
 * - Budget: 100 while spent ≤ budget, falling linearly to 0 at 50 % over (any spend against no
 *   budget is 0).
 * The score is the mean of the parts there are, weighted by `weights` renormalised over them
 * (plainly when their weights are all 0), rounded to one decimal; the grade is of the rounded
 * score. A unit with no part at all scores 0 (D): see isEvaluable.
 */
export function evaluateUnit(input: UnitEvaluationInput, weights: EvaluationWeights): UnitEvaluation {
  const capped = (a: number) => (Number.isNaN(a) ? 0 : Math.min(1, Math.max(0, a)));
  const kpi = input.kpiAttainments.length === 0 ? null : (100 * input.kpiAttainments.reduce((sum, a) => sum + capped(a), 0)) / input.kpiAttainments.length;
  const { due, doneOnTime } = input.milestones;
  const milestone = due > 0 ? (100 * Math.min(doneOnTime, due)) / due : null;
  const { budget, spent } = input.budget;
  let money: number | null = null;
  if (budget > 0) money = spent <= budget ? 100 : Math.max(0, 100 * (1 - (spent - budget) / budget / 0.5));
  else if (spent > 0) money = 0;

  const parts = [
    [kpi, weights.kpis],
    [milestone, weights.milestones],
    [money, weights.budget],
  ].filter((p): p is [number, number] => p[0] !== null);
  const totalWeight = parts.reduce((sum, [, w]) => sum + w, 0);
  let score = 0;
  if (parts.length > 0) {
    score = totalWeight > 0 ? parts.reduce((sum, [s, w]) => sum + s * w, 0) / totalWeight : parts.reduce((sum, [s]) => sum + s, 0) / parts.length;
  }
  const rounded = oneDecimal(score);
  return {
    unitId: input.unitId,
    kpiScore: kpi === null ? null : oneDecimal(kpi),
    milestoneScore: milestone === null ? null : oneDecimal(milestone),
    budgetScore: money === null ? null : oneDecimal(money),
    score: rounded,
    grade: gradeOf(rounded),
  };
}

// ---- the operations meeting ------------------------------------------------------------

// Persisted (agenda item ids, minutes): do not rename.
export const AgendaItemKind = { Kpi: 'kpi', Milestone: 'milestone', Budget: 'budget', Risk: 'risk', Action: 'action' } as const;
export type AgendaItemKind = (typeof AgendaItemKind)[keyof typeof AgendaItemKind];

export interface AgendaItem {
  /** `${kind}:${ref}`: stable across the month, so minutes name it. */
  id: string;
  kind: AgendaItemKind;
  /** The KPI, milestone, risk or task id; for budget `unitId/initiativeId` (`-` for none). */
  ref: string;
  title: string;
  ownerUnitId: string | null;
  detail: string;
}

export interface MeetingAgendaInput {
  kpis: { kpiId: string; name: string; ownerUnitId: string | null; status: KpiStatus; actual: number | null; target: number; unit: string }[];
  milestones: { milestoneId: string; title: string; ownerUnitId: string | null; late: boolean; newDueMonth?: string | null }[];
  budget: BudgetVarianceLine[];
  risks: { riskId: string; title: string; ownerUnitId: string | null; level: RiskLevel }[];
  actions: { taskId: string; what: string; ownerUnitId: string | null; dueAt: string; overdue: boolean }[];
}

const figure = (n: number) => String(Math.round(n * 100) / 100);
const percent = (ratio: number) => `${ratio >= 0 ? '+' : ''}${figure(ratio * 100)} %`;

/**
 * The operations meeting's agenda: what needs a decision, in this order — off-track KPIs, late
 * milestones, overspent budget lines, high and critical risks, overdue open actions. Each item
 * once. Titles are English; the report renders labels by locale.
 */
export function meetingAgenda(input: MeetingAgendaInput): AgendaItem[] {
  const items: AgendaItem[] = [];
  const seen = new Set<string>();
  const add = (kind: AgendaItemKind, ref: string, title: string, ownerUnitId: string | null, detail: string) => {
    const id = `${kind}:${ref}`;
    if (seen.has(id)) return;
    seen.add(id);
    items.push({ id, kind, ref, title, ownerUnitId, detail });
  };
  for (const k of input.kpis.filter((k) => k.status === KpiStatus.OffTrack)) {
    add(AgendaItemKind.Kpi, k.kpiId, `KPI off track: ${k.name}`, k.ownerUnitId, `actual ${k.actual === null ? '—' : `${figure(k.actual)} ${k.unit}`} against a target of ${figure(k.target)} ${k.unit}`);
  }
  for (const m of input.milestones.filter((m) => m.late)) {
    add(AgendaItemKind.Milestone, m.milestoneId, `Milestone late: ${m.title}`, m.ownerUnitId, m.newDueMonth ? `now due ${m.newDueMonth}` : 'late, no new due month');
  }
  for (const b of input.budget.filter((b) => b.status === BudgetStatus.Overspent)) {
    const pct = b.ytdVariancePct === null ? 'against no budget' : percent(b.ytdVariancePct);
    add(AgendaItemKind.Budget, budgetKey(b), `Budget overspent${b.initiativeId ? `: ${b.initiativeId}` : ''}`, b.unitId, `spent ${figure(b.ytdSpent)} of ${figure(b.ytdBudget)} this year to date (${pct})`);
  }
  for (const r of input.risks.filter((r) => needsCommitteeAttention(r.level))) {
    add(AgendaItemKind.Risk, r.riskId, `Risk ${r.level}: ${r.title}`, r.ownerUnitId, `level ${r.level}`);
  }
  for (const a of input.actions.filter((a) => a.overdue)) {
    add(AgendaItemKind.Action, a.taskId, `Action overdue: ${a.what}`, a.ownerUnitId, `was due ${a.dueAt}`);
  }
  return items;
}

export interface MeetingMinutes {
  items: { itemId: string; minutes: string; decisions: { what: string; ownerUnitId: string; dueAt: string }[] }[];
  attendees?: string[];
  summary?: string;
}

/**
 * Checks the meeting's minutes against its agenda: every agenda item minuted, once; no item
 * that is not on it; minutes not blank; each decision due at a valid date and time.
 */
export function checkMinutes(minutes: MeetingMinutes, agenda: AgendaItem[]): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const onAgenda = new Set(agenda.map((a) => a.id));
  const seen = new Set<string>();
  minutes.items.forEach((item, i) => {
    if (!onAgenda.has(item.itemId)) problems.push({ path: `items.${i}.itemId`, message: `no agenda item ${item.itemId}` });
    else if (seen.has(item.itemId)) problems.push({ path: `items.${i}.itemId`, message: `${item.itemId} appears twice` });
    seen.add(item.itemId);
    if (!item.minutes.trim()) problems.push({ path: `items.${i}.minutes`, message: 'must not be empty' });
    item.decisions.forEach((d, j) => {
      if (Number.isNaN(Date.parse(d.dueAt))) problems.push({ path: `items.${i}.decisions.${j}.dueAt`, message: `${JSON.stringify(d.dueAt)} is not a date and time` });
    });
  });
  for (const a of agenda) {
    if (!seen.has(a.id)) problems.push({ path: 'items', message: `agenda item ${a.id} has no minutes` });
  }
  return problems;
}
