// First: tracing patches http, pg and ioredis as they load.
import { tracing } from './tracing';
import { hostname } from 'node:os';
import { Client, Connection } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { NativeConnection, Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import { DataSource } from 'typeorm';
import pino from 'pino';
import { ConfigError, redisOptions } from '@rollplan/config';
import { traceLogFields } from '@rollplan/telemetry';
import { dataSourceOptions } from '@rollplan/db';
import { loadWorkerConfig } from './config';
import { startMonitoringJobs } from './monitoring/monitoring.processors';
import { redisConnection, startNotifications } from './notifications/start';
import { cachedExecutionsFor, heapLimitMiB } from './cache-size';
import { createPlanningWorker } from './worker';
import { freeLoopbackPort, startWorkerMetrics } from './metrics';

async function main(): Promise<void> {
  const config = loadWorkerConfig();
  const logger = pino({ level: config.LOG_LEVEL, base: { app: 'worker' }, mixin: traceLogFields });
  // The SDK's runtime metrics go to a loopback port of their own; /metrics passes them on.
  const sdkMetricsPort = config.WORKER_METRICS_PORT !== undefined ? await freeLoopbackPort() : undefined;
  Runtime.install({
    logger: {
      log: (level, message, meta) => logger[level.toLowerCase() as 'info'](meta ?? {}, message),
      trace: (message, meta) => logger.trace(meta ?? {}, message),
      debug: (message, meta) => logger.debug(meta ?? {}, message),
      info: (message, meta) => logger.info(meta ?? {}, message),
      warn: (message, meta) => logger.warn(meta ?? {}, message),
      error: (message, meta) => logger.error(meta ?? {}, message),
    },
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'WARN' }) },
      // Durations in seconds, as Prometheus's conventions (and the API's histogram) have them.
      ...(sdkMetricsPort ? { metrics: { prometheus: { bindAddress: `127.0.0.1:${sdkMetricsPort}`, useSecondsForDurations: true } } } : {}),
    },
  });

  const dataSource = await new DataSource(dataSourceOptions(config.DATABASE_URL)).initialize();
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const log = (message: string, data?: Record<string, unknown>) => logger.warn(data ?? {}, message);
  const notifications = startNotifications(config, dataSource, log);
  const clientConnection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const temporal = new Client({
    connection: clientConnection,
    namespace: config.TEMPORAL_NAMESPACE,
    interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] },
  });
  const monitoring = startMonitoringJobs({ dataSource, temporal, connection: redisConnection(config.REDIS_URL), prefix: config.QUEUE_PREFIX, log });
  const maxCachedWorkflows = config.WORKER_CACHED_EXECUTIONS ?? cachedExecutionsFor(heapLimitMiB());
  const metrics =
    config.WORKER_METRICS_PORT !== undefined
      ? await startWorkerMetrics({
          port: config.WORKER_METRICS_PORT,
          host: config.WORKER_METRICS_HOST,
          dataSource,
          redis: redisOptions(config.REDIS_URL, 'failFast'),
          prefix: config.QUEUE_PREFIX,
          sdkMetricsUrl: `http://127.0.0.1:${sdkMetricsPort}/metrics`,
        })
      : undefined;
  if (metrics) logger.info({ port: metrics.port }, 'metrics at /metrics');
  try {
    const worker = await createPlanningWorker({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      dataSource,
      reportQueue: monitoring.reportQueue,
      identity: `worker@${hostname()}:${process.pid}`,
      workflowBundle: config.WORKFLOW_BUNDLE_PATH ? { codePath: config.WORKFLOW_BUNDLE_PATH } : undefined,
      maxCachedWorkflows,
      tracing,
    });
    logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, temporal: config.TEMPORAL_ADDRESS, maxCachedWorkflows, heapLimitMiB: Math.round(heapLimitMiB()), tracing: Boolean(tracing) }, 'worker started');
    // The Runtime shuts the worker down on SIGINT/SIGTERM; run() resolves once in-flight tasks are done.
    await worker.run();
    logger.info('worker stopped');
  } finally {
    await metrics?.close();
    await monitoring.close();
    await notifications.close();
    await clientConnection.close();
    await connection.close();
    await dataSource.destroy();
    await tracing?.shutdown();
  }
}

main().catch((error) => {
  if (error instanceof ConfigError) console.error(error.message);
  else console.error(error);
  process.exit(1);
});
