import type { CyclePhase } from '@rollplan/domain';
import type { PlanningCycleInput } from './planning-cycle.messages';

/**
 * The activities workflows call, as types only: workflow code imports this file with
 * `import type`, the worker implements it (apps/worker/src/activities).
 * Every activity is idempotent: Temporal may run it more than once.
 */
export interface CycleActivities {
  /** Creates the cycle's read-model row; a retry finds it and changes nothing. */
  recordCycleStarted(input: PlanningCycleInput & { workflowId: string }): Promise<void>;
  /** Moves the read model to `phase` (no-op when already there). */
  recordCyclePhase(input: { cycleId: string; phase: CyclePhase; at: string; reason?: string }): Promise<void>;
}
