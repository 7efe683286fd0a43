import type { Readable } from 'node:stream';
import { harnessEnv } from './harness-env';
import type { TestSystem } from './system';

/** The variables the real API and worker processes need on a test system's task queue, database and Redis prefix. */
export function appProcessEnv(system: Pick<TestSystem, 'taskQueue' | 'db'>): Record<string, string> {
  const harness = harnessEnv();
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'error',
    TEMPORAL_ADDRESS: harness.ROLLPLAN_TEST_TEMPORAL_ADDRESS,
    TEMPORAL_TASK_QUEUE: system.taskQueue,
    DATABASE_URL: system.db.appUrl,
    REDIS_URL: harness.ROLLPLAN_TEST_REDIS_URL,
    QUEUE_PREFIX: system.taskQueue,
  };
}

/** Calls `onLine` with each whole line a process writes to `stream`. */
export function eachLine(stream: Readable, onLine: (line: string) => void): void {
  let rest = '';
  stream.on('data', (chunk: Buffer) => {
    const lines = (rest + chunk.toString('utf8')).split('\n');
    rest = lines.pop() ?? '';
    lines.forEach(onLine);
  });
}
