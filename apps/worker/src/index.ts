export { bundlePlanningWorkflows, createPlanningWorker, workflowSinks, WORKFLOW_INTERCEPTOR_MODULES, WORKFLOWS_PATH, type PlanningWorkerOptions } from './worker';
export { createActivities, failOnUnwritableData } from './activities';
export { loadWorkerConfig, type WorkerConfig } from './config';
export * from './notifications';
export { startMonitoringJobs } from './monitoring/monitoring.processors';
export { ImportSweeper, type ImportJobData } from './monitoring/import-sweeper';
export type { ReportJobData } from './activities';
export { startWorkerMetrics, freeLoopbackPort, type WorkerMetrics } from './metrics';
