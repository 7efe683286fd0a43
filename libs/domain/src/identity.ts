// Persisted values (database, tokens, audit records): do not rename.

/** What a person may do; a user holds one or more roles. */
export const Role = {
  Admin: 'admin',
  Contributor: 'contributor',
  Reviewer: 'reviewer',
  Chair: 'chair',
  Auditor: 'auditor',
} as const;
export type Role = (typeof Role)[keyof typeof Role];
export const ROLES = Object.values(Role) as [Role, ...Role[]];

export const UnitKind = {
  PlanningOffice: 'planning_office',
  FunctionalCenter: 'functional_center',
  Subsidiary: 'subsidiary',
  DecisionCommittee: 'decision_committee',
} as const;
export type UnitKind = (typeof UnitKind)[keyof typeof UnitKind];
export const UNIT_KINDS = Object.values(UnitKind) as [UnitKind, ...UnitKind[]];

/** The five functional centers of seed 000, each analysing its own area of the plan. */
export const CenterArea = {
  StrategyRd: 'strategy_rd',
  Finance: 'finance',
  Hr: 'hr',
  ProjectOperations: 'project_operations',
  Customer: 'customer',
} as const;
export type CenterArea = (typeof CenterArea)[keyof typeof CenterArea];
export const CENTER_AREAS = Object.values(CenterArea) as [CenterArea, ...CenterArea[]];

/** Scopes an API token (machine client) may hold. */
export const ApiScope = {
  CyclesRead: 'cycles:read',
  ActualsWrite: 'actuals:write',
} as const;
export type ApiScope = (typeof ApiScope)[keyof typeof ApiScope];
export const API_SCOPES = Object.values(ApiScope) as [ApiScope, ...ApiScope[]];

/**
 * Who did something, as the server authenticated them — never as a client claimed.
 * Carried into every workflow update and audit record.
 */
export interface Actor {
  userId: string;
  roles: Role[];
  /** Home org unit, if any. */
  unitId: string | null;
  /** `user`: a person with an access token; `api_token`: a machine client acting for `userId`. */
  via: 'user' | 'api_token';
}

export function hasAnyRole(actor: Pick<Actor, 'roles'>, roles: readonly Role[]): boolean {
  return actor.roles.some((role) => roles.includes(role));
}

/** Roles that act on work: decide, claim, delegate and comment on tasks. Auditors only read. */
export const ACTING_ROLES: readonly Role[] = [Role.Admin, Role.Contributor, Role.Reviewer, Role.Chair];

/**
 * Whether someone holding `roles` may act on a task held by their unit. Membership alone is not
 * enough: an auditor sitting in the planning office reads everything and changes nothing.
 */
export function mayActOnTasks(roles: readonly Role[]): boolean {
  return !roles.includes(Role.Auditor) && roles.some((role) => ACTING_ROLES.includes(role));
}

/** Org units that analyse their area for a plan: functional centers and subsidiaries (seed 000 §2). */
export const CONTRIBUTING_UNIT_KINDS: readonly UnitKind[] = [UnitKind.FunctionalCenter, UnitKind.Subsidiary];
