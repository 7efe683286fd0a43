import {
  addMonths,
  adjustmentOpensAt,
  freshDueAt,
  manualAdjustmentYear,
  monthReviewClosed,
  monthWindow,
  nextAutoAdjustmentYear,
  formatPeriod,
  horizonPeriods,
  inHorizon,
  isPeriod,
  parsePeriod,
  periodStartUtc,
  planYears,
  UTC_WEEKDAYS,
  businessMonthWindow,
  isTimeZone,
  isWorkingDate,
  localDateOf,
  nthWorkingDayEnd,
  nthWorkingDayEndUtc,
  periodStartIn,
  startOfLocalDay,
  workingDayEscalation,
  workingDaysAfter,
  workingDaysBefore,
  type BusinessCalendar,
} from './calendar';

describe('periods', () => {
  it.each([
    ['2027-01', { year: 2027, month: 1 }],
    ['2029-12', { year: 2029, month: 12 }],
  ])('parses %s and formats it back', (text, period) => {
    expect(parsePeriod(text)).toEqual(period);
    expect(formatPeriod(period)).toBe(text);
  });

  it.each(['2027-13', '2027-00', '2027-1', '27-01', '2027/01', ''])('rejects %j', (text) => {
    expect(isPeriod(text)).toBe(false);
    expect(() => parsePeriod(text)).toThrow(RangeError);
  });

  it.each([
    [{ year: 2027, month: 1 }, 1, '2027-02'],
    [{ year: 2027, month: 12 }, 1, '2028-01'],
    [{ year: 2027, month: 1 }, -1, '2026-12'],
    [{ year: 2027, month: 6 }, 30, '2029-12'],
    [{ year: 2027, month: 6 }, -18, '2025-12'],
  ])('adds months across year ends: %o + %i = %s', (period, count, expected) => {
    expect(formatPeriod(addMonths(period, count))).toBe(expected);
  });

  it('starts a period at midnight UTC of its first day', () => {
    expect(new Date(periodStartUtc({ year: 2028, month: 2 })).toISOString()).toBe('2028-02-01T00:00:00.000Z');
  });
});

describe('horizon', () => {
  it('lists the plan years of a three-year horizon', () => {
    expect(planYears(2027, 3)).toEqual([2027, 2028, 2029]);
  });

  it('has 36 consecutive months from January of the start year', () => {
    const periods = horizonPeriods(2027, 3).map(formatPeriod);
    expect(periods).toHaveLength(36);
    expect(periods[0]).toBe('2027-01');
    expect(periods[35]).toBe('2029-12');
    expect(new Set(periods).size).toBe(36);
  });

  it('knows which months fall inside it', () => {
    expect(inHorizon({ year: 2026, month: 12 }, 2027, 3)).toBe(false);
    expect(inHorizon({ year: 2027, month: 1 }, 2027, 3)).toBe(true);
    expect(inHorizon({ year: 2029, month: 12 }, 2027, 3)).toBe(true);
    expect(inHorizon({ year: 2030, month: 1 }, 2027, 3)).toBe(false);
  });
});

describe('months opened late', () => {
  const at = (iso: string) => Date.parse(iso);
  it('keeps the regular window of a month opened as it ends: actuals by the 5th working day, closed at the end of the next month', () => {
    const window = monthWindow({ year: 2026, month: 10 }, at('2026-11-01T00:00:00Z'), 5);
    expect(new Date(window.actualsDueAt).toISOString()).toBe('2026-11-07T00:00:00.000Z');
    expect(new Date(window.closesAt).toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(window.late).toBe(false);
  });

  it('gives a month opened after its due date five fresh days, and two weeks after them before it closes', () => {
    const window = monthWindow({ year: 2026, month: 10 }, at('2026-11-24T12:00:00Z'), 5);
    expect(new Date(window.actualsDueAt).toISOString()).toBe('2026-11-29T12:00:00.000Z');
    expect(new Date(window.closesAt).toISOString()).toBe('2026-12-13T12:00:00.000Z');
    expect(window.late).toBe(true);
  });

  it('never moves a due date that is still ahead', () => {
    expect(freshDueAt(at('2026-12-01T00:00:00Z'), at('2026-11-24T00:00:00Z'))).toBe(at('2026-12-01T00:00:00Z'));
    expect(freshDueAt(at('2026-11-01T00:00:00Z'), at('2026-11-24T00:00:00Z'))).toBe(at('2026-11-29T00:00:00Z'));
  });

  it('calls a month past once its regular review has closed', () => {
    expect(monthReviewClosed({ year: 2026, month: 9 }, at('2026-11-20T00:00:00Z'))).toBe(true);
    expect(monthReviewClosed({ year: 2026, month: 10 }, at('2026-11-20T00:00:00Z'))).toBe(false);
  });
});

describe('which year a rolling adjustment rolls to', () => {
  const at = (iso: string) => Date.parse(iso);
  it('opens two months before the plan year by default', () => {
    expect(new Date(adjustmentOpensAt(2027, 2)).toISOString()).toBe('2026-11-01T00:00:00.000Z');
  });

  it.each([
    ['a plan approved in December before its first year', '2025-12-10T00:00:00Z', 2027],
    ['a plan approved in March of its first year', '2026-03-10T00:00:00Z', 2027],
    ['a plan approved in October, before the adjustment opens', '2026-10-20T00:00:00Z', 2027],
    ['a plan approved in November of its first year: not rolled again at once', '2026-11-20T00:00:00Z', 2028],
  ])('rolls %s (2026–2028) to the right year', (_, approvedAt, year) => {
    expect(nextAutoAdjustmentYear(2026, at(approvedAt), 2)).toBe(year);
  });

  it('rolls the next year when the approval time is unknown (cycles recorded before it was kept)', () => {
    expect(nextAutoAdjustmentYear(2026, undefined, 2)).toBe(2027);
  });

  it('opened by hand, rolls to the next plan year that has not come within the lead time', () => {
    expect(manualAdjustmentYear(2026, at('2026-09-01T00:00:00Z'), 2)).toBe(2027);
    expect(manualAdjustmentYear(2026, at('2027-02-01T00:00:00Z'), 2)).toBe(2027);
    expect(manualAdjustmentYear(2025, at('2026-11-24T00:00:00Z'), 2)).toBe(2027);
  });
});

// Mainland China 2025–2026 as the State Council announced them (the chinese-days package carries the same).
const CN: BusinessCalendar = {
  timeZone: 'Asia/Shanghai',
  holidays: [
    ...['2025-10-01', '2025-10-02', '2025-10-03', '2025-10-04', '2025-10-05', '2025-10-06', '2025-10-07', '2025-10-08'],
    ...['2026-01-01', '2026-01-02', '2026-01-03'],
    ...['2026-02-15', '2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20', '2026-02-21', '2026-02-22', '2026-02-23'],
    ...['2026-10-01', '2026-10-02', '2026-10-03', '2026-10-04', '2026-10-05', '2026-10-06', '2026-10-07'],
  ],
  workdays: ['2025-09-28', '2025-10-11', '2026-01-04', '2026-02-14', '2026-02-28', '2026-09-20', '2026-10-10'],
};

describe('the business calendar', () => {
  it.each([
    ['a weekday', '2026-03-03', true],
    ['a Saturday', '2026-03-07', false],
    ['Spring Festival on a Tuesday', '2026-02-17', false],
    ['the make-up Saturday before Spring Festival', '2026-02-14', true],
    ['National Day on a Thursday', '2026-10-01', false],
    ['the make-up Saturday after National Day', '2026-10-10', true],
  ])('%s (%s) is a working day: %s', (_, date, working) => {
    expect(isWorkingDate(date, CN)).toBe(working);
  });

  it.each([
    // Jan 2026: 1–3 off, Sunday the 4th worked: 4, 5, 6, 7, 8.
    ['the 5th of January 2026 (New Year, a make-up Sunday)', '2026-01', 5, '2026-01-08T16:00:00.000Z'],
    // Feb 2026: 2–6, 9–13, Saturday 14 worked, 15–23 off, then the 24th.
    ['the 5th of February 2026', '2026-02', 5, '2026-02-06T16:00:00.000Z'],
    ['the 11th of February 2026 is the make-up Saturday', '2026-02', 11, '2026-02-14T16:00:00.000Z'],
    ['the 12th of February 2026 is the first day after Spring Festival', '2026-02', 12, '2026-02-24T16:00:00.000Z'],
    // Oct 2025: 1–8 off, 9, 10, Saturday 11 worked, 13, 14.
    ['the 5th of October 2025 (National Day and Mid-Autumn)', '2025-10', 5, '2025-10-14T16:00:00.000Z'],
    // Oct 2026: 1–7 off, 8, 9, Saturday 10 worked, 12, 13.
    ['the 5th of October 2026', '2026-10', 5, '2026-10-13T16:00:00.000Z'],
    ['the 1st of March 2026 (a Sunday) is Monday the 2nd', '2026-03', 1, '2026-03-02T16:00:00.000Z'],
  ])('%s ends at Beijing midnight', (_, period, n, end) => {
    expect(new Date(nthWorkingDayEnd(parsePeriod(period), n, CN)).toISOString()).toBe(end);
  });

  it('without holidays and in UTC it is the rule cycles before the calendar used', () => {
    for (const period of ['2026-01', '2026-02', '2026-10', '2027-05']) {
      for (const n of [1, 5, 10, 20]) expect(nthWorkingDayEnd(parsePeriod(period), n, UTC_WEEKDAYS)).toBe(nthWorkingDayEndUtc(parsePeriod(period), n));
    }
  });

  it.each([
    ['a Friday before Spring Festival, 5 working days on', '2026-02-13T02:00:00.000Z', 5, '2026-02-27T16:00:00.000Z'],
    ['the eve of National Day, 3 working days on', '2026-09-30T09:00:00.000Z', 3, '2026-10-10T16:00:00.000Z'],
    ['late on a Friday in Beijing (still Friday in UTC)', '2026-03-06T15:30:00.000Z', 1, '2026-03-09T16:00:00.000Z'],
  ])('%s', (_, from, n, end) => {
    expect(new Date(workingDaysAfter(Date.parse(from), n, CN)).toISOString()).toBe(end);
  });

  it('reminds on the last working days before a due date, skipping the holiday', () => {
    const due = Date.parse('2026-02-24T16:00:00.000Z'); // the end of the 24th, the first day back
    expect(new Date(workingDaysBefore(due, 1, CN)).toISOString()).toBe('2026-02-23T16:00:00.000Z');
    expect(new Date(workingDaysBefore(due, 2, CN)).toISOString()).toBe('2026-02-13T16:00:00.000Z');
  });

  it('escalates three working days after a due date on the eve of National Day', () => {
    const due = Date.parse('2026-09-30T16:00:00.000Z'); // end of 30 September, Beijing
    const { remindBeforeMs, graceMs } = workingDayEscalation(due, [1], 3, CN);
    expect(remindBeforeMs).toEqual([24 * 3_600_000]);
    // 8, 9 and the make-up Saturday the 10th: escalated at the end of the 10th.
    expect(new Date(due + graceMs).toISOString()).toBe('2026-10-10T16:00:00.000Z');
  });

  it.each([
    ['Asia/Shanghai', '2026-03', '2026-02-28T16:00:00.000Z'],
    ['UTC', '2026-03', '2026-03-01T00:00:00.000Z'],
    ['America/New_York', '2026-03', '2026-03-01T05:00:00.000Z'],
    ['America/New_York', '2026-04', '2026-04-01T04:00:00.000Z'],
  ])('a period starts at local midnight in %s (%s)', (zone, period, start) => {
    expect(new Date(periodStartIn(parsePeriod(period), zone)).toISOString()).toBe(start);
  });

  it('finds local midnight on the day daylight saving starts and the local date of an instant', () => {
    expect(new Date(startOfLocalDay('2026-03-08', 'America/New_York')).toISOString()).toBe('2026-03-08T05:00:00.000Z');
    expect(new Date(startOfLocalDay('2026-11-01', 'America/New_York')).toISOString()).toBe('2026-11-01T04:00:00.000Z');
    expect(localDateOf(Date.parse('2026-02-14T16:30:00Z'), 'Asia/Shanghai')).toBe('2026-02-15');
    expect(isTimeZone('Asia/Shanghai')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });

  it('gives a month opened after its due date five working days and two weeks more', () => {
    const now = Date.parse('2026-02-13T02:00:00.000Z');
    const window = businessMonthWindow(parsePeriod('2025-12'), now, 5, CN);
    expect(window.late).toBe(true);
    expect(new Date(window.actualsDueAt).toISOString()).toBe('2026-02-27T16:00:00.000Z');
    expect(window.closesAt).toBe(window.actualsDueAt + 14 * 86_400_000);
    const regular = businessMonthWindow(parsePeriod('2026-01'), Date.parse('2026-02-01T00:00:00.000Z'), 5, CN);
    expect(regular).toEqual({ actualsDueAt: Date.parse('2026-02-06T16:00:00.000Z'), closesAt: Date.parse('2026-02-28T16:00:00.000Z'), late: false });
  });
});
