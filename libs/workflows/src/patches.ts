import { patched } from '@temporalio/workflow';
import { PATCH_BASELINE, type PatchId } from './names';

// Workflow code only. Module state is per execution: the SDK evaluates a workflow's modules for
// each execution it runs.
let baseline = 0;

/** Called first thing by each workflow function with its input's `baseline` (absent before v0.11: 0). */
export function startFromBaseline(value: number | undefined): void {
  baseline = value ?? 0;
}

/** The baseline this execution started from, for the children it starts. */
export function currentBaseline(): number {
  return baseline;
}

/**
 * Whether `patch` is in effect: always in an execution whose baseline includes it, else Temporal's
 * `patched()` (a marker in new histories, the old branch when replaying one recorded before it).
 */
export function hasPatch(patch: PatchId): boolean {
  return baseline >= PATCH_BASELINE[patch] || patched(patch);
}

/** The `baseline` field to put in a child's input: none for executions started before v0.11, as their children had. */
export function baselineField(): { baseline?: number } {
  return baseline > 0 ? { baseline } : {};
}
