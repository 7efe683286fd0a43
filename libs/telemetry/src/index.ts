export { PROBE_PATHS, queueTelemetry, startTracing, traceCarrier, traceLogFields, tracingEnabled, type Tracing } from './tracing';
