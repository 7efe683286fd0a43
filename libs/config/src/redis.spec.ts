import { redisOptions } from './redis';

describe('redisOptions', () => {
  it('keeps user, password, database number and TLS from the URL', () => {
    expect(redisOptions('rediss://app:s%40cret@redis.internal:6380/3', 'failFast')).toEqual({
      host: 'redis.internal',
      port: 6380,
      username: 'app',
      password: 's@cret',
      db: 3,
      tls: {},
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
    });
  });

  it('defaults the port, leaves out what the URL does not say, and lets workers wait for Redis', () => {
    expect(redisOptions('redis://:pw@localhost', 'wait')).toEqual({ host: 'localhost', port: 6379, password: 'pw', maxRetriesPerRequest: null });
  });

  it('refuses a path that is not a database number', () => {
    expect(() => redisOptions('redis://localhost:6379/cache', 'wait')).toThrow(/database number/);
  });
});
