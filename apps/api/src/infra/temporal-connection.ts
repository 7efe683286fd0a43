/** Injection token of the API's Temporal connection (its own file: the module and its interceptor both need it). */
export const TEMPORAL_CONNECTION = Symbol('TEMPORAL_CONNECTION');
