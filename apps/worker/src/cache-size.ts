import { getHeapStatistics } from 'node:v8';

/** Heap one cached execution holds: 2.5 MiB per open cycle measured (issue 17), with a margin. */
export const CACHED_EXECUTION_MIB = 3;
/** Left to the workflow bundle, the SDK and short-lived garbage before the cache counts. */
const BASE_MIB = 200;

/**
 * How many executions the worker keeps cached: as many as fit in three quarters of the workflow
 * thread's heap once the base is set aside, so the cache evicts before the heap runs out. The
 * SDK's default (600 per GiB) assumes about 1.7 MiB each; rollplan's executions are heavier, and
 * with that default the workflow thread ran out of heap at about 2,250 open cycles and took the
 * worker down (ERR_WORKER_OUT_OF_MEMORY).
 */
export function cachedExecutionsFor(heapLimitMiB: number, perExecutionMiB = CACHED_EXECUTION_MIB): number {
  return Math.max(10, Math.floor((Math.max(heapLimitMiB - BASE_MIB, 0) * 0.75) / perExecutionMiB));
}

/** This process's heap limit in MiB (set with --max-old-space-size; workflow threads get the same). */
export function heapLimitMiB(): number {
  return getHeapStatistics().heap_size_limit / 1_048_576;
}
