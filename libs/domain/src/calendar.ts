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

// ---- the business calendar ------------------------------------------------------------

/**
 * The organization's working calendar as a workflow carries it: its time zone, and the dates
 * (YYYY-MM-DD, local) that break the Monday-to-Friday rule — public holidays on weekdays and
 * make-up working days (调休) on weekends. The worker builds it from a maintained data package
 * plus the planning office's own entries (libs/db/src/business-calendar.ts); a workflow fixes
 * every due date from the snapshot it was given, so a later edit moves only dates not yet fixed.
 */
export interface BusinessCalendar {
  timeZone: string;
  holidays: string[];
  workdays: string[];
}

/** Weekdays in UTC, nothing else: the calendar of cycles started before the business calendar. */
export const UTC_WEEKDAYS: BusinessCalendar = { timeZone: 'UTC', holidays: [], workdays: [] };

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Whether `timeZone` is an IANA zone this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

function wallClock(ms: number, timeZone: string): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(ms))) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour, minute: parts.minute, second: parts.second };
}

/** The zone's offset from UTC at instant `ms`, in milliseconds (Asia/Shanghai: +8 h). */
function offsetAt(ms: number, timeZone: string): number {
  const w = wallClock(ms, timeZone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - (ms - (((ms % 1000) + 1000) % 1000));
}

function parseDate(date: string): { year: number; month: number; day: number } {
  const match = DATE_PATTERN.exec(date);
  if (!match) throw new RangeError(`not a date (YYYY-MM-DD): ${JSON.stringify(date)}`);
  return { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
}

/** `date` moved by `days` calendar days. */
export function shiftDate(date: string, days: number): string {
  const { year, month, day } = parseDate(date);
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}

/** The local date (YYYY-MM-DD) of instant `ms` in `timeZone`. */
export function localDateOf(ms: number, timeZone: string): string {
  const w = wallClock(ms, timeZone);
  return `${String(w.year).padStart(4, '0')}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')}`;
}

/** The first instant of local date `date` in `timeZone` (its midnight). */
export function startOfLocalDay(date: string, timeZone: string): number {
  const { year, month, day } = parseDate(date);
  const wall = Date.UTC(year, month - 1, day);
  // The offset before midnight may differ from the one after it (a DST change): try both.
  const first = wall - offsetAt(wall, timeZone);
  const second = wall - offsetAt(first, timeZone);
  return localDateOf(second, timeZone) === date ? second : first;
}

/** The first instant of a period in `timeZone`. */
export function periodStartIn(period: Period, timeZone: string): number {
  return startOfLocalDay(`${formatPeriod(period)}-01`, timeZone);
}

/** Whether a local date is a working day: a weekday that is no holiday, or a make-up working day. */
export function isWorkingDate(date: string, calendar: BusinessCalendar): boolean {
  if (calendar.workdays.includes(date)) return true;
  if (calendar.holidays.includes(date)) return false;
  const { year, month, day } = parseDate(date);
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

/** The end (the next local midnight) of the `n`th working day of a period: "the 5th working day". */
export function nthWorkingDayEnd(period: Period, n: number, calendar: BusinessCalendar): number {
  if (!Number.isInteger(n) || n < 1 || n > 20) throw new RangeError(`working day must be 1..20, not ${n}`);
  let date = `${formatPeriod(period)}-01`;
  let count = isWorkingDate(date, calendar) ? 1 : 0;
  while (count < n) {
    date = shiftDate(date, 1);
    if (isWorkingDate(date, calendar)) count += 1;
  }
  return startOfLocalDay(shiftDate(date, 1), calendar.timeZone);
}

/** The end of the `n`th working day after the local day of `ms` (n ≥ 1): "within five working days". */
export function workingDaysAfter(ms: number, n: number, calendar: BusinessCalendar): number {
  let date = localDateOf(ms, calendar.timeZone);
  for (let count = 0; count < n; ) {
    date = shiftDate(date, 1);
    if (isWorkingDate(date, calendar)) count += 1;
  }
  return startOfLocalDay(shiftDate(date, 1), calendar.timeZone);
}

/**
 * When to remind about work due at `dueMs`, `n` working days ahead: the start of the `n`th
 * working day counting back from the day it is due (n = 1: the morning of the last working day).
 */
export function workingDaysBefore(dueMs: number, n: number, calendar: BusinessCalendar): number {
  let date = localDateOf(dueMs - 1, calendar.timeZone);
  let count = isWorkingDate(date, calendar) ? 1 : 0;
  while (count < n) {
    date = shiftDate(date, -1);
    if (isWorkingDate(date, calendar)) count += 1;
  }
  return startOfLocalDay(date, calendar.timeZone);
}

/**
 * A task's reminders and escalation in working days, as the task mechanism takes them (offsets
 * from the due time): remind at the start of each of `remindDays` working days before, escalate
 * at the end of the `graceDays`th working day after.
 */
export function workingDayEscalation(dueMs: number, remindDays: number[], graceDays: number, calendar: BusinessCalendar): { remindBeforeMs: number[]; graceMs: number } {
  return {
    remindBeforeMs: remindDays.map((n) => Math.max(0, dueMs - workingDaysBefore(dueMs, n, calendar))),
    graceMs: workingDaysAfter(dueMs - 1, graceDays, calendar) - dueMs,
  };
}

/**
 * The review window of a month in the organization's calendar: actuals due at the end of the
 * `workingDay`th working day of the following month, the month closing when the one after starts
 * (local time). A month opened after its due date gets five working days and two weeks more.
 */
export function businessMonthWindow(period: Period, nowMs: number, workingDay: number, calendar: BusinessCalendar): { actualsDueAt: number; closesAt: number; late: boolean } {
  const actualsDueAt = nthWorkingDayEnd(addMonths(period, 1), workingDay, calendar);
  const closesAt = periodStartIn(addMonths(period, 2), calendar.timeZone);
  if (actualsDueAt > nowMs) return { actualsDueAt, closesAt, late: false };
  const fresh = workingDaysAfter(nowMs, 5, calendar);
  return { actualsDueAt: fresh, closesAt: Math.max(closesAt, fresh + LATE_MONTH_REVIEW_MS), late: true };
}
