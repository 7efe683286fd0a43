import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startProcess, supervise } from '@rollplan/devstack';

// `npm start` supervises the worker and the API (issue 14, item 11): a process that dies is
// started again, with a backoff that doubles while it keeps crashing, and stopping ends it.
describe('the local stack’s supervisor', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rollplan-supervisor-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const until = async (probe: () => boolean, ms = 5000) => {
    const deadline = Date.now() + ms;
    while (!probe() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return probe();
  };

  it('restarts a process killed with -9, and one that keeps crashing with a doubling delay', async () => {
    const exits: [number | string, number][] = [];
    const crashing = supervise(() => startProcess('crasher', process.execPath, ['-e', 'process.exit(3)'], { logFile: join(dir, 'crasher.log') }), {
      initialDelayMs: 50,
      onExit: (_, code, delayMs) => exits.push([code, delayMs]),
    });
    expect(await until(() => crashing.restarts() >= 3)).toBe(true);
    await crashing.stop();
    expect(exits.slice(0, 3)).toEqual([
      [3, 50],
      [3, 100],
      [3, 200],
    ]);

    const steady = supervise(() => startProcess('sleeper', process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { logFile: join(dir, 'sleeper.log') }), { initialDelayMs: 50 });
    const first = steady.current().pid;
    process.kill(first, 'SIGKILL');
    expect(await until(() => steady.restarts() === 1)).toBe(true);
    expect(steady.current().pid).not.toBe(first);
    const second = steady.current();
    await steady.stop();
    expect(await second.exited).toBe('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    expect(steady.restarts()).toBe(1);
  });
});
