import { ConfigError } from '@rollplan/config';
import { DEV_JWT_SECRET, loadApiConfig } from './config';

describe('api config', () => {
  it('runs on defaults outside production', () => {
    expect(loadApiConfig({})).toMatchObject({ API_PORT: 3000, JWT_SECRET: DEV_JWT_SECRET, ACCESS_TOKEN_TTL_SECONDS: 900 });
  });

  it.each([
    ['the development default', {}],
    ['a short secret', { JWT_SECRET: 'too-short' }],
  ])('refuses to start in production with %s', (_what, env) => {
    expect(() => loadApiConfig({ NODE_ENV: 'production', ...env })).toThrow(ConfigError);
    expect(() => loadApiConfig({ NODE_ENV: 'production', ...env })).toThrow(/JWT_SECRET/);
  });

  it('starts in production with a long secret of its own', () => {
    const secret = 'x'.repeat(48);
    expect(loadApiConfig({ NODE_ENV: 'production', JWT_SECRET: secret }).JWT_SECRET).toBe(secret);
  });

  it('names a bad port', () => {
    expect(() => loadApiConfig({ API_PORT: '0' })).toThrow(/API_PORT/);
  });
});
