/**
 * The planning rules without their request schemas: what workflow code may import
 * (`@rollplan/domain/rules`). No zod here, nor anything that pulls it in — the SDK instantiates
 * a workflow's modules once per cached execution, and zod with the schemas cost ≈1 MiB and
 * most of the CPU of creating one (docs/performance.md). Types from the schema files are fine:
 * they are erased.
 */
export * from './errors';
export * from './calendar';
export * from './cycle';
export * from './identity';
export * from './tasks';
export * from './plan';
export * from './monitoring';
export * from './controls';
export * from './report-labels';
