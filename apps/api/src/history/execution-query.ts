import { z } from 'zod';
import { Procedure, SearchAttribute } from '@rollplan/workflows';

/** Execution statuses as the API names them, and as Temporal's visibility query does. */
export const EXECUTION_STATUS = {
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  canceled: 'Canceled',
  terminated: 'Terminated',
  continued_as_new: 'ContinuedAsNew',
  timed_out: 'TimedOut',
} as const;

export const executionFilterSchema = z.strictObject({
  cycleId: z.uuid('must be a UUID').optional(),
  procedure: z.enum(Object.values(Procedure) as [string, ...string[]]).optional(),
  planYear: z.coerce.number().int().min(2000).max(2100).optional(),
  period: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be YYYY-MM').optional(),
  status: z.enum(Object.keys(EXECUTION_STATUS) as [keyof typeof EXECUTION_STATUS, ...(keyof typeof EXECUTION_STATUS)[]]).optional(),
  unitId: z.uuid('must be a UUID').optional(),
});
export type ExecutionFilter = z.infer<typeof executionFilterSchema>;

const quoted = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/**
 * The Temporal list filter for an auditor's search. Returned with the results so the same
 * query can be run with `temporal workflow list --query "…"`. Values are validated by
 * `executionFilterSchema` first; quoting is still applied.
 */
export function executionQuery(filter: ExecutionFilter): string {
  const clauses: string[] = [];
  if (filter.cycleId) clauses.push(`${SearchAttribute.CycleId.name} = ${quoted(filter.cycleId)}`);
  if (filter.procedure) clauses.push(`${SearchAttribute.Procedure.name} = ${quoted(filter.procedure)}`);
  if (filter.planYear !== undefined) clauses.push(`${SearchAttribute.PlanYear.name} = ${filter.planYear}`);
  if (filter.period) clauses.push(`${SearchAttribute.Period.name} = ${quoted(filter.period)}`);
  if (filter.status) clauses.push(`ExecutionStatus = ${quoted(EXECUTION_STATUS[filter.status])}`);
  if (filter.unitId) clauses.push(`${SearchAttribute.Units.name} = ${quoted(filter.unitId)}`);
  return clauses.join(' AND ');
}
