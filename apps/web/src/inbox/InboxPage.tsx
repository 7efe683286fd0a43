import { useQuery } from '@tanstack/react-query';
import { Empty, Input, Select, Segmented, Space, Spin, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { api, ok } from '../api/client';
import { keys, useDirectory, useTaskKinds } from '../api/queries';
import type { Task } from '../api/types';
import { endOfBusinessDay, formatDateTime } from '../format';
import { ErrorNotice } from '../app/ErrorNotice';
import { isOverdue, taskTitle } from './task-text';

const STATUSES = ['active', 'completed', 'cancelled'] as const;
type StatusFilter = (typeof STATUSES)[number];

/** 待办: my tasks and my groups' across every procedure, filtered in the address bar. */
export function InboxPage() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const status = (STATUSES as readonly string[]).includes(params.get('status') ?? '') ? (params.get('status') as StatusFilter) : 'active';
  const cycleId = params.get('cycle') ?? undefined;
  const kind = params.get('kind') ?? undefined;
  const dueBefore = params.get('dueBefore') ?? undefined;
  const { unitName } = useDirectory();
  const kinds = useTaskKinds();

  const query = { status, cycleId, kind: kind as never, dueBefore: dueBefore ? endOfBusinessDay(dueBefore) : undefined, limit: 200 };
  const tasks = useQuery({ queryKey: [...keys.tasks, 'inbox', query], queryFn: () => ok(api.GET('/tasks', { params: { query } })) });
  const cycles = useQuery({ queryKey: [...keys.cycles, 'list'], queryFn: () => ok(api.GET('/cycles', { params: { query: { limit: 100 } } })) });
  const cycleById = new Map((cycles.data?.items ?? []).map((c) => [c.id, c]));

  const set = (name: string, value: string | undefined) =>
    setParams((current) => {
      const next = new URLSearchParams(current);
      if (value) next.set(name, value);
      else next.delete(name);
      return next;
    });

  const yearsOf = (task: Task) => {
    const cycle = task.cycleId ? cycleById.get(task.cycleId) : undefined;
    return cycle ? `${cycle.planYears[0]}–${cycle.planYears[cycle.planYears.length - 1]}` : undefined;
  };

  return (
    <section aria-labelledby="inbox-title">
      <Typography.Title level={1} id="inbox-title" className="page-title">
        {t('inbox.title')}
      </Typography.Title>
      <Space wrap className="filters" aria-label={t('inbox.filters')} role="group">
        <Segmented<StatusFilter>
          aria-label={t('inbox.status')}
          value={status}
          onChange={(value) => set('status', value === 'active' ? undefined : value)}
          options={STATUSES.map((s) => ({ value: s, label: t(`taskStatus.${s}`) }))}
        />
        <Select
          aria-label={t('inbox.cycle')}
          allowClear
          placeholder={t('inbox.anyCycle')}
          style={{ minWidth: 220 }}
          value={cycleId}
          onChange={(value?: string) => set('cycle', value)}
          options={(cycles.data?.items ?? []).map((c) => ({ value: c.id, label: c.title }))}
        />
        <Select
          aria-label={t('inbox.kind')}
          allowClear
          placeholder={t('inbox.anyKind')}
          style={{ minWidth: 180 }}
          value={kind}
          onChange={(value?: string) => set('kind', value)}
          options={[...kinds.keys()].map((k) => ({ value: k, label: t(`kind.${k}`) }))}
        />
        <label className="inline-label">
          {t('inbox.dueBefore')}
          <Input type="date" value={dueBefore ?? ''} onChange={(e) => set('dueBefore', e.target.value || undefined)} style={{ width: 160 }} />
        </label>
      </Space>
      {tasks.error && <ErrorNotice error={tasks.error} />}
      {/* A plain table: the inbox is the screen people open most, so it loads no table widget. */}
      <table className="plain-table" aria-labelledby="inbox-title" aria-busy={tasks.isLoading}>
        <thead>
          <tr>
            <th scope="col">{t('task.title')}</th>
            <th scope="col">{t('inbox.kind')}</th>
            <th scope="col">{t('task.status')}</th>
            <th scope="col">{t('inbox.due')}</th>
          </tr>
        </thead>
        <tbody>
          {(tasks.data?.items ?? []).map((task) => (
            <tr key={task.id}>
              <td>
                <Link to={`/tasks/${task.id}`} className="task-link">
                  {taskTitle(task, t, unitName, yearsOf(task))}
                </Link>
                <div className="secondary">{task.cycleId ? cycleById.get(task.cycleId)?.title : ''}</div>
              </td>
              <td>
                <Tag>{t(`kind.${task.kind}`)}</Tag>
              </td>
              <td>
                <Space size={4} wrap>
                  <Tag color={task.status === 'claimed' ? 'blue' : task.status === 'completed' ? 'green' : undefined}>{t(`taskStatus.${task.status}`)}</Tag>
                  {isOverdue(task) && <Tag color="red">{t('inbox.overdue')}</Tag>}
                  {task.escalationStep > 0 && task.status !== 'completed' && <Tag color="orange">{t('inbox.escalated', { step: task.escalationStep })}</Tag>}
                </Space>
              </td>
              <td>
                <time dateTime={task.dueAt}>{formatDateTime(task.dueAt)}</time>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {tasks.isLoading && <Spin />}
      {tasks.data && tasks.data.items.length === 0 && <Empty description={t('inbox.empty')} />}
      {tasks.data && tasks.data.total > 0 && <p className="secondary">{t('inbox.count', { count: tasks.data.total })}</p>}
    </section>
  );
}
