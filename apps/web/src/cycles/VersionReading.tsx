import { Card, Descriptions, Spin, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useDirectory } from '../api/queries';
import { formatNumber } from '../format';
import { DiffView, useVersion } from './DiffView';

interface PlanContent {
  goals: { id: string; title: string; target?: string }[];
  kpis: { id: string; name: string; unit: string; ownerUnitId: string; targets: { year: number; target: number }[] }[];
  initiatives: { id: string; title: string; ownerUnitId: string; years: number[] }[];
  allocations: { unitId: string; year: number; budget: number; headcount: number }[];
}

/** What a reviewer reads before deciding: the changes since the last version, or the whole first one. */
export function VersionReading({ cycleId, version }: { cycleId: string; version: number }) {
  const { t } = useTranslation();
  return (
    <Card title={version > 1 ? t('task.diffToRead', { from: version - 1 }) : t('task.planToRead', { version })} size="small" style={{ marginBottom: 16 }}>
      {version > 1 ? <DiffView cycleId={cycleId} from={version - 1} to={version} /> : <PlanSummary cycleId={cycleId} version={version} />}
    </Card>
  );
}

export function PlanSummary({ cycleId, version }: { cycleId: string; version: number }) {
  const { t } = useTranslation();
  const { unitName } = useDirectory();
  const plan = useVersion(cycleId, version);
  if (!plan.data) return <Spin />;
  const content = plan.data.content as unknown as PlanContent;
  const years = [...new Set(content.kpis.flatMap((k) => k.targets.map((x) => x.year)))].sort();
  return (
    <>
      <Typography.Title level={3} style={{ fontSize: 15 }}>
        {t('cycle.plan.goals')}
      </Typography.Title>
      <Descriptions column={1} size="small">
        {content.goals.map((g) => (
          <Descriptions.Item key={g.id} label={g.title}>
            {g.target}
          </Descriptions.Item>
        ))}
      </Descriptions>
      <Typography.Title level={3} style={{ fontSize: 15 }}>
        {t('cycle.plan.kpis')}
      </Typography.Title>
      <Table
        size="small"
        pagination={false}
        rowKey="id"
        dataSource={content.kpis}
        columns={[
          { title: t('cycle.plan.kpis'), key: 'name', render: (_, k) => `${k.name} (${k.unit})` },
          { title: t('cycle.plan.owner'), key: 'owner', render: (_, k) => unitName(k.ownerUnitId) },
          ...years.map((year) => ({ title: String(year), key: String(year), render: (_: unknown, k: PlanContent['kpis'][number]) => formatNumber(k.targets.find((x) => x.year === year)?.target ?? 0) })),
        ]}
      />
      {content.allocations.length > 0 && (
        <>
          <Typography.Title level={3} style={{ fontSize: 15, marginTop: 16 }}>
            {t('cycle.plan.allocations')}
          </Typography.Title>
          <Table
            size="small"
            pagination={false}
            rowKey={(a) => `${a.unitId}/${a.year}`}
            dataSource={content.allocations}
            columns={[
              { title: t('cycle.plan.owner'), key: 'unit', render: (_, a) => unitName(a.unitId) },
              { title: t('cycle.plan.year'), dataIndex: 'year' },
              { title: t('cycle.plan.budget'), key: 'budget', render: (_, a) => formatNumber(a.budget) },
              { title: t('cycle.plan.headcount'), key: 'headcount', render: (_, a) => formatNumber(a.headcount) },
            ]}
          />
        </>
      )}
    </>
  );
}
