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
  causes: [{ kpiId: 'revenue', ownerUnit: 'Finance center', category: 'weak_execution', narrative: 'Sales teams <script>alert(1)</script> late', status: 'completed' }],
  actions: [
    { id: 'a1', what: 'Staff the southern team', ownerUnit: 'Finance center', dueAt: '2027-05-20T00:00:00.000Z', kpiId: 'revenue', initiativeId: null, status: 'open', fromPeriod: '2027-03' },
    { id: 'a2', what: 'Open the regional office', ownerUnit: 'Customer center', dueAt: '2027-06-30T00:00:00.000Z', kpiId: null, initiativeId: 'new-regions', status: 'completed', fromPeriod: '2027-02' },
  ],
  decisions: [{ at: '2027-04-28T09:30:00.000Z', by: 'Planning Office', what: 'period closed early (meeting moved)' }],
};

describe('monthly report rendering', () => {
  it('renders a self-contained, escaped HTML document with a row per KPI', () => {
    const html = renderReportHtml(report, 'en');
    expect(html).toContain('<title>Monthly report 2027-03 — Group plan &lt;2027–2029&gt;</title>');
    expect(html.match(/<tr><td>/g)).toHaveLength(3 + 1 + 2);
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
    expect(workbook.worksheets.map((w) => w.name)).toEqual(['KPIs', 'Causes', 'Corrective actions', 'Decisions']);
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
    expect(workbook.worksheets.map((w) => w.name)).toEqual(['指标', '原因分析', '纠偏措施', '决策']);
    expect(workbook.getWorksheet('指标')!.getRow(1).values).toEqual([undefined, '指标', '责任单位', '计量单位', '目标', '实际', '偏差', '偏差率', '状态', '趋势']);
    expect(workbook.getWorksheet('指标')!.getCell('H2').value).toBe('偏离');
  });
});
