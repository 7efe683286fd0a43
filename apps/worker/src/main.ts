import { hostname } from 'node:os';
import { NativeConnection, Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import { DataSource } from 'typeorm';
import pino from 'pino';
import { ConfigError } from '@rollplan/config';
import { dataSourceOptions } from '@rollplan/db';
import { loadWorkerConfig } from './config';
import { startNotifications } from './notifications/start';
import { createPlanningWorker } from './worker';

async function main(): Promise<void> {
  const config = loadWorkerConfig();
  const logger = pino({ level: config.LOG_LEVEL, base: { app: 'worker' } });
  Runtime.install({
    logger: {
      log: (level, message, meta) => logger[level.toLowerCase() as 'info'](meta ?? {}, message),
      trace: (message, meta) => logger.trace(meta ?? {}, message),
      debug: (message, meta) => logger.debug(meta ?? {}, message),
      info: (message, meta) => logger.info(meta ?? {}, message),
      warn: (message, meta) => logger.warn(meta ?? {}, message),
      error: (message, meta) => logger.error(meta ?? {}, message),
    },
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }) } },
  });

  const dataSource = await new DataSource(dataSourceOptions(config.DATABASE_URL)).initialize();
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const notifications = startNotifications(config, dataSource, (message, data) => logger.warn(data ?? {}, message));
  try {
    const worker = await createPlanningWorker({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      dataSource,
      identity: `worker@${hostname()}:${process.pid}`,
      workflowBundle: config.WORKFLOW_BUNDLE_PATH ? { codePath: config.WORKFLOW_BUNDLE_PATH } : undefined,
    });
    logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, temporal: config.TEMPORAL_ADDRESS }, 'worker started');
    // The Runtime shuts the worker down on SIGINT/SIGTERM; run() resolves once in-flight tasks are done.
    await worker.run();
    logger.info('worker stopped');
  } finally {
    await notifications.close();
    await connection.close();
    await dataSource.destroy();
  }
}

main().catch((error) => {
  if (error instanceof ConfigError) console.error(error.message);
  else console.error(error);
  process.exit(1);
});
