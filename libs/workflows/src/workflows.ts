// Entry point the worker bundles: every workflow function, and nothing the API needs.
export { planningCycle } from './planning-cycle.workflow';
export { humanTask } from './human-task.workflow';
export { monthlyReview } from './monthly-review.workflow';
