import { nthWorkingDayEndUtc } from './calendar';
import {
  DEFAULT_THRESHOLDS,
  attainment,
  checkActuals,
  evaluateKpi,
  foreignKpis,
  monthTargets,
  parseActualsRow,
  statusOf,
  trendOf,
  type MonthTarget,
} from './monitoring';
import { causeAnalysisSchema } from './monitoring.schema';
import type { PlanContent } from './plan';

const FINANCE = '00000000-0000-4000-8000-000000000001';
const CUSTOMER = '00000000-0000-4000-8000-000000000002';

const target = (overrides: Partial<MonthTarget> = {}): MonthTarget => ({
  kpiId: 'revenue',
  name: 'Revenue',
  unit: 'CNY m',
  direction: 'higher_is_better',
  ownerUnitId: FINANCE,
  target: 100,
  thresholds: DEFAULT_THRESHOLDS,
  ...overrides,
});

describe('attainment and status', () => {
  it.each([
    ['higher is better, on target', 'higher_is_better', 100, 100, 1, 'on_track'],
    ['higher is better, exactly 95 %', 'higher_is_better', 100, 95, 0.95, 'on_track'],
    ['higher is better, 90 %', 'higher_is_better', 100, 90, 0.9, 'at_risk'],
    ['higher is better, exactly 85 %', 'higher_is_better', 100, 85, 0.85, 'at_risk'],
    ['higher is better, 84.9 %', 'higher_is_better', 100, 84.9, 0.849, 'off_track'],
    ['higher is better, above target', 'higher_is_better', 100, 130, 1.3, 'on_track'],
    ['lower is better, under the cost target', 'lower_is_better', 100, 80, 1.25, 'on_track'],
    ['lower is better, 10 % over', 'lower_is_better', 100, 110, 100 / 110, 'at_risk'],
    ['lower is better, 25 % over', 'lower_is_better', 100, 125, 0.8, 'off_track'],
    ['lower is better, zero target met', 'lower_is_better', 0, 0, 1, 'on_track'],
    ['lower is better, zero target missed', 'lower_is_better', 0, 2, 0, 'off_track'],
    ['higher is better, zero target', 'higher_is_better', 0, 3, 1, 'on_track'],
  ] as const)('%s', (_name, direction, planned, actual, ratio, status) => {
    expect(attainment(direction, planned, actual)).toBeCloseTo(ratio, 9);
    expect(statusOf(attainment(direction, planned, actual))).toBe(status);
  });

  it('uses a KPI’s own thresholds', () => {
    expect(statusOf(0.97, { onTrack: 0.99, atRisk: 0.95 })).toBe('at_risk');
    expect(statusOf(0.9, { onTrack: 0.99, atRisk: 0.95 })).toBe('off_track');
  });
});

describe('trendOf', () => {
  it.each([
    [[], 0.9, 'new'],
    [[0.8, 0.85, 0.9], 0.95, 'improving'],
    [[1, 0.95, 0.9], 0.85, 'worsening'],
    [[0.9, 0.91], 0.905, 'stable'],
    // Only the last three months count.
    [[0.2, 0.9, 0.9, 0.9], 0.9, 'stable'],
  ] as const)('%j then %d → %s', (earlier, current, trend) => {
    expect(trendOf([...earlier], current)).toBe(trend);
  });
});

describe('evaluateKpi', () => {
  it('reports variance the KPI’s better way', () => {
    expect(evaluateKpi(target({ direction: 'lower_is_better', target: 50 }), 60, [1])).toEqual({
      kpiId: 'revenue',
      ownerUnitId: FINANCE,
      target: 50,
      actual: 60,
      variance: 10,
      variancePct: 0.2,
      favourable: false,
      attainment: 50 / 60,
      status: 'off_track',
      trend: 'worsening',
    });
    expect(evaluateKpi(target(), 120)).toMatchObject({ variance: 20, favourable: true, status: 'on_track', trend: 'new' });
  });

  it('marks a KPI without an actual as missing', () => {
    expect(evaluateKpi(target(), undefined)).toMatchObject({ actual: null, status: 'missing', variance: null });
  });
});

describe('monthTargets', () => {
  const plan = {
    kpis: [
      {
        id: 'revenue',
        name: 'Revenue',
        unit: 'CNY m',
        direction: 'higher_is_better',
        aggregation: 'sum',
        ownerUnitId: FINANCE,
        goalIds: ['g'],
        targets: [{ year: 2027, target: 78, monthly: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((m) => m) }],
      },
      {
        id: 'nps',
        name: 'NPS',
        unit: 'points',
        direction: 'higher_is_better',
        aggregation: 'last',
        ownerUnitId: CUSTOMER,
        goalIds: ['g'],
        targets: [{ year: 2028, target: 60, monthly: Array.from({ length: 12 }, () => 60) }],
        thresholds: { onTrack: 0.99, atRisk: 0.9 },
      },
    ],
  } as unknown as PlanContent;

  it('takes the month’s value of each KPI with a target that year', () => {
    expect(monthTargets(plan, { year: 2027, month: 3 })).toEqual([target({ target: 3 })]);
    expect(monthTargets(plan, { year: 2028, month: 12 })).toEqual([
      { kpiId: 'nps', name: 'NPS', unit: 'points', direction: 'higher_is_better', ownerUnitId: CUSTOMER, target: 60, thresholds: { onTrack: 0.99, atRisk: 0.9 } },
    ]);
  });
});

describe('checking actuals', () => {
  const targets = [target(), target({ kpiId: 'nps', unit: 'points', ownerUnitId: CUSTOMER })];

  it('names each problem by its path', () => {
    expect(
      checkActuals(
        [
          { kpiId: 'revenue', value: 1, unit: 'CNY bn' },
          { kpiId: 'margin', value: 2 },
          { kpiId: 'revenue', value: 3 },
        ],
        targets,
      ),
    ).toEqual([
      { path: 'values.0.unit', message: 'revenue is measured in CNY m, not CNY bn' },
      { path: 'values.1.kpiId', message: 'no KPI margin has a target this month' },
      { path: 'values.2.kpiId', message: 'revenue appears twice' },
    ]);
    expect(checkActuals([{ kpiId: 'nps', value: 40, unit: 'points' }], targets)).toEqual([]);
  });

  it('finds KPIs owned by another unit', () => {
    expect(foreignKpis([{ kpiId: 'revenue' }, { kpiId: 'nps' }], targets, FINANCE)).toEqual(['nps']);
  });

  it.each([
    [{ kpi_id: 'revenue', value: '12.5', unit: 'CNY m' }, { kpiId: 'revenue', value: 12.5, unit: 'CNY m' }, []],
    [{ kpi_id: 'revenue', value: '-3e2' }, { kpiId: 'revenue', value: -300 }, []],
    [{ kpi_id: 'revenue', value: '1,200' }, undefined, [{ path: 'row 4.value', message: '"1,200" is not a number' }]],
    [{ kpi_id: '', value: '' }, undefined, [{ path: 'row 4.kpi_id', message: 'must not be empty' }, { path: 'row 4.value', message: 'must not be empty' }]],
  ])('parses CSV row %j', (row, value, problems) => {
    expect(parseActualsRow(row, 4)).toEqual({ ...(value ? { value } : {}), problems });
  });
});

describe('cause analysis payload', () => {
  it('needs a category, a narrative and actions linked to a KPI or an initiative', () => {
    const parsed = causeAnalysisSchema.safeParse({
      category: 'weather',
      narrative: '',
      actions: [{ what: 'x', ownerUnitId: FINANCE, dueAt: '2027-03-01T00:00:00Z' }],
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['actions.0.kpiId', 'category', 'narrative']);
  });
});

describe('nthWorkingDayEndUtc', () => {
  it.each([
    // March 2027 starts on a Monday: the 5th working day is Friday the 5th.
    [{ year: 2027, month: 3 }, 5, '2027-03-06T00:00:00.000Z'],
    // May 2027 starts on a Saturday: the 1st working day is Monday the 3rd.
    [{ year: 2027, month: 5 }, 1, '2027-05-04T00:00:00.000Z'],
    [{ year: 2027, month: 5 }, 6, '2027-05-11T00:00:00.000Z'],
  ])('%j, working day %d ends at %s', (period, n, end) => {
    expect(new Date(nthWorkingDayEndUtc(period, n)).toISOString()).toBe(end);
  });
});
