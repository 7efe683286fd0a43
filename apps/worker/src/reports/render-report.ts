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

/** What a cause analysis is about: the KPI, the milestone, or the unit and initiative over budget. */
function causeSubject(x: MonthlyReport['causes'][number], l: ReturnType<typeof reportLabels>): string {
  if (x.kpiId) return `${l.value('kpi')}: ${x.kpiId}`;
  if (x.milestoneId) return `${l.value('milestone')}: ${x.milestoneId}`;
  if (x.budgetUnit) return `${l.value('budget')}: ${x.budgetUnit}${x.initiativeId ? ` / ${x.initiativeId}` : ''}`;
  return DASH;
}

/** An agenda item's title in the report's language: why it is on the agenda, then what (the agenda's own titles are English). */
function agendaTitle(a: MonthlyReport['meeting']['agenda'][number], l: ReturnType<typeof reportLabels>): string {
  const subject = a.title.includes(': ') ? a.title.slice(a.title.indexOf(': ') + 2) : a.ref;
  return `${l.agenda[a.kind] ?? a.kind}: ${subject}`;
}

/** A minuted item's decisions: what, whose, by when. */
function decisionsText(report: MonthlyReport, item: NonNullable<MonthlyReport['meeting']['minutes']>['items'][number]): string {
  return item.decisions.map((d) => `${d.what} (${unitOf(report, d.ownerUnitId) ?? d.ownerUnitId}, ${d.dueAt.slice(0, 10)})`).join('; ');
}

/** A unit's name as the report knows it (owners are named in its sections); undefined if it names none. */
function unitOf(report: MonthlyReport, unitId: string): string | undefined {
  return report.units[unitId];
}

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
    [c.subject, c.owner, c.cause, c.analysis, c.status],
    report.causes.map((x) => [cell(causeSubject(x, l)), cell(x.ownerUnit), cell(x.category ? l.value(x.category) : DASH), cell(x.narrative ?? DASH), cell(l.value(x.status))]),
    l.none,
  );
  const milestones = table(
    [c.milestone, c.owner, c.dueMonth, c.status, c.newDueMonth, c.reason, c.deviation],
    report.milestones.map((m) => [cell(m.title), cell(m.ownerUnit), cell(m.dueMonth), cell(l.value(m.status), m.late ? 'status-off_track' : undefined), cell(m.newDueMonth ?? DASH), cell(m.reason ?? DASH), cell(m.late ? l.columns.yes : l.columns.no)]),
    l.none,
  );
  const budget = table(
    [c.owner, c.initiative, c.budget, c.spent, c.ytdBudget, c.ytdSpent, c.ytdVariancePct, c.status],
    report.budget.map((b) => [cell(b.unit), cell(b.initiativeId ?? l.value('running_costs')), cell(number(b.budget)), cell(number(b.spent)), cell(number(b.ytdBudget)), cell(number(b.ytdSpent)), cell(percent(b.ytdVariancePct)), cell(l.value(b.status), b.status === 'overspent' ? 'status-off_track' : undefined)]),
    l.none,
  );
  const risks = table(
    [c.risk, c.category, c.owner, c.likelihood, c.impact, c.level, c.response, c.status, c.attention],
    report.risks.map((r) => [cell(r.title), cell(l.value(r.category)), cell(r.ownerUnit), cell(r.likelihood), cell(r.impact), cell(l.value(r.level), r.committeeAttention ? 'status-off_track' : undefined), cell(l.value(r.response)), cell(l.value(r.status)), cell(r.committeeAttention ? l.columns.yes : l.columns.no)]),
    l.none,
  );
  const evaluations = table(
    [c.span, c.owner, c.kpiScore, c.milestoneScore, c.budgetScore, c.score, c.grade, c.adjustedScore, c.finalGrade, c.status],
    report.evaluations.map((e) => [cell(e.span), cell(e.unit), cell(number(e.kpiScore)), cell(number(e.milestoneScore)), cell(number(e.budgetScore)), cell(number(e.score)), cell(e.grade), cell(number(e.adjustedScore)), cell(e.finalGrade ?? DASH), cell(l.value(e.status))]),
    l.none,
  );
  const minutesOf = (itemId: string) => report.meeting.minutes?.items.find((i) => i.itemId === itemId);
  const meeting = table(
    [c.agendaItem, c.owner, c.detail, c.minutes, c.decisionsTaken],
    report.meeting.agenda.map((a) => {
      const m = minutesOf(a.id);
      return [cell(agendaTitle(a, l)), cell(a.ownerUnitId ? (unitOf(report, a.ownerUnitId) ?? DASH) : DASH), cell(a.detail), cell(m?.minutes ?? DASH), cell((m && decisionsText(report, m)) || DASH)];
    }),
    l.none,
  ) + (report.meeting.agenda.length > 0 && !report.meeting.minutes ? `<p>${escapeHtml(l.columns.noMinutes)}</p>` : '');
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
<h2>${escapeHtml(l.sections.milestones)}</h2>${milestones}
<h2>${escapeHtml(l.sections.budget)}</h2>${budget}
<h2>${escapeHtml(l.sections.risks)}</h2>${risks}
<h2>${escapeHtml(l.sections.meeting)}</h2>${meeting}
${report.evaluations.length > 0 ? `<h2>${escapeHtml(l.sections.evaluations)}</h2>${evaluations}\n` : ''}<h2>${escapeHtml(l.sections.causes)}</h2>${causes}
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
    l.sections.milestones,
    [
      { header: c.milestone, key: 'title', width: 32 },
      { header: c.owner, key: 'ownerUnit', width: 24 },
      { header: c.dueMonth, key: 'dueMonth', width: 10 },
      { header: c.status, key: 'status', width: 12 },
      { header: c.newDueMonth, key: 'newDueMonth', width: 10 },
      { header: c.reason, key: 'reason', width: 40 },
      { header: c.deviation, key: 'late', width: 10 },
    ],
    report.milestones.map((m) => ({ ...m, status: l.value(m.status), late: m.late ? l.columns.yes : l.columns.no })),
  );
  sheet(
    l.sections.budget,
    [
      { header: c.owner, key: 'unit', width: 24 },
      { header: c.initiative, key: 'initiativeId', width: 18 },
      { header: c.budget, key: 'budget', width: 12 },
      { header: c.spent, key: 'spent', width: 12 },
      { header: c.ytdBudget, key: 'ytdBudget', width: 12 },
      { header: c.ytdSpent, key: 'ytdSpent', width: 12 },
      { header: c.ytdVariancePct, key: 'ytdVariancePct', width: 12, numFmt: '0.0%' },
      { header: c.status, key: 'status', width: 12 },
    ],
    report.budget.map((b) => ({ ...b, initiativeId: b.initiativeId ?? l.value('running_costs'), status: l.value(b.status) })),
  );
  sheet(
    l.sections.risks,
    [
      { header: c.risk, key: 'title', width: 32 },
      { header: c.category, key: 'category', width: 12 },
      { header: c.owner, key: 'ownerUnit', width: 24 },
      { header: c.likelihood, key: 'likelihood', width: 10 },
      { header: c.impact, key: 'impact', width: 10 },
      { header: c.level, key: 'level', width: 10 },
      { header: c.response, key: 'response', width: 10 },
      { header: c.status, key: 'status', width: 10 },
      { header: c.attention, key: 'attention', width: 12 },
    ],
    report.risks.map((r) => ({ ...r, category: l.value(r.category), level: l.value(r.level), response: l.value(r.response), status: l.value(r.status), attention: r.committeeAttention ? l.columns.yes : l.columns.no })),
  );
  sheet(
    l.sections.meeting,
    [
      { header: c.agendaItem, key: 'title', width: 36 },
      { header: c.detail, key: 'detail', width: 40 },
      { header: c.minutes, key: 'minutes', width: 50 },
      { header: c.decisionsTaken, key: 'decisions', width: 50 },
    ],
    report.meeting.agenda.map((a) => {
      const m = report.meeting.minutes?.items.find((i) => i.itemId === a.id);
      return { title: agendaTitle(a, l), detail: a.detail, minutes: m?.minutes ?? null, decisions: (m && decisionsText(report, m)) || null };
    }),
  );
  if (report.evaluations.length > 0) {
    sheet(
      l.sections.evaluations,
      [
        { header: c.span, key: 'span', width: 10 },
        { header: c.owner, key: 'unit', width: 24 },
        { header: c.kpiScore, key: 'kpiScore', width: 10 },
        { header: c.milestoneScore, key: 'milestoneScore', width: 10 },
        { header: c.budgetScore, key: 'budgetScore', width: 10 },
        { header: c.score, key: 'score', width: 10 },
        { header: c.grade, key: 'grade', width: 8 },
        { header: c.adjustedScore, key: 'adjustedScore', width: 10 },
        { header: c.finalGrade, key: 'finalGrade', width: 10 },
        { header: c.status, key: 'status', width: 10 },
      ],
      report.evaluations.map((e) => ({ ...e, status: l.value(e.status) })),
    );
  }
  sheet(
    l.sections.causes,
    [
      { header: c.subject, key: 'subject', width: 28 },
      { header: c.owner, key: 'ownerUnit', width: 24 },
      { header: c.cause, key: 'category', width: 20 },
      { header: c.analysis, key: 'narrative', width: 60 },
      { header: c.status, key: 'status', width: 12 },
    ],
    report.causes.map((x) => ({ ...x, subject: causeSubject(x, l), category: x.category ? l.value(x.category) : null, status: l.value(x.status) })),
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
