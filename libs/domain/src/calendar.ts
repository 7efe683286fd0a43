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
