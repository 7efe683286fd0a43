import i18n from './i18n';

/**
 * The organization's time zone: due dates and times are shown as the planning office reads them,
 * wherever the browser is. Build-time setting until the API serves the business calendar.
 */
export const ORG_TIME_ZONE: string = import.meta.env.VITE_ORG_TIME_ZONE ?? 'Asia/Shanghai';

const cache = new Map<string, Intl.DateTimeFormat>();
function formatter(kind: 'dateTime' | 'date' | 'month'): Intl.DateTimeFormat {
  const key = `${i18n.language}|${kind}`;
  let format = cache.get(key);
  if (!format) {
    const options: Intl.DateTimeFormatOptions =
      kind === 'dateTime' ? { dateStyle: 'medium', timeStyle: 'short' } : kind === 'date' ? { dateStyle: 'medium' } : { year: 'numeric', month: 'long' };
    format = new Intl.DateTimeFormat(i18n.language, { ...options, timeZone: ORG_TIME_ZONE });
    cache.set(key, format);
  }
  return format;
}

export const formatDateTime = (iso: string | null | undefined) => (iso ? formatter('dateTime').format(new Date(iso)) : '');
export const formatDate = (iso: string | null | undefined) => (iso ? formatter('date').format(new Date(iso)) : '');
/** `2027-03` as the locale writes a month. */
export const formatPeriod = (period: string) => formatter('month').format(new Date(`${period}-15T00:00:00Z`));
export const formatNumber = (value: number) => new Intl.NumberFormat(i18n.language, { maximumFractionDigits: 2 }).format(value);

/** The UTC offset of the organization's zone on a day, e.g. `+08:00`. */
function offsetOn(day: string): string {
  const name = new Intl.DateTimeFormat('en-US', { timeZone: ORG_TIME_ZONE, timeZoneName: 'longOffset' })
    .formatToParts(new Date(`${day}T12:00:00Z`))
    .find((p) => p.type === 'timeZoneName')?.value;
  const offset = name?.replace('GMT', '') ?? '';
  return offset === '' ? 'Z' : offset;
}

/** A day picked in a form (YYYY-MM-DD) as the end of that business day in the organization's zone. */
export const endOfBusinessDay = (day: string) => `${day}T18:00:00${offsetOn(day)}`;

/** Whether a due time has passed. */
export const isPast = (iso: string) => Date.parse(iso) < Date.now();
