import type { ManagedProcess } from './process';

export interface Supervised {
  /** The process running now (a new one after each restart). */
  current(): ManagedProcess;
  /** How many times it was restarted. */
  restarts(): number;
  /** Stops it for good: no restart follows. */
  stop(graceMs?: number): Promise<void>;
}

export interface SuperviseOptions {
  /** First delay before a restart; doubled after each quick crash, up to `maxDelayMs`. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** A process that ran at least this long crashed "fresh": the backoff starts over. */
  resetAfterMs?: number;
  /** Told about each start, the first and every restart (e.g. to record the new pid). */
  onStart?: (process: ManagedProcess) => void;
  /** Told about each unexpected exit and the delay before the restart. */
  onExit?: (process: ManagedProcess, code: number | string, delayMs: number) => void;
}

/**
 * Keeps a process running the way a supervisor would: when it exits unexpectedly it is started
 * again after a delay that doubles with each quick crash (1 s, 2 s, 4 s … 30 s) and starts over
 * once it has stayed up for a minute. `npm start` supervises the worker and the API with it.
 */
export function supervise(start: () => ManagedProcess, options: SuperviseOptions = {}): Supervised {
  const { initialDelayMs = 1000, maxDelayMs = 30_000, resetAfterMs = 60_000, onStart, onExit } = options;
  let stopped = false;
  let restarts = 0;
  let quickCrashes = 0;
  let timer: NodeJS.Timeout | undefined;
  let current: ManagedProcess;

  const launch = () => {
    const startedAt = Date.now();
    current = start();
    onStart?.(current);
    void current.exited.then((code) => {
      if (stopped) return;
      quickCrashes = Date.now() - startedAt >= resetAfterMs ? 0 : quickCrashes + 1;
      const delayMs = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.max(0, quickCrashes - 1));
      onExit?.(current, code, delayMs);
      timer = setTimeout(() => {
        if (stopped) return;
        restarts += 1;
        launch();
      }, delayMs);
    });
  };
  launch();

  return {
    current: () => current,
    restarts: () => restarts,
    async stop(graceMs) {
      stopped = true;
      clearTimeout(timer);
      await current.stop(graceMs);
    },
  };
}
