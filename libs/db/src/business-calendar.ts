import type { EntityManager } from 'typeorm';
import { Between } from 'typeorm';
import type { BusinessCalendar } from '@rollplan/domain';
import { CalendarEntryEntity, type CalendarEntryKind } from './entities/calendar.entity';

/**
 * Public holidays and make-up working days (调休) of mainland China, from the `chinese-days`
 * package (kept up to date from the State Council's notices), merged with the planning office's
 * own entries, which win: the next year's schedule is announced in November or December and
 * may be entered by hand before a package release carries it.
 */
const packaged = require('chinese-days/dist/chinese-days.json') as { holidays: Record<string, string>; workdays: Record<string, string> };

/** `English,中文,days` as the package writes a day's name. */
function packagedName(raw: string): { en: string; zh: string } {
  const [en = '', zh = ''] = raw.split(',');
  return { en, zh };
}

export type CalendarDaySource = 'package' | 'office';

export interface CalendarDay {
  date: string;
  kind: CalendarEntryKind;
  name: string;
  source: CalendarDaySource;
}

/** Years the data package knows. */
export const PACKAGED_YEARS: readonly number[] = [...new Set(Object.keys(packaged.holidays).map((d) => Number(d.slice(0, 4))))].sort((a, b) => a - b);

function packagedDays(year: number): CalendarDay[] {
  const days: CalendarDay[] = [];
  for (const [kind, table] of [['holiday', packaged.holidays], ['workday', packaged.workdays]] as const) {
    for (const [date, raw] of Object.entries(table)) {
      if (date.startsWith(`${year}-`)) {
        const { en, zh } = packagedName(raw);
        days.push({ date, kind, name: zh ? `${zh} ${en}` : en, source: 'package' });
      }
    }
  }
  return days;
}

/** Every exceptional day of `year`, the office's entries over the package's, in date order. */
export async function calendarDays(manager: EntityManager, year: number): Promise<CalendarDay[]> {
  const entries = await manager.find(CalendarEntryEntity, { where: { date: Between(`${year}-01-01`, `${year}-12-31`) } });
  const byDate = new Map(packagedDays(year).map((d) => [d.date, d]));
  for (const e of entries) byDate.set(e.date, { date: e.date, kind: e.kind, name: e.name, source: 'office' });
  return [...byDate.values()].sort((a, b) => a.date.localeCompare(b.date));
}

/** Whether anyone has said what `year`'s holidays are: the package, or the office's own entries. */
export async function calendarKnown(manager: EntityManager, year: number): Promise<boolean> {
  return PACKAGED_YEARS.includes(year) || (await manager.count(CalendarEntryEntity, { where: { date: Between(`${year}-01-01`, `${year}-12-31`) } })) > 0;
}

/** The calendar a workflow carries for `years` (usually this one and the next). */
export async function loadBusinessCalendar(manager: EntityManager, timeZone: string, years: number[]): Promise<BusinessCalendar> {
  const days = (await Promise.all(years.map((y) => calendarDays(manager, y)))).flat();
  return { timeZone, holidays: days.filter((d) => d.kind === 'holiday').map((d) => d.date), workdays: days.filter((d) => d.kind === 'workday').map((d) => d.date) };
}
