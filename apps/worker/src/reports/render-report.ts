import ExcelJS from 'exceljs';
import type { MonthlyReport } from '@rollplan/domain';

const DASH = '—';

function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function number(value: number | null): string {
  return value === null ? DASH : String(Math.round(value * 100) / 100);
}

function percent(value: number | null): string {
  return value === null ? DASH : `${(Math.round(value * 1000) / 10).toFixed(1)} %`;
}

const words = (value: string) => value.replace(/_/g, ' ');

function table(headers: string[], rows: string[][]): string {
  if (rows.length === 0) return '<p>None.</p>';
  return `<table><thead><tr>${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.join('')}</tr>`).join('')}</tbody></table>`;
}
const cell = (value: unknown, className?: string) => `<td${className ? ` class="${className}"` : ''}>${escapeHtml(value)}</td>`;

/** The report as one self-contained HTML document, for the operations meeting. */
export function renderReportHtml(report: MonthlyReport): string {
  const title = `Monthly report ${report.period} — ${report.cycleTitle}`;
  const kpis = table(
    ['KPI', 'Owner', 'Unit', 'Target', 'Actual', 'Variance', 'Variance %', 'Status', 'Trend'],
    report.kpis.map((k) => [cell(k.name), cell(k.ownerUnit), cell(k.unit), cell(number(k.target)), cell(number(k.actual)), cell(number(k.variance)), cell(percent(k.variancePct)), cell(words(k.status), `status-${k.status}`), cell(words(k.trend))]),
  );
  const causes = table(
    ['KPI', 'Owner', 'Cause', 'Analysis', 'Status'],
    report.causes.map((c) => [cell(c.kpiId), cell(c.ownerUnit), cell(c.category ? words(c.category) : DASH), cell(c.narrative ?? DASH), cell(c.status)]),
  );
  const actions = table(
    ['Action', 'Owner', 'Due', 'KPI / initiative', 'Status', 'Since'],
    report.actions.map((a) => [cell(a.what), cell(a.ownerUnit), cell(a.dueAt.slice(0, 10)), cell(a.kpiId ?? a.initiativeId ?? DASH), cell(a.status), cell(a.fromPeriod)]),
  );
  const decisions = report.decisions.length === 0 ? '<p>None.</p>' : `<ul>${report.decisions.map((d) => `<li>${escapeHtml(d.at.slice(0, 16).replace('T', ' '))} · ${escapeHtml(d.by ?? 'rollplan')}: ${escapeHtml(d.what)}</li>`).join('')}</ul>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;width:100%;margin-bottom:1.5rem}
th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left}
th{background:#f3f3f3}
.status-on_track{color:#17692b}.status-at_risk{color:#9a6400}.status-off_track{color:#b00020;font-weight:bold}.status-missing{color:#777}
</style></head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>Plan version ${escapeHtml(report.version)} · ${escapeHtml(words(report.status))} · generated ${escapeHtml(report.generatedAt)}</p>
<h2>KPIs</h2>${kpis}
<h2>Causes</h2>${causes}
<h2>Corrective actions</h2>${actions}
<h2>Decisions</h2>${decisions}
</body></html>
`;
}

/** The report as a workbook: one sheet per section, numbers as numbers. */
export async function renderReportXlsx(report: MonthlyReport): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'rollplan';
  const sheet = (name: string, columns: { header: string; key: string; width: number; numFmt?: string }[], rows: Record<string, unknown>[]) => {
    const ws = workbook.addWorksheet(name);
    ws.columns = columns.map(({ header, key, width }) => ({ header, key, width }));
    ws.getRow(1).font = { bold: true };
    for (const row of rows) ws.addRow(row);
    columns.forEach((c, i) => c.numFmt && (ws.getColumn(i + 1).numFmt = c.numFmt));
  };
  sheet(
    'KPIs',
    [
      { header: 'KPI', key: 'name', width: 28 },
      { header: 'Owner', key: 'ownerUnit', width: 24 },
      { header: 'Unit', key: 'unit', width: 10 },
      { header: 'Target', key: 'target', width: 12 },
      { header: 'Actual', key: 'actual', width: 12 },
      { header: 'Variance', key: 'variance', width: 12 },
      { header: 'Variance %', key: 'variancePct', width: 12, numFmt: '0.0%' },
      { header: 'Status', key: 'status', width: 12 },
      { header: 'Trend', key: 'trend', width: 12 },
    ],
    report.kpis.map((k) => ({ ...k, status: words(k.status), trend: words(k.trend) })),
  );
  sheet(
    'Causes',
    [
      { header: 'KPI', key: 'kpiId', width: 20 },
      { header: 'Owner', key: 'ownerUnit', width: 24 },
      { header: 'Cause', key: 'category', width: 20 },
      { header: 'Analysis', key: 'narrative', width: 60 },
      { header: 'Status', key: 'status', width: 12 },
    ],
    report.causes.map((c) => ({ ...c, category: c.category ? words(c.category) : null })),
  );
  sheet(
    'Actions',
    [
      { header: 'Action', key: 'what', width: 40 },
      { header: 'Owner', key: 'ownerUnit', width: 24 },
      { header: 'Due', key: 'dueAt', width: 12 },
      { header: 'KPI', key: 'kpiId', width: 16 },
      { header: 'Initiative', key: 'initiativeId', width: 16 },
      { header: 'Status', key: 'status', width: 12 },
      { header: 'Since', key: 'fromPeriod', width: 10 },
    ],
    report.actions.map((a) => ({ ...a, dueAt: a.dueAt.slice(0, 10) })),
  );
  sheet(
    'Decisions',
    [
      { header: 'When', key: 'at', width: 22 },
      { header: 'Who', key: 'by', width: 24 },
      { header: 'What', key: 'what', width: 60 },
    ],
    report.decisions,
  );
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
