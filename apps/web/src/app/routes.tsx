import { createBrowserRouter, Navigate } from 'react-router';
import { Shell } from './Shell';

/** Client routes, all under /app (the API owns every other path). Each screen is its own chunk. */
export const router = createBrowserRouter(
  [
    { path: '/sign-in', lazy: async () => ({ Component: (await import('./SignInPage')).SignInPage }) },
    {
      path: '/',
      Component: Shell,
      children: [
        { index: true, element: <Navigate to="/inbox" replace /> },
        { path: 'inbox', lazy: async () => ({ Component: (await import('../inbox/InboxPage')).InboxPage }) },
        { path: 'tasks/:id', lazy: async () => ({ Component: (await import('../inbox/TaskPage')).TaskPage }) },
        { path: 'cycles', lazy: async () => ({ Component: (await import('../cycles/CyclesPage')).CyclesPage }) },
        { path: 'cycles/:id', lazy: async () => ({ Component: (await import('../cycles/CyclePage')).CyclePage }) },
        { path: 'me', lazy: async () => ({ Component: (await import('./MePage')).MePage }) },
        { path: 'notifications', lazy: async () => ({ Component: (await import('../notifications/NotificationsPage')).NotificationsPage }) },
        { path: '*', element: <Navigate to="/inbox" replace /> },
      ],
    },
  ],
  { basename: '/app' },
);
