import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useSearchParams } from 'react-router';
import { ApiError } from '../api/client';
import { LanguageSwitch } from './LanguageSwitch';
import { useSession } from './session';

/** Where to go after signing in: only a path of this app, never another site. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/inbox';
}

export function SignInPage() {
  const { t } = useTranslation();
  const session = useSession();
  const [params] = useSearchParams();
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (session.state.status === 'signed-in') return <Navigate to={safeNext(params.get('next'))} replace />;

  async function submit(values: { email: string; password: string }) {
    setBusy(true);
    setFailure(null);
    try {
      await session.signIn(values.email.trim(), values.password);
    } catch (error) {
      if (error instanceof ApiError && error.status === 429) setFailure(t('auth.throttled', { seconds: 60 }));
      else if (error instanceof ApiError && error.status === 401) setFailure(t('auth.failed'));
      else if (error instanceof ApiError) setFailure(t(`error.${error.body.error}`, { defaultValue: t('error.unknown', { message: error.message }), message: error.message }));
      else setFailure(t('error.network'));
    } finally {
      setBusy(false);
    }
  }

  const expired = session.state.status === 'signed-out' && session.state.expired;
  return (
    <main className="sign-in">
      <Card style={{ width: 380 }}>
        <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', marginBottom: 16 }}>
          <Typography.Title level={1} style={{ fontSize: 20, margin: 0 }}>
            {t('auth.title')}
          </Typography.Title>
          <LanguageSwitch />
        </div>
        {expired && <Alert type="warning" showIcon title={t('auth.expired')} style={{ marginBottom: 16 }} />}
        {failure && <Alert type="error" showIcon title={failure} style={{ marginBottom: 16 }} role="alert" />}
        <Form layout="vertical" onFinish={submit} requiredMark={false}>
          <Form.Item name="email" label={t('auth.email')} rules={[{ required: true, message: t('task.required') }]}>
            <Input type="email" autoComplete="username" autoFocus />
          </Form.Item>
          <Form.Item name="password" label={t('auth.password')} rules={[{ required: true, message: t('task.required') }]}>
            <Input.Password autoComplete="current-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy}>
            {t('auth.signIn')}
          </Button>
        </Form>
      </Card>
    </main>
  );
}
