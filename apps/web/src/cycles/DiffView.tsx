import { useQuery } from '@tanstack/react-query';
import { Empty, Spin, Table, Typography } from 'antd';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../api/client';
import { keys, useDirectory } from '../api/queries';
import type { PlanDiff, PlanVersion } from '../api/types';
import { ErrorNotice } from '../app/ErrorNotice';
import { formatNumber } from '../format';

const SECTIONS = ['goals', 'kpis', 'initiatives', 'milestones', 'allocations', 'budget', 'totals'] as const;
type Section = (typeof SECTIONS)[number];
type Change = { id: string; fields: { path: string; from?: unknown; to?: unknown }[] };
type SectionDiff = { added: string[]; removed: string[]; changed: Change[] };

type Content = Record<string, { id?: string; title?: string; name?: string; unitId?: string; year?: number }[] | undefined>;

/** How a plan item is named for a reader: its title or name, else what identifies it. */
function useItemName(content: Content | undefined) {
  const { unitName } = useDirectory();
  return (section: Section, id: string): string => {
    if (section === 'allocations') {
      const [unitId, year] = id.split('/');
      return `${unitName(unitId)} · ${year}`;
    }
    if (section === 'budget') {
      const [unitId, initiative, year] = id.split('/');
      return [unitName(unitId), initiative === '-' ? null : initiative, year].filter(Boolean).join(' · ');
    }
    if (section === 'totals') return id;
    const item = content?.[section]?.find((i) => i.id === id);
    return item?.title ?? item?.name ?? id;
  };
}

/** A field path (`targets.2.target`) in words, with the year a target's index stands for. */
function fieldLabel(path: string, item: { targets?: { year: number }[] } | undefined, t: TFunction): string {
  const named = (field: string) => t(`diff.fields.${field}`, { defaultValue: field });
  const match = /^targets\.(\d+)\.(.+)$/.exec(path);
  if (match) return `${item?.targets?.[Number(match[1])]?.year ?? `#${Number(match[1]) + 1}`} · ${named(match[2])}`;
  return path
    .split('.')
    .map((part) => (/^\d+$/.test(part) ? `#${Number(part) + 1}` : named(part)))
    .join(' · ');
}

function show(value: unknown): string {
  if (value === undefined || value === null) return '—';
  if (typeof value === 'number') return formatNumber(value);
  // A month-by-month list of one value reads better as "12 × 1,033.33".
  if (Array.isArray(value)) return value.length > 1 && value.every((v) => v === value[0]) ? `${value.length} × ${show(value[0])}` : value.map(show).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** A redline of two plan versions: per section, what was added, removed, and changed field by field. */
export function DiffView({ cycleId, from, to }: { cycleId: string; from: number; to: number }) {
  const { t } = useTranslation();
  const diff = useQuery({ queryKey: keys.diff(cycleId, from, to), queryFn: () => ok(api.GET('/plans/{cycleId}/diff', { params: { path: { cycleId }, query: { from, to } } })) });
  const older = useVersion(cycleId, from);
  const newer = useVersion(cycleId, to);
  const nameInOld = useItemName(older.data?.content as Content | undefined);
  const nameInNew = useItemName(newer.data?.content as Content | undefined);
  if (diff.isLoading) return <Spin />;
  if (diff.error || !diff.data) return <ErrorNotice error={diff.error} />;
  const changes = (diff.data as PlanDiff).changes as Record<Section, SectionDiff | undefined>;
  const present = SECTIONS.filter((s) => {
    const d = changes[s];
    return d && d.added.length + d.removed.length + d.changed.length > 0;
  });
  if (present.length === 0) return <Empty description={t('diff.noChange')} />;
  return (
    <div className="redline">
      {present.map((section) => {
        const d = changes[section]!;
        const items = (newer.data?.content as Record<string, { id?: string; targets?: { year: number }[] }[]> | undefined)?.[section] ?? [];
        const rows = [
          ...d.added.map((id) => ({ key: `+${id}`, change: 'added', item: nameInNew(section, id), field: '', before: '', after: '' })),
          ...d.removed.map((id) => ({ key: `-${id}`, change: 'removed', item: nameInOld(section, id), field: '', before: '', after: '' })),
          ...d.changed.flatMap((c) =>
            c.fields.map((f) => ({
              key: `~${c.id}.${f.path}`,
              change: 'changed',
              item: nameInNew(section, c.id),
              field: fieldLabel(f.path, items.find((i) => i.id === c.id), t),
              before: show(f.from),
              after: show(f.to),
            })),
          ),
        ];
        return (
          <div key={section} className="redline-section">
            <Typography.Title level={3} style={{ fontSize: 15 }}>
              {t(`diff.section.${section}`)}
            </Typography.Title>
            <Table
              size="small"
              pagination={false}
              rowKey="key"
              dataSource={rows}
              rowClassName={(row) => `redline-${row.change}`}
              columns={[
                { title: '', dataIndex: 'change', width: 90, render: (change: string) => <span className={`redline-mark redline-mark-${change}`}>{t(`diff.${change}`)}</span> },
                { title: t('diff.item'), dataIndex: 'item' },
                { title: t('diff.field'), dataIndex: 'field' },
                { title: t('diff.before'), dataIndex: 'before', render: (v: string) => (v ? <del>{v}</del> : null) },
                { title: t('diff.after'), dataIndex: 'after', render: (v: string) => (v ? <ins>{v}</ins> : null) },
              ]}
            />
          </div>
        );
      })}
    </div>
  );
}

export function useVersion(cycleId: string, version: number) {
  return useQuery<PlanVersion>({
    queryKey: keys.version(cycleId, version),
    queryFn: () => ok(api.GET('/plans/{cycleId}/versions/{version}', { params: { path: { cycleId, version } } })),
    staleTime: Infinity,
    enabled: version > 0,
  });
}
