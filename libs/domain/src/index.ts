// Everything: the rules (rules.ts, safe in workflow code) and the request schemas (zod) for
// the API, the activities and the tools.
export * from './rules';
export * from './cycle.schema';
export * from './identity.schema';
export * from './tasks.schema';
export * from './plan.schema';
export * from './monitoring.schema';
export * from './controls.schema';
export * from './webhook-targets';
