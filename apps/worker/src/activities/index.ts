import type { DataSource } from 'typeorm';
import { createCycleActivities } from './cycle.activities';
import { createPlanActivities } from './plan.activities';
import { createTaskActivities } from './task.activities';

export interface ActivityDependencies {
  dataSource: DataSource;
}

/** Every activity the worker registers, built from its dependencies. */
export function createActivities(deps: ActivityDependencies) {
  return { ...createCycleActivities(deps), ...createTaskActivities(deps), ...createPlanActivities(deps) };
}
