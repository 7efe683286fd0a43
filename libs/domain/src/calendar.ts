/**
 * Calendar maths of a planning horizon. Periods are calendar months written
 * `YYYY-MM`; a plan of horizon N starting in year Y covers Y-01 .. (Y+N-1)-12.
 */

const PERIOD_PATTERN = /^(\d{4})-(0[1-9]|1[0-2])$/;

export interface Period {
  year: number;
  /** 1..12 */
  month: number;
}

export function parsePeriod(text: string): Period {
  const match = PERIOD_PATTERN.exec(text);
  if (!match) throw new RangeError(`not a period (YYYY-MM): ${JSON.stringify(text)}`);
  return { year: Number(match[1]), month: Number(match[2]) };
}

export function formatPeriod({ year, month }: Period): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`;
}

export function isPeriod(text: string): boolean {
  return PERIOD_PATTERN.test(text);
}

/** The period `count` months after `period` (negative counts go back). */
export function addMonths(period: Period, count: number): Period {
  const index = period.year * 12 + (period.month - 1) + count;
  return { year: Math.floor(index / 12), month: (index % 12) + 1 };
}

/** The plan years of a horizon: startYear, startYear + 1, ... */
export function planYears(startYear: number, horizonYears: number): number[] {
  return Array.from({ length: horizonYears }, (_, i) => startYear + i);
}

/** Every month of a horizon, in order. */
export function horizonPeriods(startYear: number, horizonYears: number): Period[] {
  return Array.from({ length: horizonYears * 12 }, (_, i) => addMonths({ year: startYear, month: 1 }, i));
}

/** Whether `period` falls inside the horizon. */
export function inHorizon(period: Period, startYear: number, horizonYears: number): boolean {
  return period.year >= startYear && period.year < startYear + horizonYears;
}

/** Milliseconds since the epoch of the first instant of a period, in UTC. */
export function periodStartUtc({ year, month }: Period): number {
  return Date.UTC(year, month - 1, 1);
}

/** Whether a UTC day is a working day (Monday to Friday; public holidays are not modelled). */
function isWorkingDay(ms: number): boolean {
  const day = new Date(ms).getUTCDay();
  return day !== 0 && day !== 6;
}

/** The end (next midnight, UTC) of the `n`th working day of a period: a due time such as "the 5th working day". */
export function nthWorkingDayEndUtc(period: Period, n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > 20) throw new RangeError(`working day must be 1..20, not ${n}`);
  let day = periodStartUtc(period);
  let count = isWorkingDay(day) ? 1 : 0;
  while (count < n) {
    day += 86_400_000;
    if (isWorkingDay(day)) count += 1;
  }
  return day + 86_400_000;
}

const DAY_MS = 86_400_000;
/** Notice a person gets for work that reaches them after its due date had passed. */
export const FRESH_NOTICE_MS = 5 * DAY_MS;
/** Time between a late-opened month's actuals and its close, for analysis and causes. */
const LATE_MONTH_REVIEW_MS = 14 * DAY_MS;

/**
 * A due date for work opened at `nowMs`: the given one, or — when it had already passed —
 * a fresh one, so nobody is reminded or escalated over work they never had a chance to do.
 */
export function freshDueAt(dueAtMs: number, nowMs: number): number {
  return dueAtMs > nowMs ? dueAtMs : nowMs + FRESH_NOTICE_MS;
}

/**
 * The review window of a month opened at `nowMs`: actuals due by the `workingDay`th working day
 * of the following month, the month closing at the end of it. A month opened after its due date
 * (a late approval, a backfill) gets a fresh due date and two weeks after it before it closes.
 */
export function monthWindow(period: Period, nowMs: number, workingDay: number): { actualsDueAt: number; closesAt: number; late: boolean } {
  const actualsDueAt = nthWorkingDayEndUtc(addMonths(period, 1), workingDay);
  const closesAt = periodStartUtc(addMonths(period, 2));
  if (actualsDueAt > nowMs) return { actualsDueAt, closesAt, late: false };
  const fresh = freshDueAt(actualsDueAt, nowMs);
  return { actualsDueAt: fresh, closesAt: Math.max(closesAt, fresh + LATE_MONTH_REVIEW_MS), late: true };
}

/** Whether a month's regular review had already closed at `nowMs` (it is a past month). */
export function monthReviewClosed(period: Period, nowMs: number): boolean {
  return periodStartUtc(addMonths(period, 2)) <= nowMs;
}

/** When the automatic rolling adjustment for plan year `year` opens: `leadMonths` before it. */
export function adjustmentOpensAt(year: number, leadMonths: number): number {
  return periodStartUtc(addMonths({ year, month: 1 }, -leadMonths));
}

/**
 * The plan year the next automatic rolling adjustment rolls to, for a plan starting in
 * `latestStartYear` approved at `approvedAtMs`: the next year, unless that adjustment's opening
 * date came before the plan was even approved — a plan approved in November is not rolled again
 * at once; it is the year after.
 */
export function nextAutoAdjustmentYear(latestStartYear: number, approvedAtMs: number | undefined, leadMonths: number): number {
  let year = latestStartYear + 1;
  if (approvedAtMs !== undefined) while (adjustmentOpensAt(year, leadMonths) < approvedAtMs) year += 1;
  return year;
}

/**
 * The plan year a rolling adjustment opened by hand at `nowMs` rolls to: the next plan year,
 * and never one that will have started before the usual lead time is up.
 */
export function manualAdjustmentYear(latestStartYear: number, nowMs: number, leadMonths: number): number {
  const date = new Date(nowMs);
  const lead = addMonths({ year: date.getUTCFullYear(), month: date.getUTCMonth() + 1 }, leadMonths);
  return Math.max(latestStartYear + 1, lead.year);
}
