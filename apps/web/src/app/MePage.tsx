import { Button, Card, Descriptions, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useDirectory } from '../api/queries';
import { useMe, useSession } from './session';

/** Who am I: roles, unit, committee membership; signing out here or everywhere. */
export function MePage() {
  const { t } = useTranslation();
  const me = useMe();
  const session = useSession();
  const { unitName } = useDirectory();
  return (
    <section aria-labelledby="me-title">
      <Typography.Title level={1} id="me-title" className="page-title">
        {t('auth.me')}
      </Typography.Title>
      <Card size="small" style={{ maxWidth: 640 }}>
        <Descriptions column={1} size="small">
          <Descriptions.Item label={t('auth.name')}>{me.displayName}</Descriptions.Item>
          <Descriptions.Item label={t('auth.email')}>{me.email}</Descriptions.Item>
          <Descriptions.Item label={t('auth.roles')}>
            {me.roles.map((r) => (
              <Tag key={r}>{t(`role.${r}`)}</Tag>
            ))}
          </Descriptions.Item>
          <Descriptions.Item label={t('auth.unit')}>{me.unitId ? unitName(me.unitId) : t('app.none')}</Descriptions.Item>
          {me.committeeMember && <Descriptions.Item label={t('cycle.committee')}>{t('auth.committeeMember')}</Descriptions.Item>}
        </Descriptions>
        <Space style={{ marginTop: 16 }}>
          <Button onClick={() => void session.signOut(false)}>{t('auth.signOut')}</Button>
          <Button danger onClick={() => void session.signOut(true)}>
            {t('auth.signOutEverywhere')}
          </Button>
        </Space>
      </Card>
    </section>
  );
}
