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
  const read = await readCsv(content, parseActualsRow, 'kpi_id,value,unit');
  if ('unreadable' in read) return { values: [], rows: 0, problems: read.unreadable };
  const { values, lines, problems } = read;
  problems.push(...checkActuals(values, targets, (i, field) => `row ${lines[i]}.${field === 'kpiId' ? 'kpi_id' : field}`));
  if (!hasAnyRole(importer, [Role.Admin])) {
    const foreign = new Set(foreignKpis(values, targets, importer.unitId));
    values.forEach((v, i) => foreign.has(v.kpiId) && problems.push({ path: `row ${lines[i]}.kpi_id`, message: `your unit does not own ${v.kpiId}` }));
  }
  return { values, rows: values.length, problems: byLine(problems) };
}

/**
 * Reads a CSV file (a header line first, names trimmed and lower-cased) as a stream, each row
 * through `parseRow`: the values with their lines, and every problem named by line and column.
 */
export async function readCsv<T>(
  content: Buffer,
  parseRow: (row: Record<string, string>, line: number) => { value?: T; problems: ErrorDetail[] },
  columns: string,
): Promise<{ values: T[]; lines: number[]; problems: ErrorDetail[] } | { unreadable: ErrorDetail[] }> {
  const values: T[] = [];
  const lines: number[] = [];
  const problems: ErrorDetail[] = [];
  const parser = Readable.from(content).pipe(parse({ columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()), bom: true, skip_empty_lines: true, trim: true, info: true, relax_column_count: true }));
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      const parsed = parseRow(record, info.lines);
      problems.push(...parsed.problems);
      if (parsed.value) {
        values.push(parsed.value);
        lines.push(info.lines);
      }
    }
  } catch (error) {
    return { unreadable: [{ path: 'file', message: `not a readable CSV file: ${(error as Error).message}` }] };
  }
  if (values.length === 0 && problems.length === 0) problems.push({ path: 'file', message: `the file has no rows after its header (${columns})` });
  return { values, lines, problems };
}

/** Problems in file order. */
export function byLine(problems: ErrorDetail[]): ErrorDetail[] {
  return [...problems].sort((a, b) => lineOf(a.path) - lineOf(b.path));
}

function lineOf(path: string): number {
  return Number(/^row (\d+)/.exec(path)?.[1] ?? 0);
}
