/**
 * Connection options for ioredis and BullMQ, from the validated REDIS_URL: one reading of the URL
 * for the API, the worker and the tests, so user, password, database number and TLS (`rediss:`)
 * reach every connection, not just some.
 *
 * `failFast`: producers and request paths (commands fail at once while Redis is down: the API
 * answers 503, the outbox keeps its rows). `wait`: BullMQ workers, which must wait for Redis
 * (BullMQ requires `maxRetriesPerRequest: null` for them).
 */
export interface RedisOptions {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db?: number;
  tls?: Record<string, never>;
  enableOfflineQueue?: boolean;
  maxRetriesPerRequest: number | null;
}

export function redisOptions(url: string, mode: 'failFast' | 'wait'): RedisOptions {
  const parsed = new URL(url);
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) throw new Error(`REDIS_URL: the path must be a database number, not "${db}"`);
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: Number(parsed.port || 6379),
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(db ? { db: Number(db) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
    ...(mode === 'failFast' ? { enableOfflineQueue: false, maxRetriesPerRequest: 1 } : { maxRetriesPerRequest: null }),
  };
}
