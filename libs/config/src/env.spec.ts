import { z } from 'zod';
import { ConfigError, parseEnv, port, url } from './env';
import { databaseEnv, temporalEnv } from './services';

const schema = z.object({ ...temporalEnv, ...databaseEnv, API_PORT: port(3000) });

describe('parseEnv', () => {
  it('applies defaults for unset and empty variables', () => {
    const config = parseEnv(schema, { API_PORT: '' });
    expect(config).toEqual({
      TEMPORAL_ADDRESS: 'localhost:7233',
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: 'rollplan',
      DATABASE_URL: 'postgres://rollplan:rollplan@localhost:5432/rollplan',
      API_PORT: 3000,
    });
  });

  it('coerces and keeps given values', () => {
    const config = parseEnv(schema, { API_PORT: '8080', TEMPORAL_ADDRESS: 'temporal:7233' });
    expect(config.API_PORT).toBe(8080);
    expect(config.TEMPORAL_ADDRESS).toBe('temporal:7233');
  });

  it('names every invalid variable in one error', () => {
    let error: unknown;
    try {
      parseEnv(schema, { API_PORT: 'eighty', DATABASE_URL: 'mysql://x', TEMPORAL_ADDRESS: 'no-port' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const variables = (error as ConfigError).problems.map((p) => p.variable).sort();
    expect(variables).toEqual(['API_PORT', 'DATABASE_URL', 'TEMPORAL_ADDRESS']);
    expect((error as ConfigError).message).toContain('DATABASE_URL: must be a postgres:// or postgresql:// URL');
  });

  it('rejects a port out of range', () => {
    expect(() => parseEnv(z.object({ P: port(1) }), { P: '70000' })).toThrow(/P:/);
  });

  it('rejects a URL that does not parse', () => {
    expect(() => parseEnv(z.object({ U: url(['redis:'], 'redis://x') }), { U: 'not a url' })).toThrow(/U: must be a redis:\/\/ URL/);
  });
});
