import ExcelJS from 'exceljs';
import { reportLabels, type MonthlyReport, type ReportLanguage } from '@rollplan/domain';

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

function table(headers: string[], rows: string[][], none: string): string {
  if (rows.length === 0) return `<p>${escapeHtml(none)}</p>`;
  return `<table><thead><tr>${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.join('')}</tr>`).join('')}</tbody></table>`;
}
const cell = (value: unknown, className?: string) => `<td${className ? ` class="${className}"` : ''}>${escapeHtml(value)}</td>`;

/** The report as one self-contained HTML document, for the operations meeting, in `language`. */
export function renderReportHtml(report: MonthlyReport, language: ReportLanguage = 'zh-CN'): string {
  const l = reportLabels(language);
  const c = l.columns;
  const title = l.title(report.period, report.cycleTitle);
  const kpis = table(
    [c.kpi, c.owner, c.unit, c.target, c.actual, c.variance, c.variancePct, c.status, c.trend],
    report.kpis.map((k) => [cell(k.name), cell(k.ownerUnit), cell(k.unit), cell(number(k.target)), cell(number(k.actual)), cell(number(k.variance)), cell(percent(k.variancePct)), cell(l.value(k.status), `status-${k.status}`), cell(l.value(k.trend))]),
    l.none,
  );
  const causes = table(
    [c.kpi, c.owner, c.cause, c.analysis, c.status],
    report.causes.map((x) => [cell(x.kpiId), cell(x.ownerUnit), cell(x.category ? l.value(x.category) : DASH), cell(x.narrative ?? DASH), cell(l.value(x.status))]),
    l.none,
  );
  const actions = table(
    [c.action, c.owner, c.due, c.kpiOrInitiative, c.status, c.since],
    report.actions.map((a) => [cell(a.what), cell(a.ownerUnit), cell(a.dueAt.slice(0, 10)), cell(a.kpiId ?? a.initiativeId ?? DASH), cell(l.value(a.status)), cell(a.fromPeriod)]),
    l.none,
  );
  const decisions = report.decisions.length === 0 ? `<p>${escapeHtml(l.none)}</p>` : `<ul>${report.decisions.map((d) => `<li>${escapeHtml(d.at.slice(0, 16).replace('T', ' '))} · ${escapeHtml(d.by ?? l.rollplan)}: ${escapeHtml(d.what)}</li>`).join('')}</ul>`;
  return `<!doctype html>
<html lang="${language}"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;width:100%;margin-bottom:1.5rem}
th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left}
th{background:#f3f3f3}
.status-on_track{color:#17692b}.status-at_risk{color:#9a6400}.status-off_track{color:#b00020;font-weight:bold}.status-missing{color:#777}
</style></head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(l.planVersion)} ${escapeHtml(report.version)} · ${escapeHtml(l.value(report.status))} · ${escapeHtml(l.generated)} ${escapeHtml(report.generatedAt)}</p>
<h2>${escapeHtml(l.sections.kpis)}</h2>${kpis}
<h2>${escapeHtml(l.sections.causes)}</h2>${causes}
<h2>${escapeHtml(l.sections.actions)}</h2>${actions}
<h2>${escapeHtml(l.sections.decisions)}</h2>${decisions}
</body></html>
`;
}

/** The report as a workbook in `language`: one sheet per section, numbers as numbers. */
export async function renderReportXlsx(report: MonthlyReport, language: ReportLanguage = 'zh-CN'): Promise<Buffer> {
  const l = reportLabels(language);
  const c = l.columns;
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'rollplan';
  const sheet = (name: string, columns: { header: string; key: string; width: number; numFmt?: string }[], rows: Record<string, unknown>[]) => {
    const ws = workbook.addWorksheet(name);
    ws.columns = columns.map(({ header, key, width }) => ({ header, key, width }));
    ws.getRow(1).font = { bold: true };
    for (const row of rows) ws.addRow(row);
    columns.forEach((column, i) => column.numFmt && (ws.getColumn(i + 1).numFmt = column.numFmt));
  };
  sheet(
    l.sections.kpis,
    [
      { header: c.kpi, key: 'name', width: 28 },
      { header: c.owner, key: 'ownerUnit', width: 24 },
      { header: c.unit, key: 'unit', width: 10 },
      { header: c.target, key: 'target', width: 12 },
      { header: c.actual, key: 'actual', width: 12 },
      { header: c.variance, key: 'variance', width: 12 },
      { header: c.variancePct, key: 'variancePct', width: 12, numFmt: '0.0%' },
      { header: c.status, key: 'status', width: 12 },
      { header: c.trend, key: 'trend', width: 12 },
    ],
    report.kpis.map((k) => ({ ...k, status: l.value(k.status), trend: l.value(k.trend) })),
  );
  sheet(
    l.sections.causes,
    [
      { header: c.kpi, key: 'kpiId', width: 20 },
      { header: c.owner, key: 'ownerUnit', width: 24 },
      { header: c.cause, key: 'category', width: 20 },
      { header: c.analysis, key: 'narrative', width: 60 },
      { header: c.status, key: 'status', width: 12 },
    ],
    report.causes.map((x) => ({ ...x, category: x.category ? l.value(x.category) : null, status: l.value(x.status) })),
  );
  sheet(
    l.sections.actions,
    [
      { header: c.action, key: 'what', width: 40 },
      { header: c.owner, key: 'ownerUnit', width: 24 },
      { header: c.due, key: 'dueAt', width: 12 },
      { header: c.kpi, key: 'kpiId', width: 16 },
      { header: c.initiative, key: 'initiativeId', width: 16 },
      { header: c.status, key: 'status', width: 12 },
      { header: c.since, key: 'fromPeriod', width: 10 },
    ],
    report.actions.map((a) => ({ ...a, dueAt: a.dueAt.slice(0, 10), status: l.value(a.status) })),
  );
  sheet(
    l.sections.decisions,
    [
      { header: c.when, key: 'at', width: 22 },
      { header: c.who, key: 'by', width: 24 },
      { header: c.what, key: 'what', width: 60 },
    ],
    report.decisions,
  );
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
