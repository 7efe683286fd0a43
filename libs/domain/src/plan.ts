import type { Kpi, PlanContent } from './plan.schema';
import { isPeriod, parsePeriod, planYears } from './calendar';
import type { ErrorDetail } from './errors';

/**
 * A three-year strategic plan (seed 000 §3): development goals, strategic initiatives, a
 * year-by-year implementation plan, internal resource allocation, and KPI targets per year
 * broken down by month. A submitted version is immutable; revisions are new versions.
 */

export const KpiDirection = { HigherIsBetter: 'higher_is_better', LowerIsBetter: 'lower_is_better' } as const;
export type KpiDirection = (typeof KpiDirection)[keyof typeof KpiDirection];
/** How twelve monthly values make the yearly one. */
export const KpiAggregation = { Sum: 'sum', Average: 'average', Last: 'last' } as const;
export type KpiAggregation = (typeof KpiAggregation)[keyof typeof KpiAggregation];

export type { Kpi, PlanContent } from './plan.schema';

/** Monthly values that add up to the yearly target under the KPI's aggregation (1e-6 relative). */
export function aggregate(aggregation: KpiAggregation, monthly: number[]): number {
  if (aggregation === KpiAggregation.Sum) return monthly.reduce((a, b) => a + b, 0);
  if (aggregation === KpiAggregation.Average) return monthly.reduce((a, b) => a + b, 0) / monthly.length;
  return monthly[monthly.length - 1];
}

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));
}

/**
 * Every rule a draft must meet before it can be submitted, each problem with its path:
 * unique ids; references resolve; years inside the horizon; every goal measured by a KPI; every
 * initiative owned; unit allocations adding up to the year totals; each KPI with one target per
 * plan year whose monthly breakdown matches it under the KPI's aggregation; every milestone owned
 * and due in its year; budget lines phased to their amount, once per unit/initiative/year, and
 * adding up to the unit's allocation of the year.
 */
export function validatePlan(plan: PlanContent, horizon: { startYear: number; horizonYears: number }, knownUnitIds?: ReadonlySet<string>): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const add = (path: (string | number)[], message: string) => problems.push({ path: path.join('.'), message });
  const years = planYears(horizon.startYear, horizon.horizonYears);
  const inHorizon = (y: number) => years.includes(y);

  const uniqueIds = (list: { id: string }[], name: string) => {
    const seen = new Set<string>();
    list.forEach((item, i) => {
      if (seen.has(item.id)) add([name, i, 'id'], `duplicate id ${item.id}`);
      seen.add(item.id);
    });
    return seen;
  };
  const goalIds = uniqueIds(plan.goals, 'goals');
  const initiativeIds = uniqueIds(plan.initiatives, 'initiatives');
  uniqueIds(plan.milestones, 'milestones');
  uniqueIds(plan.kpis, 'kpis');
  const unitKnown = (id: string) => !knownUnitIds || knownUnitIds.has(id);

  plan.goals.forEach((goal, i) => {
    if (!plan.kpis.some((kpi) => kpi.goalIds.includes(goal.id))) add(['goals', i], `goal ${goal.id} is measured by no KPI`);
  });

  plan.initiatives.forEach((initiative, i) => {
    if (!unitKnown(initiative.ownerUnitId)) add(['initiatives', i, 'ownerUnitId'], 'no such org unit');
    initiative.goalIds.forEach((g, j) => goalIds.has(g) || add(['initiatives', i, 'goalIds', j], `no goal ${g}`));
    initiative.years.forEach((y, j) => inHorizon(y) || add(['initiatives', i, 'years', j], `${y} is outside the plan years ${years.join(', ')}`));
  });

  plan.milestones.forEach((milestone, i) => {
    if (!inHorizon(milestone.year)) add(['milestones', i, 'year'], `${milestone.year} is outside the plan years`);
    if (milestone.initiativeId && !initiativeIds.has(milestone.initiativeId)) add(['milestones', i, 'initiativeId'], `no initiative ${milestone.initiativeId}`);
    // Someone answers for it every month: its own unit, else its initiative's owner.
    if (!milestone.ownerUnitId && !milestone.initiativeId) add(['milestones', i], 'a milestone needs an owner: ownerUnitId or an initiative');
    if (milestone.ownerUnitId && !unitKnown(milestone.ownerUnitId)) add(['milestones', i, 'ownerUnitId'], 'no such org unit');
    if (milestone.dueMonth !== undefined) {
      if (!isPeriod(milestone.dueMonth)) add(['milestones', i, 'dueMonth'], 'must be a month, YYYY-MM');
      else if (parsePeriod(milestone.dueMonth).year !== milestone.year) add(['milestones', i, 'dueMonth'], `${milestone.dueMonth} is not in the milestone's year ${milestone.year}`);
    }
  });

  const allocationKeys = new Set<string>();
  plan.allocations.forEach((allocation, i) => {
    const key = `${allocation.unitId}/${allocation.year}`;
    if (allocationKeys.has(key)) add(['allocations', i], `a second allocation for this unit in ${allocation.year}`);
    allocationKeys.add(key);
    if (!unitKnown(allocation.unitId)) add(['allocations', i, 'unitId'], 'no such org unit');
    if (!inHorizon(allocation.year)) add(['allocations', i, 'year'], `${allocation.year} is outside the plan years`);
  });
  plan.totals.forEach((total, i) => {
    const ofYear = plan.allocations.filter((a) => a.year === total.year);
    const budget = ofYear.reduce((sum, a) => sum + a.budget, 0);
    const headcount = ofYear.reduce((sum, a) => sum + a.headcount, 0);
    if (!close(budget, total.budget)) add(['totals', i, 'budget'], `unit budgets for ${total.year} add up to ${budget}, not ${total.budget}`);
    if (headcount !== total.headcount) add(['totals', i, 'headcount'], `unit headcounts for ${total.year} add up to ${headcount}, not ${total.headcount}`);
  });

  // Plans stored before budgets existed have none; a unit/year without lines is budgeted by its allocation.
  const budget = plan.budget ?? [];
  const lineKeys = new Set<string>();
  const ofUnitYear = new Map<string, { first: number; sum: number }>();
  budget.forEach((line, i) => {
    if (!unitKnown(line.unitId)) add(['budget', i, 'unitId'], 'no such org unit');
    if (!inHorizon(line.year)) add(['budget', i, 'year'], `${line.year} is outside the plan years`);
    if (line.initiativeId && !initiativeIds.has(line.initiativeId)) add(['budget', i, 'initiativeId'], `no initiative ${line.initiativeId}`);
    if (line.phasing) {
      const phased = line.phasing.reduce((a, b) => a + b, 0);
      if (!close(phased, line.amount)) add(['budget', i, 'phasing'], `the months add up to ${phased}, not the amount ${line.amount}`);
    }
    const key = `${line.unitId}/${line.initiativeId ?? '-'}/${line.year}`;
    if (lineKeys.has(key)) add(['budget', i], `a second budget line for this unit${line.initiativeId ? ` and initiative ${line.initiativeId}` : ' outside its initiatives'} in ${line.year}`);
    lineKeys.add(key);
    const unitYear = `${line.unitId}/${line.year}`;
    const group = ofUnitYear.get(unitYear);
    if (group) group.sum += line.amount;
    else ofUnitYear.set(unitYear, { first: i, sum: line.amount });
  });
  for (const [unitYear, { first, sum }] of ofUnitYear) {
    const line = budget[first];
    const allocation = plan.allocations.find((a) => `${a.unitId}/${a.year}` === unitYear);
    if (!allocation) add(['budget', first], `the unit has no allocation in ${line.year} for its budget lines`);
    else if (!close(sum, allocation.budget)) add(['budget', first], `the unit's budget lines for ${line.year} add up to ${sum}, not its allocated budget ${allocation.budget}`);
  }

  plan.kpis.forEach((kpi, i) => {
    if (!unitKnown(kpi.ownerUnitId)) add(['kpis', i, 'ownerUnitId'], 'no such org unit');
    kpi.goalIds.forEach((g, j) => goalIds.has(g) || add(['kpis', i, 'goalIds', j], `no goal ${g}`));
    for (const y of years) {
      if (!kpi.targets.some((t) => t.year === y)) add(['kpis', i, 'targets'], `no target for ${y}`);
    }
    kpi.targets.forEach((target, j) => {
      if (!inHorizon(target.year)) add(['kpis', i, 'targets', j, 'year'], `${target.year} is outside the plan years`);
      else if (kpi.targets.findIndex((t) => t.year === target.year) !== j) add(['kpis', i, 'targets', j, 'year'], `a second target for ${target.year}`);
      const made = aggregate(kpi.aggregation, target.monthly);
      if (!close(made, target.target)) add(['kpis', i, 'targets', j, 'monthly'], `the ${kpi.aggregation} of the months is ${made}, not the target ${target.target}`);
    });
  });
  return problems;
}

export interface FieldChange {
  path: string;
  from: unknown;
  to: unknown;
}
export interface ListDiff {
  added: string[];
  removed: string[];
  changed: { id: string; fields: FieldChange[] }[];
}
export type PlanDiff = Record<'goals' | 'initiatives' | 'milestones' | 'kpis' | 'allocations' | 'totals' | 'budget', ListDiff>;

/**
 * What changed from `from` to `to`, item by item and field by field (allocations keyed by unit
 * and year, budget lines by `unit/initiative/year` with `-` for no initiative).
 */
export function diffPlans(from: PlanContent, to: PlanContent): PlanDiff {
  const keyed = <T>(list: T[], key: (item: T) => string) => new Map(list.map((item) => [key(item), item]));
  const byId = (item: { id: string }) => item.id;
  const lists = {
    goals: [from.goals, to.goals, byId],
    initiatives: [from.initiatives, to.initiatives, byId],
    milestones: [from.milestones, to.milestones, byId],
    kpis: [from.kpis, to.kpis, byId],
    allocations: [from.allocations, to.allocations, (a: { unitId: string; year: number }) => `${a.unitId}/${a.year}`],
    totals: [from.totals, to.totals, (t: { year: number }) => String(t.year)],
    // Plans stored before budgets existed have none.
    budget: [from.budget ?? [], to.budget ?? [], (b: { unitId: string; initiativeId?: string; year: number }) => `${b.unitId}/${b.initiativeId ?? '-'}/${b.year}`],
  } as const;
  const diff = {} as PlanDiff;
  for (const [name, [before, after, key]] of Object.entries(lists) as unknown as [keyof PlanDiff, [unknown[], unknown[], (item: never) => string]][]) {
    const a = keyed(before as never[], key);
    const b = keyed(after as never[], key);
    diff[name] = {
      added: [...b.keys()].filter((k) => !a.has(k)),
      removed: [...a.keys()].filter((k) => !b.has(k)),
      changed: [...b.keys()]
        .filter((k) => a.has(k))
        .map((k) => ({ id: k, fields: fieldChanges(a.get(k), b.get(k), '') }))
        .filter((c) => c.fields.length > 0),
    };
  }
  return diff;
}

function fieldChanges(a: unknown, b: unknown, path: string): FieldChange[] {
  if (Object.is(a, b)) return [];
  const bothObjects = a !== null && b !== null && typeof a === 'object' && typeof b === 'object';
  if (!bothObjects || Array.isArray(a) !== Array.isArray(b)) return [{ path, from: a, to: b }];
  // Arrays of numbers (monthly targets) or ids compare whole: "monthly changed" reads better than 12 entries.
  if (Array.isArray(a) && Array.isArray(b) && !a.some((x) => typeof x === 'object')) {
    return JSON.stringify(a) === JSON.stringify(b) ? [] : [{ path, from: a, to: b }];
  }
  const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
  return [...keys].flatMap((k) => fieldChanges((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k));
}
