import { fetchEventSource } from '@microsoft/fetch-event-source';
import { useQueryClient } from '@tanstack/react-query';
import { App } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { currentToken } from '../api/client';
import { keys } from '../api/queries';
import type { Notification } from '../api/types';

/** Set on the page once the stream is open: the browser tier waits for it before acting. */
export const LIVE_ATTRIBUTE = 'data-live';

/**
 * The signed-in user's notifications as server-sent events (GET /notifications/stream). A new
 * one refreshes the bell, the inbox and the cycle pages and shows a toast; no reload needed.
 * The server ends a stream after a few minutes; it is reopened with a fresh token and
 * Last-Event-ID, so nothing is missed in between.
 */
export function useLiveNotifications(): void {
  const queries = useQueryClient();
  const { notification } = App.useApp();
  const { t } = useTranslation();

  useEffect(() => {
    const stop = new AbortController();
    void fetchEventSource('/notifications/stream', {
      signal: stop.signal,
      openWhenHidden: true,
      // A fresh token on every (re)connection: fetchEventSource reuses its headers otherwise.
      fetch: async (input, init) => {
        const token = await currentToken();
        return fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), authorization: `Bearer ${token ?? ''}` } });
      },
      async onopen(response) {
        if (!response.ok) throw new Error(`stream answered ${response.status}`);
        document.body.setAttribute(LIVE_ATTRIBUTE, 'open');
      },
      onmessage(message) {
        if (message.event !== 'notification') return;
        const item = JSON.parse(message.data) as Notification;
        void queries.invalidateQueries({ queryKey: keys.notifications });
        void queries.invalidateQueries({ queryKey: keys.tasks });
        void queries.invalidateQueries({ queryKey: keys.cycles });
        notification.info({ message: t(`notifications.event.${item.event}`, { defaultValue: t('notifications.event.other') }), description: item.title, placement: 'bottomRight', duration: 4 });
      },
      onclose() {
        document.body.removeAttribute(LIVE_ATTRIBUTE);
        // The server closes after maxSeconds: throwing makes fetchEventSource reconnect.
        throw new Error('stream ended');
      },
      onerror() {
        document.body.removeAttribute(LIVE_ATTRIBUTE);
        return 3000;
      },
    });
    return () => {
      stop.abort();
      document.body.removeAttribute(LIVE_ATTRIBUTE);
    };
  }, [queries, notification, t]);
}
