/**
 * A planning cycle: one three-year strategic plan from first draft to closure.
 * Phases are persisted (read model, search attribute, API): do not rename one.
 */
export const CyclePhase = {
  Starting: 'starting',
  Drafting: 'drafting',
  InternalReview: 'internal_review',
  CommitteeReview: 'committee_review',
  Execution: 'execution',
  Closed: 'closed',
  Rejected: 'rejected',
  Cancelled: 'cancelled',
} as const;
export type CyclePhase = (typeof CyclePhase)[keyof typeof CyclePhase];

const TERMINAL_PHASES: ReadonlySet<CyclePhase> = new Set([CyclePhase.Closed, CyclePhase.Rejected, CyclePhase.Cancelled]);

/** A cycle in a terminal phase accepts no further decisions. */
export function isTerminalPhase(phase: CyclePhase): boolean {
  return TERMINAL_PHASES.has(phase);
}

/** The horizon the procedures (seed 000) fix: a three-year rolling plan. */
export const PLAN_HORIZON_YEARS = 3;

export const MIN_START_YEAR = 2000;
export const MAX_START_YEAR = 2100;

/** Temporal workflow id of a cycle's parent workflow: a business id, stable for the cycle's life. */
export function cycleWorkflowId(cycleId: string): string {
  return `cycle-${cycleId}`;
}
