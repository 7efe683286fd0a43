import type { PlanContent } from '@rollplan/domain';

const months = (yearly: number) => Array.from({ length: 12 }, () => yearly / 12);

/** A valid three-year plan (default 2027–2029) owned by the given units. */
export function samplePlan(units: { finance: string; customer: string }, startYear = 2027): PlanContent {
  const years = [startYear, startYear + 1, startYear + 2];
  return {
    goals: [
      { id: 'revenue', title: 'Grow revenue', description: '', target: `revenue 12 bn CNY in ${startYear + 2}` },
      { id: 'nps', title: 'Delight customers', description: '', target: `NPS 60 by ${startYear + 2}` },
    ],
    initiatives: [{ id: 'new-regions', title: 'Enter two new regions', description: '', ownerUnitId: units.customer, years: [startYear, startYear + 1], goalIds: ['revenue'] }],
    milestones: [{ id: 'south-office', year: startYear, title: 'Open the southern office', initiativeId: 'new-regions' }],
    allocations: [
      { unitId: units.finance, year: startYear, budget: 40, headcount: 12 },
      { unitId: units.customer, year: startYear, budget: 60, headcount: 30 },
    ],
    totals: [{ year: startYear, budget: 100, headcount: 42 }],
    budget: [],
    kpis: [
      {
        id: 'revenue-cny',
        name: 'Revenue',
        unit: 'CNY m',
        direction: 'higher_is_better',
        aggregation: 'sum',
        ownerUnitId: units.finance,
        goalIds: ['revenue'],
        targets: years.map((year, i) => ({ year, target: 9600 + 1200 * i, monthly: months(9600 + 1200 * i) })),
      },
      {
        id: 'nps',
        name: 'Net promoter score',
        unit: 'points',
        direction: 'higher_is_better',
        aggregation: 'last',
        ownerUnitId: units.customer,
        goalIds: ['nps'],
        targets: years.map((year, i) => ({ year, target: 40 + 10 * i, monthly: [...Array<number>(11).fill(35), 40 + 10 * i] })),
      },
    ],
    contributionIds: [],
  };
}

/** The sample plan for `startYear`… whose first year's revenue target is `monthly` a month. */
export function planWithMonthlyRevenue(units: { finance: string; customer: string }, startYear: number, monthly: number): PlanContent {
  const plan = samplePlan(units, startYear);
  plan.kpis[0].targets[0] = { year: startYear, target: monthly * 12, monthly: Array(12).fill(monthly) };
  return plan;
}

/** A contribution payload for a center's area. */
export function contributionFor(area: string): Record<string, string> {
  const text = (what: string) => `${what}: analysed for 2027–2029`;
  const byArea: Record<string, Record<string, string>> = {
    strategy_rd: { industryEnvironment: text('industry'), businessModels: text('business models'), competitors: text('competitors') },
    finance: { funding: text('funding'), investmentCapacity: text('investment'), financingCapacity: text('financing'), financialPosition: text('position') },
    hr: { people: text('people'), capabilities: text('capabilities') },
    project_operations: { engineeringCapability: text('engineering'), technicalManagementCapability: text('technical management') },
    customer: { customers: text('customers'), marketing: text('marketing'), brand: text('brand') },
  };
  return { area, ...byArea[area] };
}
