import type { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
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
  return { ...createCycleActivities(deps), ...createTaskActivities(deps), ...createPlanActivities(deps), ...createMonitoringActivities(deps) };
}
