import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Descriptions, Form, Input, List, Modal, Select, Space, Spin, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api, ApiError, newIdempotencyKey, ok } from '../api/client';
import { keys, taskQuery, useDirectory, useTaskKinds } from '../api/queries';
import type { Task } from '../api/types';
import { ErrorNotice, useErrorText } from '../app/ErrorNotice';
import { useMe } from '../app/session';
import { VersionReading } from '../cycles/VersionReading';
import { formatDateTime } from '../format';
import { initialValues, payloadOf, SchemaFields, schemaFor, type JsonSchema } from '../forms/SchemaForm';
import { isOverdue, taskTitle } from './task-text';

const COMMITTEE_KINDS = new Set(['plan.review', 'plan.final_approval', 'committee.vote']);

/** One task: what it is, who holds it, the decision form built from its kind, comments. */
export function TaskPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const task = useQuery(taskQuery(id));
  if (task.isLoading) return <Spin />;
  if (task.error || !task.data) return <ErrorNotice error={task.error} />;
  return (
    <section aria-labelledby="task-title">
      <Link to="/inbox">← {t('task.back')}</Link>
      <TaskView task={task.data} />
    </section>
  );
}

function TaskView({ task }: { task: Task }) {
  const { t } = useTranslation();
  const me = useMe();
  const { personName, unitName } = useDirectory();
  const cycle = useQuery({
    queryKey: keys.cycle(task.cycleId ?? ''),
    queryFn: () => ok(api.GET('/cycles/{id}', { params: { path: { id: task.cycleId! } } })),
    enabled: Boolean(task.cycleId),
  });
  const years = cycle.data ? `${cycle.data.planYears[0]}–${cycle.data.planYears[cycle.data.planYears.length - 1]}` : undefined;
  const active = task.status === 'open' || task.status === 'claimed';
  const holder =
    task.assignee.type === 'user'
      ? personName(task.assignee.userId)
      : task.assignee.type === 'unit'
        ? t('task.assigneeUnit', { name: unitName(task.assignee.unitId) })
        : t('task.assigneeCommittee');
  const links = (task.links ?? {}) as Record<string, string>;
  // Set when a decision from here found the task already decided elsewhere.
  const [elsewhere, setElsewhere] = useState(false);
  const reviewing = (task.kind === 'plan.review' || task.kind === 'plan.final_approval' || task.kind === 'plan.internal_review') && links.version && task.cycleId;

  return (
    <>
      <Typography.Title level={1} id="task-title" className="page-title">
        {taskTitle(task, t, unitName, years)}
      </Typography.Title>
      {elsewhere && <Alert type="warning" showIcon role="alert" title={t('error.decidedElsewhere')} style={{ marginBottom: 16 }} />}
      <Card title={t('task.details')} size="small" style={{ marginBottom: 16 }}>
        <Descriptions column={{ xs: 1, md: 2 }} size="small">
          <Descriptions.Item label={t('inbox.kind')}>{t(`kind.${task.kind}`)}</Descriptions.Item>
          <Descriptions.Item label={t('task.status')}>
            <Space size={4} wrap>
              <Tag>{t(`taskStatus.${task.status}`)}</Tag>
              {isOverdue(task) && <Tag color="red">{t('inbox.overdue')}</Tag>}
              {task.escalationStep > 0 && active && <Tag color="orange">{t('inbox.escalated', { step: task.escalationStep })}</Tag>}
            </Space>
          </Descriptions.Item>
          <Descriptions.Item label={t('task.holder')}>{holder}</Descriptions.Item>
          <Descriptions.Item label={t('task.due')}>
            <time dateTime={task.dueAt}>{formatDateTime(task.dueAt)}</time>
          </Descriptions.Item>
          {task.cycleId && (
            <Descriptions.Item label={t('task.cycle')}>
              <Link to={`/cycles/${task.cycleId}`}>{cycle.data?.title ?? '…'}</Link>
            </Descriptions.Item>
          )}
          {task.claimedBy && <Descriptions.Item label={t('taskStatus.claimed')}>{t('inbox.claimedBy', { name: personName(task.claimedBy) })}</Descriptions.Item>}
          {task.delegatedBy && <Descriptions.Item label={t('task.delegate')}>{t('inbox.delegatedBy', { name: personName(task.delegatedBy) })}</Descriptions.Item>}
        </Descriptions>
        {task.status === 'completed' && (
          <Alert
            type="success"
            showIcon
            title={t('task.decidedBy', { name: personName(task.decidedBy), at: formatDateTime(task.decidedAt), outcome: t(`outcome.${task.outcome}`, { defaultValue: task.outcome ?? '' }) })}
            description={task.comment ?? undefined}
          />
        )}
        {task.status === 'cancelled' && <Alert type="info" showIcon title={t('task.cancelledBecause', { reason: task.cancelReason ?? '' })} />}
      </Card>
      {active && <TaskActions task={task} meId={me.id} />}
      {reviewing && <VersionReading cycleId={task.cycleId!} version={Number(links.version)} />}
      {active && <DecisionForm task={task} meId={me.id} onDecidedElsewhere={() => setElsewhere(true)} />}
      <Comments task={task} />
    </>
  );
}

/** Claim, put back, delegate: through the workflow that holds the task. */
function TaskActions({ task, meId }: { task: Task; meId: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queries = useQueryClient();
  const errorText = useErrorText();
  const { people } = useDirectory();
  const [delegating, setDelegating] = useState(false);
  const [to, setTo] = useState<string>();
  const refresh = () => Promise.all([queries.invalidateQueries({ queryKey: keys.tasks })]);
  const act = useMutation({
    mutationFn: async (action: 'claim' | 'unclaim' | 'delegate') => {
      const path = { params: { path: { id: task.id } } };
      if (action === 'claim') await ok(api.POST('/tasks/{id}/claim', path));
      else if (action === 'unclaim') await ok(api.POST('/tasks/{id}/unclaim', path));
      else await ok(api.POST('/tasks/{id}/delegate', { ...path, body: { toUserId: to! } }));
      return action;
    },
    onSuccess: async (action) => {
      setDelegating(false);
      void message.success(t(action === 'claim' ? 'task.claimed' : action === 'unclaim' ? 'task.unclaimed' : 'task.delegated'));
      await refresh();
    },
    onError: async (error) => {
      void message.error(errorText(error));
      await refresh();
    },
  });
  const eligible = task.eligibleUserIds.includes(meId);
  const group = task.assignee.type !== 'user';
  const mayDelegate = eligible || task.claimedBy === meId;
  const candidates = people.filter((p) => p.id !== meId && (!COMMITTEE_KINDS.has(task.kind) || p.committeeMember));
  if (!mayDelegate && !(group && eligible)) return null;
  return (
    <Space style={{ marginBottom: 16 }} wrap>
      {group && task.status === 'open' && eligible && (
        <Button onClick={() => act.mutate('claim')} loading={act.isPending}>
          {t('task.claim')}
        </Button>
      )}
      {group && task.status === 'claimed' && task.claimedBy === meId && (
        <Button onClick={() => act.mutate('unclaim')} loading={act.isPending}>
          {t('task.unclaim')}
        </Button>
      )}
      {mayDelegate && <Button onClick={() => setDelegating(true)}>{t('task.delegate')}</Button>}
      <Modal
        open={delegating}
        title={t('task.delegate')}
        okText={t('task.delegateConfirm')}
        cancelText={t('app.cancel')}
        okButtonProps={{ disabled: !to, loading: act.isPending }}
        onOk={() => act.mutate('delegate')}
        onCancel={() => setDelegating(false)}
      >
        <Typography.Paragraph>{t('task.delegateHint')}</Typography.Paragraph>
        <Select
          aria-label={t('task.delegateTo')}
          showSearch
          optionFilterProp="label"
          style={{ width: '100%' }}
          value={to}
          onChange={setTo}
          options={candidates.map((p) => ({ value: p.id, label: p.displayName }))}
        />
      </Modal>
    </Space>
  );
}

/** What the workflow suggests the form start from (`context.prefill`: e.g. one milestone report per milestone). */
function prefillOf(task: Task): Record<string, unknown> {
  const prefill = (task as { context?: { prefill?: unknown } }).context?.prefill;
  return prefill && typeof prefill === 'object' ? (prefill as Record<string, unknown>) : {};
}

/**
 * The decision, with the payload fields of the task's kind built from its JSON Schema. One
 * Idempotency-Key per form: a double click or a retry records one decision. The server's
 * messages land on the fields they name.
 */
function DecisionForm({ task, meId, onDecidedElsewhere }: { task: Task; meId: string; onDecidedElsewhere: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queries = useQueryClient();
  const kinds = useTaskKinds();
  const kind = kinds.get(task.kind);
  const [form] = Form.useForm();
  const [key] = useState(newIdempotencyKey);
  const [problem, setProblem] = useState<unknown>(null);
  const [elsewhere, setElsewhere] = useState(false);
  const schema = kind ? schemaFor(kind.payloadSchema as JsonSchema, (task.links ?? {}) as Record<string, string>) : undefined;

  const decide = useMutation({
    mutationFn: async (outcome: string) => {
      const values = form.getFieldsValue(true) as { comment?: string; payload?: Record<string, unknown> };
      const body = { outcome, comment: values.comment?.trim() || undefined, payload: payloadOf(schema!, values.payload ?? {}) };
      return ok(api.POST('/tasks/{id}/complete', { params: { path: { id: task.id }, header: { 'Idempotency-Key': key } }, body }));
    },
    onSuccess: async () => {
      void message.success(t('task.submitted'));
      await queries.invalidateQueries({ queryKey: keys.tasks });
      await queries.invalidateQueries({ queryKey: keys.cycles });
    },
    onError: async (error) => {
      setProblem(error);
      if (error instanceof ApiError && error.status === 400) {
        // Each message on its field: `payload.narrative` → the narrative field, `comment` → the comment.
        const named = error.body.details.filter((d) => d.path === 'comment' || d.path.startsWith('payload.'));
        form.setFields(named.map((d) => ({ name: d.path.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p)), errors: [d.message] })));
      }
      if (error instanceof ApiError && (error.status === 409 || error.status === 403 || error.status === 404)) {
        const fresh = await queries.fetchQuery({ ...taskQuery(task.id), staleTime: 0 });
        if (fresh.status === 'completed' || fresh.status === 'cancelled' || (fresh.claimedBy && fresh.claimedBy !== meId)) {
          setElsewhere(true);
          onDecidedElsewhere();
          await queries.invalidateQueries({ queryKey: keys.tasks });
        }
      }
    },
  });

  if (!kind || !schema) return null;
  if (kind.closedBySystem) return <Alert type="info" showIcon title={t('task.closedBySystem', { where: kind.closedBySystem })} style={{ marginBottom: 16 }} />;
  const mine = task.eligibleUserIds.includes(meId) || task.claimedBy === meId;
  if (!mine) return <Alert type="info" showIcon title={t('task.notEligible')} style={{ marginBottom: 16 }} />;
  if (kind.fourEyes && task.submittedBy === meId) return <Alert type="warning" showIcon title={t('task.fourEyes')} style={{ marginBottom: 16 }} />;

  const submit = async (outcome: string) => {
    setProblem(null);
    try {
      await form.validateFields();
    } catch {
      return;
    }
    decide.mutate(outcome);
  };

  return (
    <Card title={t('task.decision')} size="small" style={{ marginBottom: 16 }}>
      {elsewhere ? <Alert type="warning" showIcon role="alert" title={t('error.decidedElsewhere')} style={{ marginBottom: 16 }} /> : problem ? <ErrorNotice error={problem} /> : null}
      <Form form={form} layout="vertical" initialValues={{ payload: { ...initialValues(schema), ...prefillOf(task) } }} disabled={decide.isSuccess || elsewhere}>
        <SchemaFields schema={schema} path={['payload']} />
        <Form.Item name="comment" label={t('task.comment')}>
          <Input.TextArea autoSize={{ minRows: 2, maxRows: 8 }} maxLength={10_000} />
        </Form.Item>
        <Space wrap>
          {kind.outcomes.map((outcome, i) => (
            <Button key={outcome} type={i === 0 ? 'primary' : 'default'} danger={outcome === 'reject'} loading={decide.isPending && decide.variables === outcome} onClick={() => void submit(outcome)}>
              {t(`outcome.${outcome}`)}
            </Button>
          ))}
        </Space>
      </Form>
    </Card>
  );
}

function Comments({ task }: { task: Task }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const { personName } = useDirectory();
  const [text, setText] = useState('');
  const comments = useQuery({ queryKey: keys.comments(task.id), queryFn: () => ok(api.GET('/tasks/{id}/comments', { params: { path: { id: task.id } } })) });
  const post = useMutation({
    mutationFn: () => ok(api.POST('/tasks/{id}/comments', { params: { path: { id: task.id } }, body: { body: text.trim() } })),
    onSuccess: async () => {
      setText('');
      await queries.invalidateQueries({ queryKey: keys.comments(task.id) });
    },
  });
  return (
    <Card title={t('task.comments')} size="small">
      <List
        dataSource={comments.data ?? []}
        locale={{ emptyText: t('task.noComments') }}
        renderItem={(c) => (
          <List.Item>
            <List.Item.Meta title={`${personName(c.authorId)} · ${formatDateTime(c.createdAt)}`} description={c.body} />
          </List.Item>
        )}
      />
      {post.error && <ErrorNotice error={post.error} />}
      <Space.Compact style={{ width: '100%', marginTop: 8 }}>
        <Input.TextArea aria-label={t('task.addComment')} placeholder={t('task.commentPlaceholder')} value={text} onChange={(e) => setText(e.target.value)} autoSize={{ minRows: 1, maxRows: 6 }} />
        <Button onClick={() => post.mutate()} disabled={!text.trim()} loading={post.isPending}>
          {t('task.post')}
        </Button>
      </Space.Compact>
    </Card>
  );
}
