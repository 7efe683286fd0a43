import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { Client, Connection } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { API_CONFIG, type ApiConfig } from '../config';
import { StartGate } from './start-gate';
import { TemporalDeadlineInterceptor } from './temporal-deadline.interceptor';
import { TEMPORAL_CONNECTION } from './temporal-connection';

export { TEMPORAL_CONNECTION };

/**
 * The Temporal client. The connection is lazy so the API starts (and /health reports
 * temporal down) while Temporal is unreachable; it connects on first use.
 */
@Global()
@Module({
  providers: [
    {
      provide: TEMPORAL_CONNECTION,
      inject: [API_CONFIG],
      useFactory: (config: ApiConfig) => Connection.lazy({ address: config.TEMPORAL_ADDRESS }),
    },
    {
      provide: Client,
      inject: [TEMPORAL_CONNECTION, API_CONFIG],
      useFactory: (connection: Connection, config: ApiConfig) =>
        // Each workflow start, update and signal continues the request's trace into the workflow.
        new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } }),
    },
    { provide: APP_INTERCEPTOR, useClass: TemporalDeadlineInterceptor },
    StartGate,
  ],
  exports: [Client, TEMPORAL_CONNECTION, StartGate],
})
export class TemporalModule implements OnApplicationShutdown {
  constructor(@Inject(TEMPORAL_CONNECTION) private readonly connection: Connection) {}

  async onApplicationShutdown(): Promise<void> {
    await this.connection.close();
  }
}
