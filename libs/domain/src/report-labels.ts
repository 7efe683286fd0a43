/**
 * Fixed labels of what rollplan renders for people — the monthly report (HTML, XLSX) and CSV
 * exports — in the organization's language (zh-CN, the default) and in English. The content
 * (plan names, analyses) stays as people wrote it.
 */
export const REPORT_LANGUAGES = ['zh-CN', 'en'] as const;
export type ReportLanguage = (typeof REPORT_LANGUAGES)[number];
export const DEFAULT_REPORT_LANGUAGE: ReportLanguage = 'zh-CN';

const ZH = {
  title: (period: string, cycle: string) => `月度经营报告 ${period} — ${cycle}`,
  planVersion: '计划版本',
  generated: '生成于',
  none: '无。',
  sections: { kpis: '指标', milestones: '里程碑', budget: '成本预算执行', risks: '风险登记', meeting: '经营分析会', evaluations: '考核评价', causes: '原因分析', actions: '纠偏措施', decisions: '决策' },
  columns: {
    kpi: '指标', owner: '责任单位', unit: '计量单位', target: '目标', actual: '实际', variance: '偏差', variancePct: '偏差率', status: '状态', trend: '趋势',
    cause: '原因类别', analysis: '分析', action: '措施', due: '截止日期', kpiOrInitiative: '指标 / 举措', initiative: '举措', since: '起始月份', when: '时间', who: '人员', what: '事项',
    milestone: '里程碑', dueMonth: '计划完成月', newDueMonth: '新完成月', reason: '原因', deviation: '偏差', subject: '对象',
    budget: '本月预算', spent: '本月实际', ytdBudget: '累计预算', ytdSpent: '累计实际', ytdVariancePct: '累计偏差率',
    risk: '风险', category: '类别', likelihood: '可能性', impact: '影响', level: '等级', response: '应对策略', attention: '提请委员会关注',
    span: '期间', kpiScore: '指标得分', milestoneScore: '里程碑得分', budgetScore: '预算得分', score: '综合得分', grade: '等级', adjustedScore: '调整后得分', finalGrade: '最终等级',
    agendaItem: '议题', detail: '情况', minutes: '会议记录', decisionsTaken: '决议（责任单位，期限）', yes: '是', no: '否', noMinutes: '尚未记录会议纪要。',
  },
  values: {
    on_track: '正常', at_risk: '预警', off_track: '偏离', missing: '缺失',
    improving: '改善', worsening: '恶化', stable: '持平', new: '新增',
    market_change: '市场变化', competitor_action: '竞争对手动作', weak_execution: '执行不力', plan_flaw: '计划缺陷', other: '其他',
    collecting: '收集中', analysed: '已分析', closed: '已关闭',
    open: '待处理', claimed: '已认领', completed: '已完成', cancelled: '已取消',
    done: '已完成', late: '延期', not_reported: '未填报', draft: '待确认', signed_off: '已确认',
    within: '正常', overspent: '超支', underspent: '执行不足',
    low: '低', medium: '中', high: '高', critical: '重大',
    avoid: '规避', reduce: '降低', transfer: '转移', accept: '接受',
    strategic: '战略', market: '市场', financial: '财务', operational: '运营', compliance: '合规', technology: '技术', people: '人员',
    kpi: '指标', milestone: '里程碑', budget: '预算', risk: '风险', action: '措施', running_costs: '日常费用',
  } as Record<string, string>,
  /** What puts an item on the operations meeting's agenda, by its kind. */
  agenda: { kpi: '指标偏离', milestone: '里程碑延期', budget: '预算超支', risk: '重大风险', action: '措施逾期' } as Record<string, string>,
  rollplan: 'rollplan',
  csv: {
    at: '时间', type: '类型', summary: '摘要', actor_id: '人员ID', actor_name: '人员', actor_email: '邮箱', actor_roles: '角色', via: '途径', task_id: '任务ID', task_kind: '任务类型',
    outcome: '结果', comment: '意见', reason: '理由', version: '版本', workflow_id: '工作流ID', run_id: '运行ID', event_id: '事件ID', audit_record_id: '审计记录ID',
  } as Record<string, string>,
};

const EN: typeof ZH = {
  title: (period, cycle) => `Monthly report ${period} — ${cycle}`,
  planVersion: 'Plan version',
  generated: 'generated',
  none: 'None.',
  sections: { kpis: 'KPIs', milestones: 'Milestones', budget: 'Cost budget against actual', risks: 'Risk register', meeting: 'Operations meeting', evaluations: 'Evaluations', causes: 'Causes', actions: 'Corrective actions', decisions: 'Decisions' },
  columns: {
    kpi: 'KPI', owner: 'Owner', unit: 'Unit', target: 'Target', actual: 'Actual', variance: 'Variance', variancePct: 'Variance %', status: 'Status', trend: 'Trend',
    cause: 'Cause', analysis: 'Analysis', action: 'Action', due: 'Due', kpiOrInitiative: 'KPI / initiative', initiative: 'Initiative', since: 'Since', when: 'When', who: 'Who', what: 'What',
    milestone: 'Milestone', dueMonth: 'Due', newDueMonth: 'New date', reason: 'Reason', deviation: 'Deviation', subject: 'Subject',
    budget: 'Budget (month)', spent: 'Spent (month)', ytdBudget: 'Budget YTD', ytdSpent: 'Spent YTD', ytdVariancePct: 'Variance YTD',
    risk: 'Risk', category: 'Category', likelihood: 'Likelihood', impact: 'Impact', level: 'Level', response: 'Response', attention: "Committee's attention",
    span: 'Span', kpiScore: 'KPIs', milestoneScore: 'Milestones', budgetScore: 'Budget', score: 'Score', grade: 'Grade', adjustedScore: 'Adjusted', finalGrade: 'Final grade',
    agendaItem: 'Agenda item', detail: 'Situation', minutes: 'Minutes', decisionsTaken: 'Decisions (owner, due)', yes: 'yes', no: 'no', noMinutes: 'No minutes recorded yet.',
  },
  values: { running_costs: 'running costs' },
  agenda: { kpi: 'KPI off track', milestone: 'Milestone late', budget: 'Budget overspent', risk: 'Risk', action: 'Action overdue' },
  rollplan: 'rollplan',
  csv: {},
};

export type ReportLabels = typeof ZH & { value(word: string): string; csvHeader(column: string): string };

/** The labels of a language; values without a translation read as words ("on_track" → "on track"). */
export function reportLabels(language: ReportLanguage): ReportLabels {
  const labels = language === 'en' ? EN : ZH;
  return {
    ...labels,
    value: (word) => labels.values[word] ?? word.replace(/_/g, ' '),
    csvHeader: (column) => labels.csv[column] ?? column,
  };
}

/**
 * The language to answer in: `?lang=` when given (an unsupported one is the caller's mistake:
 * undefined), else the best of `Accept-Language` (`zh`, `zh-Hans`, `zh-CN` → zh-CN; `en-US` →
 * en), else the organization's default, zh-CN.
 */
export function negotiateReportLanguage(lang: string | undefined, acceptLanguage: string | undefined): ReportLanguage | undefined {
  if (lang !== undefined) return matchLanguage(lang);
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part, i) => {
      const [tag, ...params] = part.trim().split(';');
      const q = Number(params.find((p) => p.trim().startsWith('q='))?.trim().slice(2) ?? '1');
      return { tag, q: Number.isFinite(q) ? q : 0, i };
    })
    .filter((entry) => entry.tag && entry.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const { tag } of ranked) {
    const match = matchLanguage(tag);
    if (match) return match;
  }
  return DEFAULT_REPORT_LANGUAGE;
}

function matchLanguage(tag: string): ReportLanguage | undefined {
  const lower = tag.toLowerCase();
  if (lower === 'zh' || lower.startsWith('zh-')) return 'zh-CN';
  if (lower === 'en' || lower.startsWith('en-')) return 'en';
  return undefined;
}
