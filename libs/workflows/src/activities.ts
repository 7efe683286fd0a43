import type { Actor, CyclePhase } from '@rollplan/domain';
import type { PlanningCycleInput } from './planning-cycle.messages';

/**
 * The activities workflows call, as types only: workflow code imports this file with
 * `import type`, the worker implements it (apps/worker/src/activities).
 * Every activity is idempotent: Temporal may run it more than once.
 */
export interface CycleActivities {
  /** Creates the cycle's read-model row and its audit record; a retry finds them and changes nothing. */
  recordCycleStarted(input: PlanningCycleInput & { workflowId: string }): Promise<void>;
  /** Moves the read model to `phase` and audits it, with the actor who caused it (none: the process itself). */
  recordCyclePhase(input: { cycleId: string; phase: CyclePhase; at: string; reason?: string; actor?: Actor }): Promise<void>;
}
