import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';

/** The error body every failed API call answers with (see the API's ErrorBody schema). */
export interface ErrorBody {
  error: string;
  message: string;
  details: { path: string; message: string }[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
  ) {
    super(body.message);
  }
}

/**
 * The access token lives in this module's memory only; the refresh token is an httpOnly cookie
 * (scoped to /auth) that the page's script never sees. Before a request, a token about to
 * expire is renewed once, whoever asks first (silent refresh).
 */
let access: { token: string; expiresAt: number } | null = null;
let renewing: Promise<boolean> | null = null;
const listeners = new Set<() => void>();

/** Called when the session ended on the server (expired, revoked, signed out elsewhere). */
export function onSessionExpired(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

interface TokenAnswer {
  accessToken: string;
  expiresIn: number;
}

function keep(answer: TokenAnswer): void {
  access = { token: answer.accessToken, expiresAt: Date.now() + answer.expiresIn * 1000 };
}

async function errorOf(response: Response): Promise<ApiError> {
  const body = (await response.json().catch(() => null)) as ErrorBody | null;
  return new ApiError(response.status, body?.error ? body : { error: 'internal', message: response.statusText, details: [] });
}

export async function signIn(email: string, password: string): Promise<void> {
  const response = await fetch('/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-rollplan-client': 'web' },
    body: JSON.stringify({ email, password }),
  });
  if (!response.ok) throw await errorOf(response);
  keep((await response.json()) as TokenAnswer);
}

/** Trades the refresh cookie for a new access token; false when there is no valid session. */
export function renew(): Promise<boolean> {
  renewing ??= fetch('/auth/refresh', { method: 'POST', headers: { 'content-type': 'application/json', 'x-rollplan-csrf': '1' }, body: '{}' })
    .then(async (response) => {
      if (!response.ok) {
        access = null;
        return false;
      }
      keep((await response.json()) as TokenAnswer);
      return true;
    })
    .catch(() => false)
    .finally(() => (renewing = null));
  return renewing;
}

export async function signOut(everywhere: boolean): Promise<void> {
  const token = await currentToken();
  if (token) {
    await fetch('/auth/logout', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-rollplan-csrf': '1' },
      body: JSON.stringify(everywhere ? { everywhere: true } : {}),
    }).catch(() => undefined);
  }
  access = null;
}

/** A token good for at least the next 30 seconds, renewed if needed; null when signed out. */
export async function currentToken(): Promise<string | null> {
  if (access && access.expiresAt - Date.now() > 30_000) return access.token;
  if (!(await renew())) return null;
  return access?.token ?? null;
}

const auth: Middleware = {
  async onRequest({ request }) {
    const token = await currentToken();
    if (token) request.headers.set('authorization', `Bearer ${token}`);
    return request;
  },
  async onResponse({ response }) {
    if (response.status === 401) {
      access = null;
      for (const listener of listeners) listener();
    }
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: '' });
api.use(auth);

/** The body of a successful call, or its error thrown as an ApiError (for TanStack Query). */
export async function ok<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result: Awaited<typeof call>;
  try {
    result = await call;
  } catch {
    throw new ApiError(0, { error: 'network', message: 'network error', details: [] });
  }
  if (!result.response.ok) {
    const body = result.error as ErrorBody | undefined;
    throw new ApiError(result.response.status, body?.error ? body : { error: 'internal', message: result.response.statusText, details: [] });
  }
  return result.data as T;
}

/** One key per form: a double click, or a retry after a timeout, records one decision. */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}
