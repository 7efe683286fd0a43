import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import compression from 'compression';
import type { Express, Request, Response } from 'express';

/** Where the web app lives: its client routes and its assets (Vite's `base`). */
export const WEB_APP_PATH = '/app';

/**
 * The page may load only its own scripts and talk only to this origin; Ant Design writes its
 * styles at run time, hence inline styles.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

/** The built web app (apps/web/dist), or undefined when it was not built (an API-only deployment). */
export function webAppDir(): string | undefined {
  try {
    const dir = join(dirname(require.resolve('@rollplan/web/package.json')), 'dist');
    return existsSync(join(dir, 'index.html')) ? dir : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Serves the web app from the API's own address: `/` leads to it, `/app/assets/*` are its
 * content-hashed files (cached for a year), every other `/app/*` path is a client route and gets
 * index.html. API routes are untouched: the app's routes all live under /app.
 */
export function serveWebApp(app: NestExpressApplication, dir = webAppDir()): void {
  if (!dir) return;
  // The app's files are text: gzip them (the API's own JSON is left as it was).
  app.use(WEB_APP_PATH, compression());
  app.useStaticAssets(join(dir, 'assets'), { prefix: `${WEB_APP_PATH}/assets/`, immutable: true, maxAge: '365d', index: false });
  const http = app.getHttpAdapter().getInstance() as Express;
  const page = (_req: Request, res: Response) => {
    res.set({ 'Content-Security-Policy': CONTENT_SECURITY_POLICY, 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'same-origin' });
    res.sendFile(join(dir, 'index.html'));
  };
  http.get(`${WEB_APP_PATH}/assets/{*rest}`, (_req: Request, res: Response) => res.status(404).json({ error: 'not_found', message: 'no such file', details: [] }));
  http.get('/', (_req: Request, res: Response) => res.redirect(302, `${WEB_APP_PATH}/`));
  http.get(WEB_APP_PATH, page);
  http.get(`${WEB_APP_PATH}/{*rest}`, page);
}
