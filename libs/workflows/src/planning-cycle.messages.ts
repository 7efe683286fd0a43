import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { CyclePhase } from '@rollplan/domain';

/** Input of the planning-cycle workflow; one object so fields can be added compatibly. */
export interface PlanningCycleInput {
  cycleId: string;
  title: string;
  startYear: number;
  horizonYears: number;
}

/** What the workflow knows about its cycle right now. */
export interface CycleStatus extends PlanningCycleInput {
  phase: CyclePhase;
  /** ISO time the phase was entered (workflow time). */
  phaseSince: string;
  cancellation?: { reason: string; at: string };
}

export interface CancelCycleInput {
  reason: string;
}

// Message names are persisted: see names.ts.
export const cycleStatusQuery = defineQuery<CycleStatus>('cycleStatus');
export const cancelCycleUpdate = defineUpdate<CycleStatus, [CancelCycleInput]>('cancelCycle');
