import { BellOutlined } from '@ant-design/icons';
import { Badge, Layout, Spin } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, NavLink, Outlet, useLocation, useNavigation } from 'react-router';
import { api, ok } from '../api/client';
import { keys, useDirectory } from '../api/queries';
import { LanguageSwitch } from './LanguageSwitch';
import { useLiveNotifications } from './live';
import { useSession } from './session';

/** The frame every signed-in screen sits in: navigation, the bell, language, who am I. */
export function Shell() {
  const { state } = useSession();
  const location = useLocation();
  if (state.status === 'loading') return <Spin fullscreen />;
  if (state.status === 'signed-out') {
    const next = `${location.pathname}${location.search}`;
    return <Navigate to={`/sign-in?next=${encodeURIComponent(next)}`} replace />;
  }
  return <SignedIn />;
}

function SignedIn() {
  const { t } = useTranslation();
  const navigation = useNavigation();
  const location = useLocation();
  const session = useSession();
  const { unitName } = useDirectory();
  useLiveNotifications();
  const unread = useQuery({ queryKey: [...keys.notifications, 'unread'], queryFn: () => ok(api.GET('/notifications', { params: { query: { unread: 'true', limit: 1 } } })) });
  if (session.state.status !== 'signed-in') return null;
  const me = session.state.me;
  const unreadCount = unread.data?.total ?? 0;
  const sections = [
    { to: '/inbox', label: t('nav.inbox'), also: '/tasks' },
    { to: '/cycles', label: t('nav.cycles') },
    { to: '/notifications', label: t('nav.notifications') },
  ];

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <a className="skip-link" href="#main">
        {t('app.skip')}
      </a>
      <Layout.Header className="app-header">
        <Link to="/inbox" className="app-name">
          {t('app.name')}
        </Link>
        <nav aria-label={t('nav.menu')} className="app-nav">
          {sections.map((s) => (
            <NavLink key={s.to} to={s.to} className={({ isActive }) => (isActive || (s.also && location.pathname.startsWith(s.also)) ? 'active' : undefined)}>
              {s.label}
            </NavLink>
          ))}
        </nav>
        <Link to="/notifications" aria-label={t('notifications.bell', { count: unreadCount })} className="bell">
          <Badge count={unreadCount} size="small" offset={[6, -2]}>
            <BellOutlined aria-hidden className="bell-icon" />
          </Badge>
        </Link>
        <LanguageSwitch />
        <Link to="/me" className="me-link" aria-label={`${t('auth.me')}: ${me.displayName}`}>
          <span>{me.displayName}</span>
          {me.unitId && <span className="me-unit">{unitName(me.unitId)}</span>}
        </Link>
      </Layout.Header>
      <Layout.Content id="main" tabIndex={-1} className="app-main">
        {navigation.state === 'loading' && <Spin className="route-spinner" />}
        <Suspense fallback={<Spin />}>
          <Outlet />
        </Suspense>
      </Layout.Content>
    </Layout>
  );
}
