export { createPlanningWorker, WORKFLOWS_PATH, type PlanningWorkerOptions } from './worker';
export { createActivities } from './activities';
export { loadWorkerConfig, type WorkerConfig } from './config';
export * from './notifications';
export { startMonitoringJobs, type ImportJobData } from './monitoring/monitoring.processors';
export type { ReportJobData } from './activities';
