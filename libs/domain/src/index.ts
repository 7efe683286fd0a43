export * from './errors';
export * from './calendar';
export * from './cycle';
export * from './identity';
export * from './tasks';
export * from './plan';
export * from './monitoring';
export * from './webhook-targets';
