import {
  AgendaItemKind,
  DEFAULT_CONTROLS,
  budgetLines,
  budgetStatus,
  budgetVariance,
  checkMilestoneReports,
  checkMinutes,
  checkSpend,
  evaluateUnit,
  evaluationSpans,
  milestoneRecord,
  gradeOf,
  isEvaluable,
  isQuarterEnd,
  isYearEnd,
  meetingAgenda,
  milestoneDeviation,
  milestonesToReport,
  monthBudget,
  needsCommitteeAttention,
  parseSpendRow,
  planControls,
  quarterMonths,
  quarterOf,
  riskLevel,
  riskScore,
  trackedMilestones,
  unitBudgetTotals,
  type AgendaItem,
  type BudgetVarianceLine,
  type MeetingAgendaInput,
  type MeetingMinutes,
  type MilestoneReport,
  type TrackedMilestone,
  type UnitEvaluationInput,
} from './controls';
import { controlsSchema, evaluationSignOffSchema, meetingMinutesSchema, raiseRiskSchema, reportSpendSchema, riskReviewPayloadSchema } from './controls.schema';
import type { PlanContent } from './plan';
import { planContentSchema } from './plan.schema';

const FINANCE = '11111111-1111-4111-8111-111111111111';
const CUSTOMER = '22222222-2222-4222-8222-222222222222';
const HR = '33333333-3333-4333-8333-333333333333';
const flat = (yearly: number) => Array.from({ length: 12 }, () => yearly / 12);
// The customer center's initiative money: 2 a month in the first half, 4 in the second.
const FRONT_LOADED = [2, 2, 2, 2, 2, 2, 4, 4, 4, 4, 4, 4];

function plan(): PlanContent {
  return planContentSchema.parse({
    goals: [{ id: 'revenue', title: 'Grow revenue', target: 'revenue 12 bn CNY in 2029' }],
    initiatives: [{ id: 'new-markets', title: 'Enter two new regions', ownerUnitId: CUSTOMER, years: [2027, 2028], goalIds: ['revenue'] }],
    milestones: [
      { id: 'south-office', year: 2027, title: 'Open the southern office', initiativeId: 'new-markets', dueMonth: '2027-06' },
      { id: 'ledger', year: 2027, title: 'New general ledger', ownerUnitId: FINANCE, deliverable: 'the ledger live for every subsidiary' },
      { id: 'north-office', year: 2028, title: 'Open the northern office', initiativeId: 'new-markets', ownerUnitId: FINANCE },
      { id: 'orphan', year: 2027, title: 'Nobody’s' },
    ],
    allocations: [
      { unitId: FINANCE, year: 2027, budget: 40, headcount: 12 },
      { unitId: CUSTOMER, year: 2027, budget: 60, headcount: 30 },
      { unitId: FINANCE, year: 2028, budget: 48, headcount: 12 },
    ],
    totals: [{ year: 2027, budget: 100, headcount: 42 }],
    kpis: [
      {
        id: 'revenue-cny',
        name: 'Revenue',
        unit: 'CNY m',
        direction: 'higher_is_better',
        aggregation: 'sum',
        ownerUnitId: FINANCE,
        goalIds: ['revenue'],
        targets: [{ year: 2027, target: 9600, monthly: flat(9600) }],
      },
    ],
    budget: [
      { unitId: CUSTOMER, initiativeId: 'new-markets', year: 2027, amount: 36, phasing: FRONT_LOADED },
      { unitId: CUSTOMER, year: 2027, amount: 24 },
    ],
  });
}

// ---- milestones ------------------------------------------------------------------------

describe('trackedMilestones', () => {
  it('gives each milestone its effective owner and due month, and leaves out one nobody owns', () => {
    expect(trackedMilestones(plan())).toEqual<TrackedMilestone[]>([
      { milestoneId: 'south-office', title: 'Open the southern office', ownerUnitId: CUSTOMER, dueMonth: '2027-06', deliverable: null, initiativeId: 'new-markets' },
      { milestoneId: 'ledger', title: 'New general ledger', ownerUnitId: FINANCE, dueMonth: '2027-12', deliverable: 'the ledger live for every subsidiary', initiativeId: null },
      // Its own owner before its initiative's.
      { milestoneId: 'north-office', title: 'Open the northern office', ownerUnitId: FINANCE, dueMonth: '2028-12', deliverable: null, initiativeId: 'new-markets' },
    ]);
  });
});

describe('milestonesToReport', () => {
  it.each([
    ['every open milestone of the year, not next year’s', '2027-03', [], ['south-office', 'ledger']],
    ['done ones excluded', '2027-03', ['south-office'], ['ledger']],
    ['in December too', '2027-12', ['ledger'], ['south-office']],
    ['an overdue one from last year included', '2028-01', ['ledger'], ['south-office', 'north-office']],
    ['nothing when all are done', '2028-05', ['south-office', 'ledger', 'north-office'], []],
  ])('%s (%s, done %j)', (_what, period, done, ids) => {
    expect(milestonesToReport(plan(), period, new Set(done)).map((m) => m.milestoneId)).toEqual(ids);
  });
});

describe('checkMilestoneReports', () => {
  // In August 2027 the southern office (due June) is overdue, the ledger (due December) is not.
  const toReport = milestonesToReport(plan(), '2027-08', new Set());
  const late = (extra: Partial<MilestoneReport>): MilestoneReport => ({ milestoneId: 'ledger', status: 'late', ...extra });

  it.each<[string, MilestoneReport[], { path: string; message: string }[]]>([
    ['on track before its due month', [{ milestoneId: 'ledger', status: 'on_track' }], []],
    ['an overdue one done', [{ milestoneId: 'south-office', status: 'done' }], []],
    ['late with a new month and a reason', [late({ newDueMonth: '2028-02', reason: 'the vendor slipped' })], []],
    [
      'an overdue one on track',
      [{ milestoneId: 'south-office', status: 'on_track' }],
      [{ path: 'milestones.0.status', message: 'south-office was due in 2027-06: it is overdue, so it is done or late, not on track' }],
    ],
    [
      'late with neither a new month nor a reason',
      [late({})],
      [
        { path: 'milestones.0.newDueMonth', message: 'a late milestone needs a new due month' },
        { path: 'milestones.0.reason', message: 'a late milestone needs a reason' },
      ],
    ],
    ['late to the month reported', [late({ newDueMonth: '2027-08', reason: 'x' })], [{ path: 'milestones.0.newDueMonth', message: 'must be a month after 2027-08' }]],
    ['late to a month that is not one', [late({ newDueMonth: '2027-13', reason: 'x' })], [{ path: 'milestones.0.newDueMonth', message: 'must be a month, YYYY-MM' }]],
    ['late with a blank reason', [late({ newDueMonth: '2028-02', reason: '  ' })], [{ path: 'milestones.0.reason', message: 'a late milestone needs a reason' }]],
    ['a new month when not late', [{ milestoneId: 'ledger', status: 'done', newDueMonth: '2028-01' }], [{ path: 'milestones.0.newDueMonth', message: 'only a late milestone takes a new due month' }]],
    ['a milestone of next year', [{ milestoneId: 'north-office', status: 'done' }], [{ path: 'milestones.0.milestoneId', message: 'no milestone north-office is to be reported in 2027-08' }]],
    [
      'the same milestone twice',
      [
        { milestoneId: 'ledger', status: 'done' },
        { milestoneId: 'ledger', status: 'on_track' },
      ],
      [{ path: 'milestones.1.milestoneId', message: 'ledger appears twice' }],
    ],
  ])('%s', (_what, reports, problems) => {
    expect(checkMilestoneReports(reports, toReport, '2027-08')).toEqual(problems);
  });

  it('names paths the caller’s way', () => {
    expect(checkMilestoneReports([late({})], toReport, '2027-08', (i, field) => `reports.${i}.${field}`).map((p) => p.path)).toEqual(['reports.0.newDueMonth', 'reports.0.reason']);
  });
});

describe('milestoneDeviation', () => {
  const [southOffice] = trackedMilestones(plan()); // due 2027-06

  it.each<[MilestoneReport['status'] | undefined, string, boolean]>([
    [undefined, '2027-05', false],
    // Due this month and not done: late.
    [undefined, '2027-06', true],
    ['on_track', '2027-06', true],
    ['on_track', '2027-05', false],
    ['done', '2027-09', false],
    ['late', '2027-03', true],
  ])('reported %s in %s → %s', (status, period, deviates) => {
    expect(milestoneDeviation(southOffice, status && { milestoneId: 'south-office', status }, period)).toBe(deviates);
  });
});

// ---- budget ----------------------------------------------------------------------------

describe('budgetLines', () => {
  it('phases lines as given or evenly, and budgets a unit without lines by its allocation', () => {
    expect(budgetLines(plan())).toEqual([
      { unitId: CUSTOMER, initiativeId: 'new-markets', year: 2027, amount: 36, phasing: FRONT_LOADED },
      { unitId: CUSTOMER, initiativeId: null, year: 2027, amount: 24, phasing: flat(24) },
      { unitId: FINANCE, initiativeId: null, year: 2027, amount: 40, phasing: flat(40) },
      { unitId: FINANCE, initiativeId: null, year: 2028, amount: 48, phasing: flat(48) },
    ]);
  });

  it('takes a plan stored before budgets existed', () => {
    const stored = plan();
    delete (stored as Partial<PlanContent>).budget;
    expect(budgetLines(stored).map((l) => [l.unitId, l.year, l.amount])).toEqual([
      [FINANCE, 2027, 40],
      [CUSTOMER, 2027, 60],
      [FINANCE, 2028, 48],
    ]);
  });

  it.each([
    ['2027-03', [2, 2, 40 / 12]],
    ['2027-07', [4, 2, 40 / 12]],
    ['2028-01', [4]],
    ['2029-01', []],
  ])('the month’s budget of %s', (period, budgets) => {
    expect(monthBudget(plan(), period).map((b) => b.budget)).toEqual(budgets);
  });
});

describe('budgetVariance', () => {
  // One unit, 1,200 a year evenly: by March 300 year to date; 5 % tolerance → within 270..315.
  const single = { allocations: [{ unitId: HR, year: 2027, budget: 1200, headcount: 5 }], budget: [] } as unknown as PlanContent;
  const spend = (amount: number) => [{ unitId: HR, initiativeId: null, amount }];

  it.each<[string, number, number | null, number, BudgetVarianceLine['status']]>([
    ['on budget', 200, 100, 0.05, 'within'],
    ['at the overspend bound', 200, 115, 0.05, 'within'],
    ['just over it', 200, 115.01, 0.05, 'overspent'],
    ['at the underspend bound (twice the tolerance)', 200, 70, 0.05, 'within'],
    ['just under it', 200, 69.99, 0.05, 'underspent'],
    ['over by earlier months though on budget this month', 300, 100, 0.05, 'overspent'],
    ['nothing reported this month', 200, null, 0.05, 'missing'],
    ['a zero report is a report', 300, 0, 0.05, 'within'],
    ['no tolerance', 200, 100.5, 0, 'overspent'],
  ])('%s: %d earlier, %s this month, tolerance %d → %s', (_what, earlier, now, tolerance, status) => {
    const [row] = budgetVariance(single, '2027-03', now === null ? [] : spend(now), spend(earlier), tolerance);
    expect(row.status).toBe(status);
  });

  it('reports the month and the year to date', () => {
    expect(budgetVariance(single, '2027-03', spend(120), spend(180), 0.05)).toEqual<BudgetVarianceLine[]>([
      { unitId: HR, initiativeId: null, budget: 100, spent: 120, variance: 20, variancePct: 0.2, ytdBudget: 300, ytdSpent: 300, ytdVariancePct: 0, status: 'within' },
    ]);
  });

  it('adds a row for spend with no budget line, and a row per line of the year', () => {
    const rows = budgetVariance(
      plan(),
      '2027-07',
      [
        { unitId: CUSTOMER, initiativeId: 'new-markets', amount: 4 },
        { unitId: CUSTOMER, initiativeId: 'ghost', amount: 1 },
        { unitId: HR, initiativeId: null, amount: 0 },
      ],
      [
        { unitId: CUSTOMER, initiativeId: 'new-markets', amount: 12 },
        { unitId: FINANCE, initiativeId: 'old', amount: 2 },
      ],
      0.05,
    );
    expect(rows.map((r) => [r.unitId, r.initiativeId, r.budget, r.spent, r.ytdBudget, r.ytdSpent, r.variancePct === null ? null : 'pct', r.status])).toEqual([
      [CUSTOMER, 'new-markets', 4, 4, 16, 16, 'pct', 'within'],
      [CUSTOMER, null, 2, 0, 14, 0, 'pct', 'missing'],
      [FINANCE, null, 40 / 12, 0, expect.closeTo(70 / 3, 9), 0, 'pct', 'missing'],
      // No line: budget 0, any spend is over it.
      [CUSTOMER, 'ghost', 0, 1, 0, 1, null, 'overspent'],
      [HR, null, 0, 0, 0, 0, null, 'within'],
      // Spent earlier against no line, nothing this month.
      [FINANCE, 'old', 0, 0, 0, 2, null, 'missing'],
    ]);
  });

  it('sums lines per unit and rates the sum afresh', () => {
    const rows = budgetVariance(
      plan(),
      '2027-01',
      [
        { unitId: CUSTOMER, initiativeId: 'new-markets', amount: 3 }, // budget 2: overspent
        { unitId: CUSTOMER, initiativeId: null, amount: 1.1 }, // budget 2: underspent
      ],
      [],
      0.05,
    );
    expect(rows.map((r) => r.status)).toEqual(['overspent', 'underspent', 'missing']);
    const totals = unitBudgetTotals(rows, 0.05);
    expect(totals.map((t) => [t.unitId, t.initiativeId, t.budget, t.spent, t.status])).toEqual([
      [CUSTOMER, null, 4, 4.1, 'within'],
      [FINANCE, null, 40 / 12, 0, 'missing'],
    ]);
    expect(totals[0].ytdVariancePct).toBeCloseTo(0.025, 9);
  });

  it.each([
    [100, 105, 0.05, 'within'],
    [100, 106, 0.05, 'overspent'],
    [0, 0.01, 0.05, 'overspent'],
    [100, 89, 0.05, 'underspent'],
    [100, 0, 0.5, 'within'],
  ] as const)('budgetStatus(%d budget, %d spent, %d) → %s', (ytdBudget, ytdSpent, tolerance, status) => {
    expect(budgetStatus(ytdBudget, ytdSpent, tolerance)).toBe(status);
  });
});

describe('checkSpend', () => {
  const lines = [{ initiativeId: 'new-markets' }, { initiativeId: null }];

  it.each<[string, { initiativeId?: string | null; amount: number }[], { initiativeId: string | null }[], { path: string; message: string }[]]>([
    ['a line each', [{ initiativeId: 'new-markets', amount: 3 }, { amount: 1 }], lines, []],
    ['a negative amount', [{ initiativeId: null, amount: -1 }], lines, [{ path: 'entries.0.amount', message: 'must not be negative' }]],
    ['an initiative the unit has no line for', [{ initiativeId: 'ghost', amount: 1 }], lines, [{ path: 'entries.0.initiativeId', message: 'initiative ghost has no budget line of the unit this year' }]],
    [
      'no initiative when every line has one',
      [{ amount: 1 }],
      [{ initiativeId: 'new-markets' }],
      [{ path: 'entries.0.initiativeId', message: 'the unit has no budget outside its initiatives this year: name the initiative' }],
    ],
    [
      'the same initiative twice',
      [
        { initiativeId: 'new-markets', amount: 1 },
        { initiativeId: 'new-markets', amount: 2 },
      ],
      lines,
      [{ path: 'entries.1.initiativeId', message: 'new-markets appears twice' }],
    ],
    [
      'the unassigned line twice',
      [{ amount: 1 }, { initiativeId: null, amount: 2 }],
      lines,
      [{ path: 'entries.1.initiativeId', message: 'the unassigned line appears twice' }],
    ],
  ])('%s', (_what, entries, unitLines, problems) => {
    expect(checkSpend(entries, unitLines)).toEqual(problems);
  });
});

describe('parseSpendRow', () => {
  it.each([
    [{ unit_id: FINANCE, initiative_id: 'new-markets', amount: '12.5' }, { unitId: FINANCE, initiativeId: 'new-markets', amount: 12.5 }, []],
    [{ unit_id: ` ${FINANCE} `, initiative_id: '', amount: '3' }, { unitId: FINANCE, initiativeId: null, amount: 3 }, []],
    [{ unit_id: FINANCE, amount: '1e3' }, { unitId: FINANCE, initiativeId: null, amount: 1000 }, []],
    [{ unit_id: FINANCE, amount: '1,200' }, undefined, [{ path: 'row 4.amount', message: '"1,200" is not a number' }]],
    [{ unit_id: FINANCE, amount: '-2' }, undefined, [{ path: 'row 4.amount', message: 'must not be negative' }]],
    [{ unit_id: 'finance', amount: '2' }, undefined, [{ path: 'row 4.unit_id', message: 'must be a UUID' }]],
    [
      { unit_id: '', amount: '' },
      undefined,
      [
        { path: 'row 4.unit_id', message: 'must not be empty' },
        { path: 'row 4.amount', message: 'must not be empty' },
      ],
    ],
  ])('parses CSV row %j', (row, value, problems) => {
    expect(parseSpendRow(row, 4)).toEqual({ ...(value ? { value } : {}), problems });
  });
});

// ---- risks -----------------------------------------------------------------------------

describe('risk levels', () => {
  it.each([
    // corners
    [1, 1, 1, 'low'],
    [1, 5, 5, 'medium'],
    [5, 1, 5, 'medium'],
    [5, 5, 25, 'critical'],
    // boundaries 4/5, 9/10, 16/20
    [2, 2, 4, 'low'],
    [4, 1, 4, 'low'],
    [3, 3, 9, 'medium'],
    [2, 5, 10, 'high'],
    [4, 4, 16, 'high'],
    [4, 5, 20, 'critical'],
    [5, 4, 20, 'critical'],
  ])('likelihood %d × impact %d = %d: %s', (likelihood, impact, score, level) => {
    expect(riskScore(likelihood, impact)).toBe(score);
    expect(riskLevel(likelihood, impact)).toBe(level);
  });

  it('follows the documented 5 × 5 matrix everywhere', () => {
    const matrix = ['M H H C C', 'L M H H C', 'L M M H H', 'L L M M H', 'L L L L M']; // likelihood 5 … 1, impact 1 … 5
    const letter = (l: number, i: number) => riskLevel(l, i)[0].toUpperCase();
    expect([5, 4, 3, 2, 1].map((l) => [1, 2, 3, 4, 5].map((i) => letter(l, i)).join(' '))).toEqual(matrix);
  });

  it.each([
    [0, 3],
    [3, 6],
    [6, 1],
    [2.5, 2],
    [Number.NaN, 1],
  ])('refuses likelihood %d, impact %d', (likelihood, impact) => {
    expect(() => riskScore(likelihood, impact)).toThrow(RangeError);
    expect(() => riskLevel(likelihood, impact)).toThrow(RangeError);
  });

  it.each([
    ['low', false],
    ['medium', false],
    ['high', true],
    ['critical', true],
  ] as const)('a %s risk needs the committee: %s', (level, needs) => {
    expect(needsCommitteeAttention(level)).toBe(needs);
  });
});

// ---- evaluations -----------------------------------------------------------------------

describe('quarters', () => {
  it.each([
    ['2027-01', 1, false, false],
    ['2027-03', 1, true, false],
    ['2027-04', 2, false, false],
    ['2027-09', 3, true, false],
    ['2027-11', 4, false, false],
    ['2027-12', 4, true, true],
  ])('%s is in Q%d, quarter end %s, year end %s', (period, quarter, quarterEnd, yearEnd) => {
    expect(quarterOf(period)).toEqual({ year: 2027, quarter });
    expect(isQuarterEnd(period)).toBe(quarterEnd);
    expect(isYearEnd(period)).toBe(yearEnd);
  });

  it.each([
    [1, ['2027-01', '2027-02', '2027-03']],
    [2, ['2027-04', '2027-05', '2027-06']],
    [4, ['2027-10', '2027-11', '2027-12']],
  ])('Q%d has %j', (quarter, months) => {
    expect(quarterMonths(2027, quarter)).toEqual(months);
  });

  it.each([0, 5, 1.5])('refuses quarter %d', (quarter) => {
    expect(() => quarterMonths(2027, quarter)).toThrow(RangeError);
  });
});

describe('evaluateUnit', () => {
  const weights = DEFAULT_CONTROLS.evaluationWeights;
  const input = (overrides: Partial<UnitEvaluationInput>): UnitEvaluationInput => ({
    unitId: FINANCE,
    kpiAttainments: [],
    milestones: { due: 0, doneOnTime: 0, late: 0 },
    budget: { budget: 0, spent: 0 },
    ...overrides,
  });

  it('weighs every part: KPIs capped at 100 %, milestones on time, budget falling to 0 at 50 % over', () => {
    // KPIs (1 + 0.8 + 1) / 3 = 93.33; milestones 3 / 4 = 75; budget 10 % over = 80.
    // 0.6 × 93.33 + 0.2 × 75 + 0.2 × 80 = 87.
    expect(evaluateUnit(input({ kpiAttainments: [1, 0.8, 1.3], milestones: { due: 4, doneOnTime: 3, late: 1 }, budget: { budget: 100, spent: 110 } }), weights)).toEqual({
      unitId: FINANCE,
      kpiScore: 93.3,
      milestoneScore: 75,
      budgetScore: 80,
      score: 87,
      grade: 'B',
    });
  });

  it('renormalises the weights over the parts there are', () => {
    // No milestones: (0.6 × 93.33 + 0.2 × 80) / 0.8 = 90.
    expect(evaluateUnit(input({ kpiAttainments: [1, 0.8, 1.3], budget: { budget: 100, spent: 110 } }), weights)).toMatchObject({ milestoneScore: null, score: 90, grade: 'A' });
    // Budget only.
    expect(evaluateUnit(input({ budget: { budget: 100, spent: 125 } }), weights)).toMatchObject({ kpiScore: null, milestoneScore: null, budgetScore: 50, score: 50, grade: 'D' });
    // The only part there is weighs 0: it counts alone.
    expect(evaluateUnit(input({ kpiAttainments: [0.7] }), { kpis: 0, milestones: 0.5, budget: 0.5 })).toMatchObject({ score: 70, grade: 'C' });
  });

  it.each([
    [100, 100, 100],
    [100, 80, 100],
    [100, 150, 0],
    [100, 200, 0],
    [0, 5, 0],
  ])('budget %d, spent %d → %d', (budget, spent, score) => {
    expect(evaluateUnit(input({ budget: { budget, spent } }), weights).budgetScore).toBe(score);
  });

  it.each([
    [[0.9], 90, 'A'],
    [[0.899], 89.9, 'B'],
    [[0.75], 75, 'B'],
    [[0.749], 74.9, 'C'],
    [[0.6], 60, 'C'],
    [[0.599], 59.9, 'D'],
    // Missing actuals count 0; unbounded attainments count 100 %; below zero counts 0.
    [[0, 1, Number.POSITIVE_INFINITY, -2], 50, 'D'],
  ])('KPI attainments %j → %d, %s', (kpiAttainments, score, grade) => {
    expect(evaluateUnit(input({ kpiAttainments }), weights)).toMatchObject({ kpiScore: score, score, grade });
  });

  it.each([
    [90, 'A'],
    [89.9, 'B'],
    [75, 'B'],
    [74.9, 'C'],
    [60, 'C'],
    [59.9, 'D'],
  ])('grade of %d is %s', (score, grade) => {
    expect(gradeOf(score)).toBe(grade);
  });

  it('scores a unit with nothing to evaluate 0, and says so', () => {
    expect(isEvaluable(input({}))).toBe(false);
    expect(isEvaluable(input({ milestones: { due: 1, doneOnTime: 0, late: 1 } }))).toBe(true);
    expect(evaluateUnit(input({}), weights)).toEqual({ unitId: FINANCE, kpiScore: null, milestoneScore: null, budgetScore: null, score: 0, grade: 'D' });
  });
});

// ---- the operations meeting ------------------------------------------------------------

const varianceRow = (overrides: Partial<BudgetVarianceLine>): BudgetVarianceLine => ({
  unitId: CUSTOMER,
  initiativeId: 'new-markets',
  budget: 4,
  spent: 6,
  variance: 2,
  variancePct: 0.5,
  ytdBudget: 16,
  ytdSpent: 20,
  ytdVariancePct: 0.25,
  status: 'overspent',
  ...overrides,
});

const agendaInput: MeetingAgendaInput = {
  actions: [
    { taskId: 'task-1', what: 'Renegotiate the lease', ownerUnitId: FINANCE, dueAt: '2027-07-01T00:00:00Z', overdue: true },
    { taskId: 'task-2', what: 'Hire two sales leads', ownerUnitId: CUSTOMER, dueAt: '2027-09-01T00:00:00Z', overdue: false },
  ],
  risks: [
    { riskId: 'r-1', title: 'Supplier insolvency', ownerUnitId: FINANCE, level: 'critical' },
    { riskId: 'r-2', title: 'Currency', ownerUnitId: FINANCE, level: 'medium' },
    { riskId: 'r-3', title: 'Key people leave', ownerUnitId: HR, level: 'high' },
  ],
  budget: [varianceRow({}), varianceRow({ initiativeId: null, status: 'within' }), varianceRow({ unitId: HR, initiativeId: null, ytdBudget: 0, ytdVariancePct: null })],
  milestones: [
    { milestoneId: 'south-office', title: 'Open the southern office', ownerUnitId: CUSTOMER, late: true, newDueMonth: '2027-10' },
    { milestoneId: 'ledger', title: 'New general ledger', ownerUnitId: FINANCE, late: false },
  ],
  kpis: [
    { kpiId: 'nps', name: 'Net promoter score', ownerUnitId: CUSTOMER, status: 'at_risk', actual: 36, target: 40, unit: 'points' },
    { kpiId: 'revenue-cny', name: 'Revenue', ownerUnitId: FINANCE, status: 'off_track', actual: 700, target: 800, unit: 'CNY m' },
    { kpiId: 'revenue-cny', name: 'Revenue', ownerUnitId: FINANCE, status: 'off_track', actual: 700, target: 800, unit: 'CNY m' },
  ],
};

describe('meetingAgenda', () => {
  it('lists off-track KPIs, late milestones, overspent lines, high risks and overdue actions, in that order, each once', () => {
    const agenda = meetingAgenda(agendaInput);
    expect(agenda.map((a) => a.id)).toEqual(['kpi:revenue-cny', 'milestone:south-office', `budget:${CUSTOMER}/new-markets`, `budget:${HR}/-`, 'risk:r-1', 'risk:r-3', 'action:task-1']);
    expect(agenda.map((a) => a.kind)).toEqual(['kpi', 'milestone', 'budget', 'budget', 'risk', 'risk', 'action'] satisfies AgendaItemKind[]);
    expect(agenda[0]).toEqual<AgendaItem>({ id: 'kpi:revenue-cny', kind: 'kpi', ref: 'revenue-cny', title: 'KPI off track: Revenue', ownerUnitId: FINANCE, detail: 'actual 700 CNY m against a target of 800 CNY m' });
    expect(agenda[1].detail).toBe('now due 2027-10');
    expect(agenda[2]).toMatchObject({ ref: `${CUSTOMER}/new-markets`, ownerUnitId: CUSTOMER, detail: 'spent 20 of 16 this year to date (+25 %)' });
    expect(agenda[3].detail).toBe('spent 20 of 0 this year to date (against no budget)');
    expect(agenda[4].title).toBe('Risk critical: Supplier insolvency');
  });

  it('is empty when nothing needs a decision', () => {
    expect(meetingAgenda({ kpis: [], milestones: [], budget: [], risks: [], actions: [] })).toEqual([]);
  });
});

describe('checkMinutes', () => {
  const agenda = meetingAgenda({ ...agendaInput, budget: [], risks: [], actions: [] }); // kpi:revenue-cny, milestone:south-office
  const item = (itemId: string, dueAt = '2027-09-30T00:00:00Z') => ({ itemId, minutes: 'Discussed.', decisions: [{ what: 'Push the autumn campaign', ownerUnitId: CUSTOMER, dueAt }] });

  it.each<[string, MeetingMinutes, { path: string; message: string }[]]>([
    ['every item minuted', { items: [item('kpi:revenue-cny'), item('milestone:south-office')] }, []],
    ['an item left out', { items: [item('kpi:revenue-cny')] }, [{ path: 'items', message: 'agenda item milestone:south-office has no minutes' }]],
    [
      'an item not on the agenda',
      { items: [item('kpi:revenue-cny'), item('milestone:south-office'), item('risk:r-9')] },
      [{ path: 'items.2.itemId', message: 'no agenda item risk:r-9' }],
    ],
    [
      'an item twice',
      { items: [item('kpi:revenue-cny'), item('milestone:south-office'), item('kpi:revenue-cny')] },
      [{ path: 'items.2.itemId', message: 'kpi:revenue-cny appears twice' }],
    ],
    [
      'a decision due at no date',
      { items: [item('kpi:revenue-cny', 'next week'), item('milestone:south-office')] },
      [{ path: 'items.0.decisions.0.dueAt', message: '"next week" is not a date and time' }],
    ],
    [
      'blank minutes',
      { items: [{ ...item('kpi:revenue-cny'), minutes: ' ' }, item('milestone:south-office')] },
      [{ path: 'items.0.minutes', message: 'must not be empty' }],
    ],
  ])('%s', (_what, minutes, problems) => {
    expect(checkMinutes(minutes, agenda)).toEqual(problems);
  });
});

// ---- schemas ---------------------------------------------------------------------------

describe('controls schemas', () => {
  it('defaults the controls and needs weights adding up to 1', () => {
    expect(controlsSchema.parse({})).toEqual(DEFAULT_CONTROLS);
    expect(controlsSchema.parse({ evaluationWeights: { kpis: 0.5, milestones: 0.3, budget: 0.2 } }).evaluationWeights).toEqual({ kpis: 0.5, milestones: 0.3, budget: 0.2 });
    const bad = controlsSchema.safeParse({ overspendTolerance: 1.5, evaluationWeights: { kpis: 0.5, milestones: 0.3, budget: 0.3 } });
    expect(bad.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['overspendTolerance', expect.any(String)],
      ['evaluationWeights', 'the weights must add up to 1'],
    ]);
    expect(planControls(plan())).toEqual(DEFAULT_CONTROLS);
  });

  it('keeps a plan stored before the controls valid, with an empty budget', () => {
    const { budget, controls, ...stored } = plan();
    expect([budget.length, controls]).toEqual([2, undefined]);
    stored.milestones = stored.milestones.map(({ id, year, title, initiativeId }) => ({ id, year, title, initiativeId }));
    expect(planContentSchema.parse(stored).budget).toEqual([]);
  });

  it('refuses a budget line whose phasing is not twelve months', () => {
    const broken = planContentSchema.safeParse({ ...plan(), budget: [{ unitId: FINANCE, year: 2027, amount: 40, phasing: [40] }] });
    expect(broken.error!.issues.map((i) => i.path.join('.'))).toEqual(['budget.0.phasing']);
  });

  it('defaults a raised risk’s description and mitigation and rates it 1..5', () => {
    const risk = { title: 'Supplier insolvency', category: 'operational', ownerUnitId: FINANCE, likelihood: 4, impact: 5, response: 'reduce' };
    expect(raiseRiskSchema.parse(risk)).toEqual({ ...risk, description: '', mitigation: [] });
    expect(raiseRiskSchema.safeParse({ ...risk, likelihood: 6, category: 'weather' }).error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['category', 'likelihood']);
    expect(riskReviewPayloadSchema.parse({ likelihood: 2, impact: 2, response: 'accept' })).toEqual({ likelihood: 2, impact: 2, response: 'accept', note: '', closed: false, mitigation: [] });
  });

  it('takes spend that is not negative, with or without an initiative', () => {
    expect(reportSpendSchema.parse({ entries: [{ amount: 3 }, { initiativeId: null, amount: 0 }, { initiativeId: 'new-markets', amount: 1.5 }] }).entries).toHaveLength(3);
    expect(reportSpendSchema.safeParse({ unitId: 'finance', entries: [{ amount: -1 }] }).error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['entries.0.amount', 'unitId']);
  });

  it('defaults the minutes and the sign-off, and refuses two adjustments of one unit', () => {
    expect(meetingMinutesSchema.parse({ items: [{ itemId: 'kpi:nps', minutes: 'ok' }] })).toEqual({ items: [{ itemId: 'kpi:nps', minutes: 'ok', decisions: [] }], attendees: [], summary: '' });
    expect(evaluationSignOffSchema.parse({})).toEqual({ note: '', adjustments: [] });
    const twice = evaluationSignOffSchema.safeParse({ adjustments: [FINANCE, FINANCE].map((unitId) => ({ unitId, score: 80, reason: 'one-off write-down' })) });
    expect(twice.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['adjustments.1.unitId', 'a second adjustment for this unit']]);
  });
});

describe('evaluation spans and milestone records', () => {
  it.each([
    ['2027-02', []],
    ['2027-03', [['2027-Q1', 'quarter', 3]]],
    ['2027-09', [['2027-Q3', 'quarter', 3]]],
    ['2027-12', [['2027-Q4', 'quarter', 3], ['2027', 'year', 12]]],
  ])('closing %s evaluates %j', (period, spans) => {
    expect(evaluationSpans(period).map((s) => [s.span, s.kind, s.months.length])).toEqual(spans);
  });

  it('counts a milestone done on time only when reported done by its due month', () => {
    const m = (id: string, dueMonth: string): TrackedMilestone => ({ milestoneId: id, title: id, ownerUnitId: 'u', dueMonth, deliverable: null, initiativeId: null });
    const reports = [
      { milestoneId: 'a', period: '2027-02', status: 'done' as const },
      { milestoneId: 'b', period: '2027-03', status: 'late' as const },
      { milestoneId: 'b', period: '2027-04', status: 'done' as const },
      { milestoneId: 'c', period: '2027-03', status: 'on_track' as const },
    ];
    expect(milestoneRecord([m('a', '2027-03'), m('b', '2027-03'), m('c', '2027-03')], reports)).toEqual({ due: 3, doneOnTime: 1, late: 2 });
    expect(milestoneRecord([], reports)).toEqual({ due: 0, doneOnTime: 0, late: 0 });
  });
});
