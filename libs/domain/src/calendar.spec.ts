import { addMonths, formatPeriod, horizonPeriods, inHorizon, isPeriod, parsePeriod, periodStartUtc, planYears } from './calendar';

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
