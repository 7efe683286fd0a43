import { checkSpend, hasAnyRole, parseSpendRow, Role, type Actor, type ErrorDetail, type SpendEntry } from '@rollplan/domain';
import { byLine, readCsv } from './import-actuals';

export interface ParsedSpend {
  /** Entries by unit, as each unit's spend update takes them. */
  byUnit: Map<string, SpendEntry[]>;
  rows: number;
  problems: ErrorDetail[];
}

/**
 * Reads a CSV file of spend (`unit_id,initiative_id,amount`, a header line first) and checks
 * every row against the month's cost budget lines (`spendUnits`) and the importer's unit: a
 * unit reports its own spend, the planning office any unit's. Nothing is imported when any row
 * has a problem.
 */
export async function parseSpendCsv(content: Buffer, spendUnits: { unitId: string; initiativeIds: (string | null)[] }[], importer: Actor): Promise<ParsedSpend> {
  const read = await readCsv(content, parseSpendRow, 'unit_id,initiative_id,amount');
  if ('unreadable' in read) return { byUnit: new Map(), rows: 0, problems: read.unreadable };
  const { values, lines, problems } = read;
  const byUnit = new Map<string, SpendEntry[]>();
  const linesOf = new Map<string, number[]>();
  values.forEach((v, i) => {
    byUnit.set(v.unitId, [...(byUnit.get(v.unitId) ?? []), v]);
    linesOf.set(v.unitId, [...(linesOf.get(v.unitId) ?? []), lines[i]]);
  });
  for (const [unitId, entries] of byUnit) {
    const at = linesOf.get(unitId)!;
    const budget = spendUnits.find((u) => u.unitId === unitId);
    if (!budget) at.forEach((line) => problems.push({ path: `row ${line}.unit_id`, message: 'the unit has no cost budget this year' }));
    else if (!hasAnyRole(importer, [Role.Admin]) && importer.unitId !== unitId) at.forEach((line) => problems.push({ path: `row ${line}.unit_id`, message: 'a unit reports its own spend' }));
    else problems.push(...checkSpend(entries, budget.initiativeIds.map((initiativeId) => ({ initiativeId })), (i, field) => `row ${at[i]}.${field === 'initiativeId' ? 'initiative_id' : field}`));
  }
  return { byUnit, rows: values.length, problems: byLine(problems) };
}
