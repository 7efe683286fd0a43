import type { Period } from '@rollplan/domain/rules';
import type { CycleStatus } from './planning-cycle.messages';

type Schedule = NonNullable<CycleStatus['schedule']>;

/** The version whose targets apply to `period`: the last approved one in force by then. */
export function versionFor(schedule: Schedule, period: string): number {
  return schedule.filter((entry) => entry.from <= period).at(-1)?.version ?? schedule[0].version;
}

/** The newest approved plan (the first version of it: later changes keep its years). */
export function latestPlan(status: CycleStatus): Schedule[number] {
  return status.schedule!.reduce((a, b) => ((b.startYear ?? status.startYear) > (a.startYear ?? status.startYear) ? b : a));
}

/** First year of the newest approved plan; the next rolling adjustment rolls it on. */
export function latestStart(status: CycleStatus): number {
  return latestPlan(status).startYear ?? status.startYear;
}

/** Months have targets up to the last year of the newest approved plan. */
export function coveredUntil(status: CycleStatus): number {
  return latestStart(status) + status.horizonYears - 1;
}

/** The calendar month an instant falls in (UTC). */
export function periodOf(ms: number): Period {
  const date = new Date(ms);
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1 };
}
