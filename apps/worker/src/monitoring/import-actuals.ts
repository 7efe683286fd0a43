import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { checkActuals, foreignKpis, hasAnyRole, parseActualsRow, Role, type Actor, type ErrorDetail, type MonthTarget } from '@rollplan/domain';

export interface ParsedActuals {
  values: { kpiId: string; value: number; unit?: string }[];
  rows: number;
  problems: ErrorDetail[];
}

/**
 * Reads a CSV file of actuals (`kpi_id,value[,unit]`, a header line first) as a stream and
 * checks every row against the month's targets and the importer's KPIs. Every problem is
 * reported with its line and column; the caller imports nothing when there is any.
 */
export async function parseActualsCsv(content: Buffer, targets: MonthTarget[], importer: Actor): Promise<ParsedActuals> {
  const values: ParsedActuals['values'] = [];
  const lines: number[] = [];
  const problems: ErrorDetail[] = [];
  const parser = Readable.from(content).pipe(parse({ columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()), bom: true, skip_empty_lines: true, trim: true, info: true, relax_column_count: true }));
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      const parsed = parseActualsRow(record, info.lines);
      problems.push(...parsed.problems);
      if (parsed.value) {
        values.push(parsed.value);
        lines.push(info.lines);
      }
    }
  } catch (error) {
    return { values: [], rows: 0, problems: [{ path: 'file', message: `not a readable CSV file: ${(error as Error).message}` }] };
  }
  if (values.length === 0 && problems.length === 0) problems.push({ path: 'file', message: 'the file has no rows after its header (kpi_id,value,unit)' });
  problems.push(...checkActuals(values, targets, (i, field) => `row ${lines[i]}.${field === 'kpiId' ? 'kpi_id' : field}`));
  if (!hasAnyRole(importer, [Role.Admin])) {
    const foreign = new Set(foreignKpis(values, targets, importer.unitId));
    values.forEach((v, i) => foreign.has(v.kpiId) && problems.push({ path: `row ${lines[i]}.kpi_id`, message: `your unit does not own ${v.kpiId}` }));
  }
  problems.sort((a, b) => lineOf(a.path) - lineOf(b.path));
  return { values, rows: values.length, problems };
}

function lineOf(path: string): number {
  return Number(/^row (\d+)/.exec(path)?.[1] ?? 0);
}
