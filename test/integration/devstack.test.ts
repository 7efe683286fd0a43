import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { acquireLock, ping } from '@rollplan/devstack';
import { harnessEnv } from '../support/harness-env';

describe('local stack pieces', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rollplan-lock-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lets one start hold the data folder and tells a second who holds it', () => {
    const file = join(dir, 'a.pid');
    const first = acquireLock(file);
    expect(first.ok).toBe(true);
    const second = acquireLock(file);
    expect(second).toEqual({ ok: false, heldBy: process.pid });
    if (first.ok) first.release();
    const third = acquireLock(file);
    expect(third.ok).toBe(true);
    if (third.ok) third.release();
  });

  it('takes over a lock left by a process that no longer runs', () => {
    const file = join(dir, 'stale.pid');
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(file, gone.stdout);
    const lock = acquireLock(file);
    expect(lock.ok).toBe(true);
    if (lock.ok) lock.release();
  });

  it('answers PING on the harness Redis', async () => {
    const port = Number(new URL(harnessEnv().ROLLPLAN_TEST_REDIS_URL).port);
    expect(await ping(port)).toBe('+PONG');
  });
});
