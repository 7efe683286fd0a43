import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Empty, List, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, ok } from '../api/client';
import { keys } from '../api/queries';
import { ErrorNotice } from '../app/ErrorNotice';
import { formatDateTime } from '../format';

export function NotificationsPage() {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const notifications = useQuery({ queryKey: [...keys.notifications, 'all'], queryFn: () => ok(api.GET('/notifications', { params: { query: { limit: 100 } } })) });
  const read = useMutation({
    mutationFn: (id: string) => ok(api.POST('/notifications/{id}/read', { params: { path: { id } } })),
    onSuccess: () => queries.invalidateQueries({ queryKey: keys.notifications }),
  });
  return (
    <section aria-labelledby="notifications-title">
      <Typography.Title level={1} id="notifications-title" className="page-title">
        {t('notifications.title')}
      </Typography.Title>
      {notifications.error && <ErrorNotice error={notifications.error} />}
      <List
        loading={notifications.isLoading}
        dataSource={notifications.data?.items ?? []}
        locale={{ emptyText: <Empty description={t('notifications.empty')} /> }}
        renderItem={(n) => (
          <List.Item
            className={n.readAt ? 'notification-read' : 'notification-unread'}
            actions={[
              n.taskId ? (
                <Link key="open" to={`/tasks/${n.taskId}`}>
                  {t('notifications.openTask')}
                </Link>
              ) : null,
              !n.readAt ? (
                <Button key="read" size="small" onClick={() => read.mutate(n.id)} loading={read.isPending && read.variables === n.id}>
                  {t('notifications.markRead')}
                </Button>
              ) : null,
            ]}
          >
            <List.Item.Meta
              title={
                <Space size={6}>
                  {!n.readAt && <Tag color="blue">{t('notifications.unread')}</Tag>}
                  <Tag>{t(`notifications.event.${n.event}`, { defaultValue: t('notifications.event.other') })}</Tag>
                  <span>{n.title}</span>
                </Space>
              }
              description={<time dateTime={n.createdAt}>{formatDateTime(n.createdAt)}</time>}
            />
          </List.Item>
        )}
      />
    </section>
  );
}
