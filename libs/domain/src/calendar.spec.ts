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
