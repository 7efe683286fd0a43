import { aggregate, diffPlans, validatePlan, type PlanContent } from './plan';
import { planContentSchema } from './plan.schema';

const FINANCE = '11111111-1111-4111-8111-111111111111';
const CUSTOMER = '22222222-2222-4222-8222-222222222222';
const HORIZON = { startYear: 2027, horizonYears: 3 };
const flat = (yearly: number) => Array.from({ length: 12 }, () => yearly / 12);

function plan(): PlanContent {
  return planContentSchema.parse({
    goals: [
      { id: 'revenue', title: 'Grow revenue', target: 'revenue 12 bn CNY in 2029' },
      { id: 'nps', title: 'Delight customers', target: 'NPS 60 by 2029' },
    ],
    initiatives: [{ id: 'new-markets', title: 'Enter two new regions', ownerUnitId: CUSTOMER, years: [2027, 2028], goalIds: ['revenue'] }],
    milestones: [{ id: 'south-office', year: 2027, title: 'Open the southern office', initiativeId: 'new-markets' }],
    allocations: [
      { unitId: FINANCE, year: 2027, budget: 40, headcount: 12 },
      { unitId: CUSTOMER, year: 2027, budget: 60, headcount: 30 },
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
        targets: [2027, 2028, 2029].map((year, i) => ({ year, target: 1200 * (i + 8), monthly: flat(1200 * (i + 8)) })),
      },
      {
        id: 'nps',
        name: 'Net promoter score',
        unit: 'points',
        direction: 'higher_is_better',
        aggregation: 'last',
        ownerUnitId: CUSTOMER,
        goalIds: ['nps'],
        targets: [2027, 2028, 2029].map((year, i) => ({ year, target: 40 + 10 * i, monthly: [...Array(11).fill(30), 40 + 10 * i] })),
      },
    ],
  });
}

describe('validatePlan', () => {
  it('accepts a consistent plan', () => {
    expect(validatePlan(plan(), HORIZON, new Set([FINANCE, CUSTOMER]))).toEqual([]);
  });

  it.each([
    ['a goal no KPI measures', (p: PlanContent) => (p.kpis[1].goalIds = ['revenue']), 'goals.1', 'goal nps is measured by no KPI'],
    ['an initiative serving an unknown goal', (p: PlanContent) => (p.initiatives[0].goalIds = ['profit']), 'initiatives.0.goalIds.0', 'no goal profit'],
    ['an initiative outside the horizon', (p: PlanContent) => (p.initiatives[0].years = [2031]), 'initiatives.0.years.0', '2031 is outside the plan years 2027, 2028, 2029'],
    ['allocations off their total', (p: PlanContent) => (p.allocations[0].budget = 45), 'totals.0.budget', 'unit budgets for 2027 add up to 105, not 100'],
    ['headcounts off their total', (p: PlanContent) => (p.allocations[1].headcount = 31), 'totals.0.headcount', 'unit headcounts for 2027 add up to 43, not 42'],
    ['a missing yearly target', (p: PlanContent) => p.kpis[0].targets.pop(), 'kpis.0.targets', 'no target for 2029'],
    ['months that do not sum to the year', (p: PlanContent) => (p.kpis[0].targets[0].monthly[0] += 5), 'kpis.0.targets.0.monthly', 'the sum of the months is 9605, not the target 9600'],
    ['a last month that is not the year', (p: PlanContent) => (p.kpis[1].targets[0].monthly[11] = 39), 'kpis.1.targets.0.monthly', 'the last of the months is 39, not the target 40'],
    ['a duplicate id', (p: PlanContent) => p.goals.push({ ...p.goals[0] }), 'goals.2.id', 'duplicate id revenue'],
    ['an unknown owner unit', (p: PlanContent) => (p.kpis[0].ownerUnitId = '33333333-3333-4333-8333-333333333333'), 'kpis.0.ownerUnitId', 'no such org unit'],
    ['a milestone due outside its year', (p: PlanContent) => (p.milestones[0].dueMonth = '2028-03'), 'milestones.0.dueMonth', "2028-03 is not in the milestone's year 2027"],
    ['a milestone nobody owns', (p: PlanContent) => delete p.milestones[0].initiativeId, 'milestones.0', 'a milestone needs an owner: ownerUnitId or an initiative'],
    ['a milestone owned by an unknown unit', (p: PlanContent) => (p.milestones[0].ownerUnitId = '33333333-3333-4333-8333-333333333333'), 'milestones.0.ownerUnitId', 'no such org unit'],
    ['a phasing off its amount', (p: PlanContent) => (p.budget = [{ unitId: FINANCE, year: 2027, amount: 40, phasing: flat(36) }]), 'budget.0.phasing', 'the months add up to 36, not the amount 40'],
    [
      'budget lines off the allocation',
      (p: PlanContent) => (p.budget = [{ unitId: CUSTOMER, initiativeId: 'new-markets', year: 2027, amount: 30 }, { unitId: CUSTOMER, year: 2027, amount: 25 }]),
      'budget.0',
      "the unit's budget lines for 2027 add up to 55, not its allocated budget 60",
    ],
    [
      'a second line for a unit and year',
      (p: PlanContent) => (p.budget = [{ unitId: FINANCE, year: 2027, amount: 20 }, { unitId: FINANCE, year: 2027, amount: 20 }]),
      'budget.1',
      'a second budget line for this unit outside its initiatives in 2027',
    ],
    ['a budget line with no allocation', (p: PlanContent) => (p.budget = [{ unitId: FINANCE, year: 2028, amount: 10 }]), 'budget.0', 'the unit has no allocation in 2028 for its budget lines'],
    ['a budget line for an unknown initiative', (p: PlanContent) => (p.budget = [{ unitId: FINANCE, initiativeId: 'moon-base', year: 2027, amount: 40 }]), 'budget.0.initiativeId', 'no initiative moon-base'],
    ['a budget line outside the horizon', (p: PlanContent) => (p.budget = [{ unitId: FINANCE, year: 2031, amount: 40 }]), 'budget.0.year', '2031 is outside the plan years'],
    ['a budget line of an unknown unit', (p: PlanContent) => (p.budget = [{ unitId: '33333333-3333-4333-8333-333333333333', year: 2027, amount: 1 }]), 'budget.0.unitId', 'no such org unit'],
  ])('reports %s at its path', (_what, breakIt, path, message) => {
    const broken = plan();
    breakIt(broken);
    expect(validatePlan(broken, HORIZON, new Set([FINANCE, CUSTOMER]))).toContainEqual({ path, message });
  });

  it('accepts milestones with their own owner and month, and budget lines adding up to the allocations', () => {
    const p = plan();
    p.milestones.push({ id: 'ledger', year: 2028, title: 'New general ledger', ownerUnitId: FINANCE, dueMonth: '2028-04', deliverable: 'live' });
    p.budget = [
      { unitId: CUSTOMER, initiativeId: 'new-markets', year: 2027, amount: 36, phasing: [2, 2, 2, 2, 2, 2, 4, 4, 4, 4, 4, 4] },
      { unitId: CUSTOMER, year: 2027, amount: 24 },
      // A third of a unit's money is not a round figure: phasings match to 1e-6.
      { unitId: FINANCE, year: 2027, amount: 40, phasing: flat(40) },
    ];
    expect(validatePlan(p, HORIZON, new Set([FINANCE, CUSTOMER]))).toEqual([]);
  });

  it('reads a plan stored before budgets existed', () => {
    const stored = plan();
    delete (stored as Partial<PlanContent>).budget;
    expect(validatePlan(stored, HORIZON, new Set([FINANCE, CUSTOMER]))).toEqual([]);
  });

  it('reports every problem at once', () => {
    const broken = plan();
    broken.kpis[1].goalIds = ['revenue'];
    broken.allocations[0].budget = 1;
    broken.kpis[0].targets[0].monthly[0] = 0;
    expect(validatePlan(broken, HORIZON).map((p) => p.path)).toEqual(['goals.1', 'totals.0.budget', 'kpis.0.targets.0.monthly']);
  });

  it('aggregates months by sum, average and last', () => {
    const months = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
    expect([aggregate('sum', months), aggregate('average', months), aggregate('last', months)]).toEqual([78, 6.5, 12]);
  });
});

describe('diffPlans', () => {
  it('finds nothing between equal plans', () => {
    const diff = diffPlans(plan(), plan());
    expect(Object.values(diff).every((d) => d.added.length + d.removed.length + d.changed.length === 0)).toBe(true);
  });

  it('names added, removed and changed items field by field', () => {
    const before = plan();
    const after = plan();
    after.goals[0].target = 'revenue 13 bn CNY in 2029';
    after.kpis[0].targets[2] = { year: 2029, target: 13000, monthly: flat(13000) };
    after.initiatives = [];
    after.goals.push({ id: 'talent', title: 'Build talent', description: '', target: '500 engineers' });
    after.kpis.push({ ...after.kpis[1], id: 'engineers', goalIds: ['talent'] });
    after.allocations[0].budget = 45;
    const diff = diffPlans(before, after);
    expect(diff.goals).toEqual({ added: ['talent'], removed: [], changed: [{ id: 'revenue', fields: [{ path: 'target', from: 'revenue 12 bn CNY in 2029', to: 'revenue 13 bn CNY in 2029' }] }] });
    expect(diff.initiatives).toEqual({ added: [], removed: ['new-markets'], changed: [] });
    expect(diff.kpis.added).toEqual(['engineers']);
    expect(diff.kpis.changed).toEqual([
      {
        id: 'revenue-cny',
        fields: [
          { path: 'targets.2.target', from: 12000, to: 13000 },
          { path: 'targets.2.monthly', from: flat(12000), to: flat(13000) },
        ],
      },
    ]);
    expect(diff.allocations.changed).toEqual([{ id: `${FINANCE}/2027`, fields: [{ path: 'budget', from: 40, to: 45 }] }]);
  });

  it('keys budget lines by unit, initiative and year', () => {
    const before = plan();
    before.budget = [
      { unitId: CUSTOMER, initiativeId: 'new-markets', year: 2027, amount: 36 },
      { unitId: CUSTOMER, year: 2027, amount: 24 },
    ];
    const after = plan();
    after.budget = [
      { unitId: CUSTOMER, initiativeId: 'new-markets', year: 2027, amount: 36, phasing: flat(36) },
      { unitId: FINANCE, year: 2027, amount: 40 },
    ];
    expect(diffPlans(before, after).budget).toEqual({
      added: [`${FINANCE}/-/2027`],
      removed: [`${CUSTOMER}/-/2027`],
      changed: [{ id: `${CUSTOMER}/new-markets/2027`, fields: [{ path: 'phasing', from: undefined, to: flat(36) }] }],
    });
    // A version stored before budgets existed has none.
    delete (before as Partial<PlanContent>).budget;
    expect(diffPlans(before, after).budget.added).toHaveLength(2);
  });
});
