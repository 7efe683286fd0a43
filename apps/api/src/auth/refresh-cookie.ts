import type { Request, Response } from 'express';
import { DomainError, ErrorCode } from '@rollplan/domain';

/**
 * The browser's refresh token lives in an httpOnly cookie the page's script cannot read,
 * SameSite=Strict and scoped to the auth routes, Secure outside development and tests; the
 * access token stays in the page's memory. API clients keep sending tokens in JSON.
 */
export const REFRESH_COOKIE = 'rollplan_refresh';
/** A browser asks for the cookie flow with this header on login. */
export const WEB_CLIENT_HEADER = 'x-rollplan-client';
/**
 * A request that authenticates by the cookie must carry this header: a cross-site form cannot
 * set it, and the API allows no cross-origin requests (CSRF, beside SameSite=Strict).
 */
export const CSRF_HEADER = 'x-rollplan-csrf';

export const wantsCookie = (req: Request) => req.header(WEB_CLIENT_HEADER) === 'web';

export function refreshCookieOf(req: Request): string | undefined {
  for (const part of (req.header('cookie') ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === REFRESH_COOKIE) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

/** The refresh token from the cookie, checked for the CSRF header. */
export function cookieToken(req: Request): string | undefined {
  const token = refreshCookieOf(req);
  if (token && req.header(CSRF_HEADER) !== '1') throw new DomainError(ErrorCode.Forbidden, `a request that uses the refresh cookie must send ${CSRF_HEADER}: 1`);
  return token;
}

export function setRefreshCookie(res: Response, token: string, expiresAt: string, secure: boolean): void {
  res.cookie(REFRESH_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure, path: '/auth', expires: new Date(expiresAt) });
}

export function clearRefreshCookie(res: Response, secure: boolean): void {
  res.clearCookie(REFRESH_COOKIE, { httpOnly: true, sameSite: 'strict', secure, path: '/auth' });
}
