import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { HumanTaskInput } from './human-task.messages';
import type { Actor, CyclePhase } from '@rollplan/domain';

/** Input of the planning-cycle workflow; one object so fields can be added compatibly. */
export interface PlanningCycleInput {
  cycleId: string;
  title: string;
  startYear: number;
  horizonYears: number;
  /** The admin who started it, as the API authenticated them (absent in histories recorded before v0.2). */
  startedBy?: Actor;
}

/** What the workflow knows about its cycle right now. */
export interface CycleStatus extends PlanningCycleInput {
  phase: CyclePhase;
  /** ISO time the phase was entered (workflow time). */
  phaseSince: string;
  cancellation?: { reason: string; at: string; by?: string };
}

export interface CancelCycleInput {
  reason: string;
  /** Set by the API from the caller's token; never from the request body. */
  by?: Actor;
}

// Message names are persisted: see names.ts.
export const cycleStatusQuery = defineQuery<CycleStatus>('cycleStatus');
export const cancelCycleUpdate = defineUpdate<CycleStatus, [CancelCycleInput]>('cancelCycle');

/** Opens a request to people as a child of the cycle: it ends with the cycle. */
export interface OpenRequestInput {
  /** Workflow id of the request (the API derives it from the idempotency key). */
  requestId: string;
  request: HumanTaskInput;
}
export const openRequestUpdate = defineUpdate<{ requestId: string }, [OpenRequestInput]>('openRequest');
