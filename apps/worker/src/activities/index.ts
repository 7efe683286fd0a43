import { ApplicationFailure } from '@temporalio/activity';
import type { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import { createControlsActivities } from './controls.activities';
import { createCycleActivities } from './cycle.activities';
import { createMonitoringActivities, type ReportJobData } from './monitoring.activities';
import { createPlanActivities } from './plan.activities';
import { createTaskActivities } from './task.activities';

export type { ReportJobData } from './monitoring.activities';

export interface ActivityDependencies {
  dataSource: DataSource;
  /** Where monthly report requests go (the report processor renders them). */
  reportQueue: Queue<ReportJobData>;
}

/** Every activity the worker registers, built from its dependencies. */
export function createActivities(deps: ActivityDependencies) {
  const activities = { ...createCycleActivities(deps), ...createTaskActivities(deps), ...createPlanActivities(deps), ...createMonitoringActivities(deps), ...createControlsActivities(deps) };
  return Object.fromEntries(Object.entries(activities).map(([name, fn]) => [name, failOnUnwritableData(fn as (...args: unknown[]) => Promise<unknown>)])) as typeof activities;
}

/**
 * Data PostgreSQL refuses outright (SQLSTATE class 22: a NUL in text, an invalid encoding, an
 * out-of-range number) will be refused on every retry too: the activity fails for good, so the
 * workflow sees the failure instead of retrying for ever. Connection errors stay retryable.
 */
export function failOnUnwritableData<Args extends unknown[], Result>(fn: (...args: Args) => Promise<Result>): (...args: Args) => Promise<Result> {
  return async (...args) => {
    try {
      return await fn(...args);
    } catch (error) {
      const code = (error as { code?: unknown; driverError?: { code?: unknown } }).driverError?.code ?? (error as { code?: unknown }).code;
      if (typeof code === 'string' && code.startsWith('22')) {
        throw ApplicationFailure.nonRetryable(`the database cannot store this data (SQLSTATE ${code}): ${(error as Error).message}`, 'unwritable_data');
      }
      throw error;
    }
  };
}
