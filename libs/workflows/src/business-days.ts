import { proxyActivities } from '@temporalio/workflow';
import { localDateOf, workingDayEscalation, workingDaysAfter, type Assignee, type BusinessCalendar, type EscalationPolicy } from '@rollplan/domain/rules';
import type { MonitoringActivities } from './activities';
import type { CycleSetup } from './planning-cycle.messages';

const { loadBusinessCalendar } = proxyActivities<MonitoringActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

const DAY = 86_400_000;

// Workflow code only. Module state is per execution: the calendar this execution loaded, and for which year.
let loaded: { year: number; calendar: BusinessCalendar } | undefined;

/**
 * The business calendar for due dates set now, in a cycle started with a time zone (v0.12):
 * loaded once a year of the execution (this year and the next), so a later edit of the calendar
 * moves only due dates not yet fixed. Undefined for cycles started before: they keep calendar days.
 */
export async function businessCalendar(setup: Pick<CycleSetup, 'timeZone'>): Promise<BusinessCalendar | undefined> {
  const { timeZone } = setup;
  if (!timeZone) return undefined;
  const year = Number(localDateOf(Date.now(), timeZone).slice(0, 4));
  if (loaded?.year !== year || loaded.calendar.timeZone !== timeZone) loaded = { year, calendar: await loadBusinessCalendar({ timeZone, years: [year, year + 1] }) };
  return loaded.calendar;
}

/** Due `days` from now: working days with a calendar, calendar days without. */
export function dueInDays(days: number, calendar: BusinessCalendar | undefined): string {
  return new Date(calendar ? workingDaysAfter(Date.now(), days, calendar) : Date.now() + days * DAY).toISOString();
}

/**
 * Reminders `remindDays` before the due date and escalation along `chain` every `graceDays` after
 * it: working days with a calendar (reminded on the mornings of the working days before, the
 * grace counted from the due day), calendar days without.
 */
export function escalationInDays(dueAt: string, remindDays: number[], graceDays: number, chain: Assignee[], calendar: BusinessCalendar | undefined): EscalationPolicy {
  if (!calendar) return { remindBeforeMs: remindDays.map((d) => d * DAY), chain, graceMs: graceDays * DAY };
  return { ...workingDayEscalation(Date.parse(dueAt), remindDays, graceDays, calendar), chain };
}
