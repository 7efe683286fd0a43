export { queueTelemetry, startTracing, traceCarrier, traceLogFields, tracingEnabled, type Tracing } from './tracing';
