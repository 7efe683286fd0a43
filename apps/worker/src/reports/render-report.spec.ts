import ExcelJS from 'exceljs';
import type { MonthlyReport } from '@rollplan/domain';
import { renderReportHtml, renderReportXlsx } from './render-report';

const report: MonthlyReport = {
  cycleId: '00000000-0000-4000-8000-000000000001',
  cycleTitle: 'Group plan <2027–2029>',
  period: '2027-03',
  version: 2,
  status: 'closed',
  generatedAt: '2027-05-01T00:00:00.000Z',
  kpis: [
    { kpiId: 'revenue', name: 'Revenue', unit: 'CNY m', direction: 'higher_is_better', ownerUnit: 'Finance center', target: 800, actual: 600, variance: -200, variancePct: -0.25, status: 'off_track', trend: 'worsening' },
    { kpiId: 'nps', name: 'NPS', unit: 'points', direction: 'higher_is_better', ownerUnit: 'Customer center', target: 35, actual: 36, variance: 1, variancePct: 1 / 35, status: 'on_track', trend: 'stable' },
    { kpiId: 'cost', name: 'Cost', unit: 'CNY m', direction: 'lower_is_better', ownerUnit: 'Finance center', target: 50, actual: null, variance: null, variancePct: null, status: 'missing', trend: 'new' },
  ],
  causes: [
    { kpiId: 'revenue', milestoneId: null, budgetUnit: null, initiativeId: null, ownerUnit: 'Finance center', category: 'weak_execution', narrative: 'Sales teams <script>alert(1)</script> late', status: 'completed' },
    { kpiId: null, milestoneId: null, budgetUnit: 'Customer center', initiativeId: 'new-regions', ownerUnit: 'Customer center', category: 'market_change', narrative: 'Rents rose', status: 'open' },
  ],
  actions: [
    { id: 'a1', what: 'Staff the southern team', ownerUnit: 'Finance center', dueAt: '2027-05-20T00:00:00.000Z', kpiId: 'revenue', initiativeId: null, riskId: null, meetingItem: 'kpi:revenue', status: 'open', fromPeriod: '2027-03' },
    { id: 'a2', what: 'Open the regional office', ownerUnit: 'Customer center', dueAt: '2027-06-30T00:00:00.000Z', kpiId: null, initiativeId: 'new-regions', riskId: null, meetingItem: null, status: 'completed', fromPeriod: '2027-02' },
  ],
  milestones: [
    { milestoneId: 'south-office', title: 'Open the southern office', ownerUnit: 'Customer center', dueMonth: '2027-06', status: 'late', newDueMonth: '2027-09', reason: 'Permits', late: true },
    { milestoneId: 'erp', title: 'ERP live', ownerUnit: 'Finance center', dueMonth: '2027-12', status: 'on_track', newDueMonth: null, reason: null, late: false },
  ],
  budget: [
    { unit: 'Customer center', initiativeId: 'new-regions', budget: 5, spent: 9, variance: 4, variancePct: 0.8, ytdBudget: 15, ytdSpent: 21, ytdVariancePct: 0.4, status: 'overspent' },
    { unit: 'Finance center', initiativeId: null, budget: 10, spent: 10, variance: 0, variancePct: 0, ytdBudget: 30, ytdSpent: 30, ytdVariancePct: 0, status: 'within' },
  ],
  risks: [{ riskId: '00000000-0000-4000-8000-000000000009', title: 'Key supplier fails', category: 'operational', ownerUnit: 'Finance center', likelihood: 4, impact: 4, level: 'high', response: 'reduce', status: 'open', committeeAttention: true }],
  meeting: {
    agenda: [{ id: 'kpi:revenue', kind: 'kpi', ref: 'revenue', title: 'KPI off track: Revenue', ownerUnitId: '00000000-0000-4000-8000-0000000000f1', detail: 'actual 600 CNY m against a target of 800 CNY m' }],
    minutes: { items: [{ itemId: 'kpi:revenue', minutes: 'Agreed to staff up', decisions: [{ what: 'Staff the southern team', ownerUnitId: '00000000-0000-4000-8000-0000000000f1', dueAt: '2027-05-20T00:00:00.000Z' }] }] },
  },
  evaluations: [{ span: '2027-Q1', unit: 'Customer center', kpiScore: 92, milestoneScore: 0, budgetScore: 60, score: 67.2, grade: 'C', adjustedScore: 55, finalGrade: 'D', status: 'signed_off' }],
  units: { '00000000-0000-4000-8000-0000000000f1': 'Finance center' },
  decisions: [{ at: '2027-04-28T09:30:00.000Z', by: 'Planning Office', what: 'period closed early (meeting moved)' }],
};

describe('monthly report rendering', () => {
  it('renders a self-contained, escaped HTML document with a row per KPI', () => {
    const html = renderReportHtml(report, 'en');
    expect(html).toContain('<title>Monthly report 2027-03 — Group plan &lt;2027–2029&gt;</title>');
    // KPIs, milestones, budget lines, risks, agenda items, evaluations, causes, actions.
    expect(html.match(/<tr><td>/g)).toHaveLength(3 + 2 + 2 + 1 + 1 + 1 + 2 + 2);
    expect(html).toContain('<td>2027-Q1</td><td>Customer center</td><td>92</td><td>0</td><td>60</td><td>67.2</td><td>C</td><td>55</td><td>D</td><td>signed off</td>');
    expect(html).toContain('<td>Open the southern office</td><td>Customer center</td><td>2027-06</td><td class="status-off_track">late</td><td>2027-09</td><td>Permits</td><td>yes</td>');
    expect(html).toContain('<td>+40.0 %</td>'.replace('+', '')); // year-to-date overspend
    expect(html).toContain('<td class="status-off_track">overspent</td>');
    expect(html).toContain('<td>Key supplier fails</td><td>operational</td>');
    expect(html).toContain('<td>Agreed to staff up</td><td>Staff the southern team (Finance center, 2027-05-20)</td>');
    expect(html).toContain('<td>budget: Customer center / new-regions</td>');
    expect(html).toContain('<td class="status-off_track">off track</td>');
    expect(html).toContain('<td>-25.0 %</td>');
    expect(html).toContain('<td>—</td>');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('period closed early (meeting moved)');
  });

  it('renders a workbook with a sheet per section and numbers as numbers', async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await renderReportXlsx(report, 'en')) as unknown as ExcelJS.Buffer);
    expect(workbook.worksheets.map((w) => w.name)).toEqual(['KPIs', 'Milestones', 'Cost budget against actual', 'Risk register', 'Operations meeting', 'Evaluations', 'Causes', 'Corrective actions', 'Decisions']);
    const budget = workbook.getWorksheet('Cost budget against actual')!;
    expect(budget.getCell('F2').value).toBe(21);
    expect(budget.getCell('G2').value).toBe(0.4);
    expect(budget.getCell('H2').value).toBe('overspent');
    const kpis = workbook.getWorksheet('KPIs')!;
    expect(kpis.getRow(1).values).toEqual([undefined, 'KPI', 'Owner', 'Unit', 'Target', 'Actual', 'Variance', 'Variance %', 'Status', 'Trend']);
    expect(kpis.rowCount).toBe(4);
    expect(kpis.getCell('D2').value).toBe(800);
    expect(kpis.getCell('G2').value).toBe(-0.25);
    expect(kpis.getCell('G2').numFmt).toBe('0.0%');
    expect(kpis.getCell('E4').value).toBeNull();
    expect(workbook.getWorksheet('Corrective actions')!.rowCount).toBe(3);
  });

  it('speaks Chinese by default: title, headings, column labels, status words, sheet names', async () => {
    const html = renderReportHtml(report);
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain('<title>月度经营报告 2027-03 — Group plan &lt;2027–2029&gt;</title>');
    expect(html).toContain('<h2>纠偏措施</h2>');
    expect(html).toContain('<th>责任单位</th>');
    expect(html).toContain('<td class="status-off_track">偏离</td>');
    expect(html).toContain('<td>执行不力</td>');
    expect(html).not.toMatch(/Monthly report|Corrective actions|off track/);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await renderReportXlsx(report)) as unknown as ExcelJS.Buffer);
    expect(html).toContain('<h2>成本预算执行</h2>');
    expect(html).toContain('<td class="status-off_track">延期</td>');
    expect(html).toContain('<td class="status-off_track">超支</td>');
    expect(html).toContain('<td class="status-off_track">高</td>');
    expect(workbook.worksheets.map((w) => w.name)).toEqual(['指标', '里程碑', '成本预算执行', '风险登记', '经营分析会', '考核评价', '原因分析', '纠偏措施', '决策']);
    expect(workbook.getWorksheet('指标')!.getRow(1).values).toEqual([undefined, '指标', '责任单位', '计量单位', '目标', '实际', '偏差', '偏差率', '状态', '趋势']);
    expect(workbook.getWorksheet('指标')!.getCell('H2').value).toBe('偏离');
  });
});
