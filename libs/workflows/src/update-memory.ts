import { currentUpdateInfo } from '@temporalio/workflow';

/**
 * Results of updates by their id, carried across continue-as-new. Temporal deduplicates update
 * ids within one run only; the API makes an update's id from the request's Idempotency-Key, so a
 * retry that reaches the cycle's next run would otherwise be taken as a new request (a second
 * plan version). Kept for the last `capacity` updates that create something.
 */
export class UpdateMemory {
  private readonly results: Record<string, unknown>;

  constructor(
    carried: Record<string, unknown> | undefined,
    private readonly capacity = 200,
  ) {
    this.results = { ...(carried ?? {}) };
  }

  /** The first result of the update being handled, when an earlier run handled the same id. */
  recall<T>(): { result: T } | undefined {
    const id = currentUpdateInfo()?.id;
    return id !== undefined && Object.hasOwn(this.results, id) ? { result: this.results[id] as T } : undefined;
  }

  /** Keeps the result of the update being handled, for retries in later runs. */
  remember<T>(result: T): T {
    const id = currentUpdateInfo()?.id;
    if (id !== undefined) {
      this.results[id] = result;
      const ids = Object.keys(this.results);
      for (const old of ids.slice(0, Math.max(0, ids.length - this.capacity))) delete this.results[old];
    }
    return result;
  }

  /** What the next run starts from. */
  carry(): Record<string, unknown> {
    return { ...this.results };
  }
}
