import { useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { api, ok, onSessionExpired, renew, signIn as signInWithPassword, signOut as endSession } from '../api/client';
import type { Me } from '../api/types';
import { chooseLanguage, rememberedLanguage } from '../i18n';

type State = { status: 'loading' } | { status: 'signed-out'; expired: boolean } | { status: 'signed-in'; me: Me };

interface Session {
  state: State;
  signIn(email: string, password: string): Promise<void>;
  signOut(everywhere: boolean): Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

/**
 * Who is signed in. On load the refresh cookie, if any, is traded for an access token, so a
 * reload keeps the session without the token ever being stored by the page.
 */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<State>({ status: 'loading' });
  const queries = useQueryClient();

  const load = useCallback(async () => {
    const me = await ok(api.GET('/auth/me'));
    chooseLanguage(rememberedLanguage(me.id), me.id);
    setState({ status: 'signed-in', me });
  }, []);

  useEffect(() => {
    renew()
      .then((renewed) => (renewed ? load() : setState({ status: 'signed-out', expired: false })))
      .catch(() => setState({ status: 'signed-out', expired: false }));
  }, [load]);

  useEffect(
    () =>
      onSessionExpired(() => {
        queries.clear();
        setState((current) => (current.status === 'signed-in' ? { status: 'signed-out', expired: true } : current));
      }),
    [queries],
  );

  const session: Session = {
    state,
    async signIn(email, password) {
      await signInWithPassword(email, password);
      await load();
    },
    async signOut(everywhere) {
      await endSession(everywhere);
      queries.clear();
      setState({ status: 'signed-out', expired: false });
    },
  };
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

/** The signed-in user; only for screens behind RequireSession. */
export function useMe(): Me {
  const { state } = useSession();
  if (state.status !== 'signed-in') throw new Error('not signed in');
  return state.me;
}
