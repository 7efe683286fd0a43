import { getHeapStatistics } from 'node:v8';

/**
 * Heap one cached execution may hold: an open cycle measured 0.41 MiB of the worker's RSS once zod
 * left the workflow bundle (2.95 MiB before; `npm run bench`, docs/performance.md). The margin
 * (×3.6) is for cycles in execution, whose state grows with months, actions and versions.
 */
export const CACHED_EXECUTION_MIB = 1.5;
/** Left to the workflow bundle, the SDK and short-lived garbage before the cache counts. */
const BASE_MIB = 200;

/**
 * How many executions the worker keeps cached: as many as fit in three quarters of the workflow
 * thread's heap once the base is set aside, so the cache evicts before the heap runs out. The
 * SDK's default (600 per GiB) assumes about 1.7 MiB each; when rollplan's executions weighed 2.5 MiB
 * (zod in the bundle), that default let the workflow thread run out of heap at about 2,250 open
 * cycles and took the worker down (ERR_WORKER_OUT_OF_MEMORY). test/fault/worker-heap.test.ts holds
 * a worker with a small heap to it.
 */
export function cachedExecutionsFor(heapLimitMiB: number, perExecutionMiB = CACHED_EXECUTION_MIB): number {
  return Math.max(10, Math.floor((Math.max(heapLimitMiB - BASE_MIB, 0) * 0.75) / perExecutionMiB));
}

/** This process's heap limit in MiB (set with --max-old-space-size; workflow threads get the same). */
export function heapLimitMiB(): number {
  return getHeapStatistics().heap_size_limit / 1_048_576;
}
