import { useQuery } from '@tanstack/react-query';
import { Empty, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, ok } from '../api/client';
import { keys } from '../api/queries';
import type { CyclePage } from '../api/types';
import { ErrorNotice } from '../app/ErrorNotice';
import { formatDateTime } from '../format';

type CycleRow = CyclePage['items'][number];

export const PHASE_COLORS: Record<string, string> = {
  drafting: 'gold',
  internal_review: 'purple',
  committee_review: 'blue',
  execution: 'green',
  rejected: 'red',
  cancelled: 'default',
  closed: 'default',
};

export function CyclesPage() {
  const { t } = useTranslation();
  const cycles = useQuery({ queryKey: [...keys.cycles, 'list'], queryFn: () => ok(api.GET('/cycles', { params: { query: { limit: 100 } } })) });
  return (
    <section aria-labelledby="cycles-title">
      <Typography.Title level={1} id="cycles-title" className="page-title">
        {t('cycles.title')}
      </Typography.Title>
      {cycles.error && <ErrorNotice error={cycles.error} />}
      <Table<CycleRow>
        rowKey="id"
        loading={cycles.isLoading}
        dataSource={cycles.data?.items ?? []}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        locale={{ emptyText: <Empty description={t('cycles.empty')} /> }}
        columns={[
          { title: t('cycles.name'), key: 'title', render: (_, c) => <Link to={`/cycles/${c.id}`}>{c.title}</Link> },
          { title: t('cycles.years'), key: 'years', render: (_, c) => `${c.planYears[0]}–${c.planYears[c.planYears.length - 1]}` },
          { title: t('cycles.phase'), key: 'phase', render: (_, c) => <Tag color={PHASE_COLORS[c.phase]}>{t(`phase.${c.phase}`)}</Tag> },
          { title: t('cycles.since'), key: 'since', render: (_, c) => <time dateTime={c.phaseSince}>{formatDateTime(c.phaseSince)}</time> },
        ]}
      />
    </section>
  );
}
