import { useQuery } from '@tanstack/react-query';
import { Alert, Card, Col, Descriptions, Empty, Row, Select, Space, Spin, Steps, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api, ok } from '../api/client';
import { keys, useDirectory } from '../api/queries';
import type { Cycle, PlanVersionSummary } from '../api/types';
import { ErrorNotice } from '../app/ErrorNotice';
import { formatDateTime, formatPeriod } from '../format';
import { PHASE_COLORS } from './CyclesPage';
import { DiffView } from './DiffView';

const STEPS = ['contributions', 'draft', 'internal_review', 'committee', 'execution', 'adjustments', 'closure'] as const;

/** Which step a cycle is at, and whether it ended there badly. */
export function stepOf(cycle: Cycle): { current: number; status: 'process' | 'finish' | 'error' } {
  const contributionsOpen = (cycle.contributions ?? []).some((c) => c.status === 'open');
  const byPhase: Record<string, number> = {
    starting: 0,
    drafting: contributionsOpen ? 0 : 1,
    internal_review: 2,
    committee_review: 3,
    execution: cycle.adjustment ? 5 : 4,
    closed: 6,
    rejected: 3,
    cancelled: (cycle.versions ?? []).length > 0 ? 3 : 1,
  };
  const current = byPhase[cycle.phase] ?? 0;
  const status = cycle.phase === 'closed' ? 'finish' : cycle.phase === 'rejected' || cycle.phase === 'cancelled' ? 'error' : 'process';
  return { current, status };
}

export function CyclePage() {
  const { id = '' } = useParams();
  const cycle = useQuery({ queryKey: keys.cycle(id), queryFn: () => ok(api.GET('/cycles/{id}', { params: { path: { id } } })) });
  if (cycle.isLoading) return <Spin />;
  if (cycle.error || !cycle.data) return <ErrorNotice error={cycle.error} />;
  return <CycleView cycle={cycle.data} />;
}

function CycleView({ cycle }: { cycle: Cycle }) {
  const { t } = useTranslation();
  const { personName, unitName } = useDirectory();
  const { current, status } = stepOf(cycle);
  const years = `${cycle.planYears[0]}–${cycle.planYears[cycle.planYears.length - 1]}`;
  const round = cycle.committeeRound;

  return (
    <section aria-labelledby="cycle-title">
      <Link to="/cycles">← {t('cycles.title')}</Link>
      <Typography.Title level={1} id="cycle-title" className="page-title">
        {cycle.title} <Tag color={PHASE_COLORS[cycle.phase]}>{t(`phase.${cycle.phase}`)}</Tag>
      </Typography.Title>
      <Card title={t('cycle.steps')} size="small" style={{ marginBottom: 16 }}>
        <Steps
          current={current}
          status={status}
          size="small"
          responsive
          items={STEPS.map((step, i) => ({
            title: t(`cycle.step.${step}`),
            description: i === 3 && cycle.round ? t('cycle.roundOf', { round: cycle.round }) : i === 4 && cycle.currentPeriod ? formatPeriod(cycle.currentPeriod) : undefined,
          }))}
        />
      </Card>
      {cycle.rejection && <Alert type="error" showIcon title={t('cycle.rejection')} description={cycle.rejection.reasons.join('; ')} style={{ marginBottom: 16 }} />}
      {cycle.cancellation && <Alert type="warning" showIcon title={t('cycle.cancellation')} description={cycle.cancellation.reason} style={{ marginBottom: 16 }} />}
      {cycle.closure && <Alert type="info" showIcon title={t('cycle.closure')} description={cycle.closure.reason} style={{ marginBottom: 16 }} />}
      <Row gutter={16}>
        <Col xs={24} lg={14}>
          <Card title={t('cycle.pending')} size="small" style={{ marginBottom: 16 }}>
            {(cycle.pending ?? []).length === 0 ? (
              <Typography.Text type="secondary">{t('cycle.nobodyPending')}</Typography.Text>
            ) : (
              <Table
                size="small"
                pagination={false}
                rowKey="taskId"
                dataSource={cycle.pending}
                columns={[
                  { title: t('inbox.kind'), key: 'kind', render: (_, p) => <Link to={`/tasks/${p.taskId}`}>{t(`kind.${p.kind}`)}</Link> },
                  { title: t('cycle.waitingOn'), key: 'who', render: (_, p) => p.eligible.map((u) => personName(u)).join('、') },
                  { title: t('cycle.until'), key: 'due', render: (_, p) => <time dateTime={p.dueAt}>{formatDateTime(p.dueAt)}</time> },
                ]}
              />
            )}
          </Card>
        </Col>
        <Col xs={24} lg={10}>
          <Card size="small" style={{ marginBottom: 16 }}>
            <Descriptions column={1} size="small">
              <Descriptions.Item label={t('cycles.years')}>{years}</Descriptions.Item>
              <Descriptions.Item label={t('cycles.since')}>{formatDateTime(cycle.phaseSince)}</Descriptions.Item>
              {cycle.effectiveVersion !== undefined && <Descriptions.Item label={t('cycle.versions')}>{t('cycle.inForce', { version: cycle.effectiveVersion })}</Descriptions.Item>}
              {cycle.currentPeriod && <Descriptions.Item label={t('cycle.currentPeriod')}>{formatPeriod(cycle.currentPeriod)}</Descriptions.Item>}
              {round && (
                <Descriptions.Item label={t('cycle.committee')}>
                  <Space direction="vertical" size={0}>
                    <span>{t('cycle.voters', { count: round.voters.length, needed: round.needed })}</span>
                    {round.recused.length > 0 && <span>{t('cycle.recused', { names: round.recused.map((u) => personName(u)).join('、') })}</span>}
                  </Space>
                </Descriptions.Item>
              )}
              {cycle.adjustment && <Descriptions.Item label={t('cycle.step.adjustments')}>{t('cycle.adjustment', { year: cycle.adjustment.year, stage: cycle.adjustment.stage })}</Descriptions.Item>}
            </Descriptions>
          </Card>
        </Col>
      </Row>
      {(cycle.contributions ?? []).length > 0 && (
        <Card title={t('cycle.contributions')} size="small" style={{ marginBottom: 16 }}>
          <Table
            size="small"
            pagination={false}
            rowKey="unitId"
            dataSource={cycle.contributions}
            columns={[
              { title: t('auth.unit'), key: 'unit', render: (_, c) => unitName(c.unitId) },
              { title: t('task.status'), key: 'status', render: (_, c) => <Tag color={c.status === 'submitted' ? 'green' : c.status === 'waived' ? 'default' : 'gold'}>{t(`cycle.contributionStatus.${c.status}`)}</Tag> },
              { title: t('inbox.due'), key: 'due', render: (_, c) => <time dateTime={c.dueAt}>{formatDateTime(c.dueAt)}</time> },
            ]}
          />
        </Card>
      )}
      <Versions cycleId={cycle.id} />
    </section>
  );
}

function Versions({ cycleId }: { cycleId: string }) {
  const { t } = useTranslation();
  const { personName } = useDirectory();
  const versions = useQuery({ queryKey: keys.versions(cycleId), queryFn: () => ok(api.GET('/plans/{cycleId}/versions', { params: { path: { cycleId } } })) });
  const list = versions.data ?? [];
  const [picked, setPicked] = useState<{ from?: number; to?: number }>({});
  const to = picked.to ?? list[list.length - 1]?.version;
  const from = picked.from ?? (to !== undefined && to > 1 ? to - 1 : undefined);
  const options = list.map((v) => ({ value: v.version, label: `v${v.version}` }));
  return (
    <Card title={t('cycle.versions')} size="small">
      <Table<PlanVersionSummary>
        size="small"
        pagination={false}
        rowKey="version"
        loading={versions.isLoading}
        dataSource={list}
        locale={{ emptyText: <Empty description={t('app.none')} /> }}
        columns={[
          { title: t('cycle.version'), key: 'version', render: (_, v) => `v${v.version}` },
          { title: t('task.status'), key: 'status', render: (_, v) => <Tag color={v.status === 'approved' ? 'green' : v.status === 'in_review' ? 'blue' : undefined}>{t(`cycle.versionStatus.${v.status}`)}</Tag> },
          { title: t('cycle.round'), key: 'round', render: (_, v) => v.round ?? '' },
          { title: t('cycle.submittedAt'), key: 'submitted', render: (_, v) => `${formatDateTime(v.submittedAt)} · ${personName(v.submittedBy)}` },
          { title: t('cycle.decidedAt'), key: 'decided', render: (_, v) => formatDateTime(v.decidedAt) },
          { title: t('cycle.effectiveFrom'), key: 'from', render: (_, v) => (v.effectiveFrom ? formatPeriod(v.effectiveFrom) : '') },
        ]}
      />
      {list.length > 1 && from !== undefined && to !== undefined && (
        <div style={{ marginTop: 16 }}>
          <Typography.Title level={2} style={{ fontSize: 16 }}>
            {t('cycle.compare')}
          </Typography.Title>
          <Space style={{ marginBottom: 12 }}>
            <Select aria-label={t('cycle.from')} value={from} onChange={(value: number) => setPicked({ from: value, to })} options={options} style={{ width: 90 }} />
            <span aria-hidden="true">→</span>
            <Select aria-label={t('cycle.to')} value={to} onChange={(value: number) => setPicked({ from, to: value })} options={options} style={{ width: 90 }} />
          </Space>
          <DiffView cycleId={cycleId} from={from} to={to} />
        </div>
      )}
    </Card>
  );
}
