import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_PIPE, DiscoveryModule } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { dataSourceOptions } from '@rollplan/db';
import { PROBE_PATHS, traceLogFields, type Tracing } from '@rollplan/telemetry';
import { ErrorFilter } from './common/error.filter';
import { GlobalValidationPipe } from './common/validation';
import { API_CONFIG, type ApiConfig } from './config';
import { AuditModule } from './audit/audit.module';
import { CalendarModule } from './calendar/calendar.module';
import { RisksModule } from './risks/risks.module';
import { EvaluationsModule } from './evaluations/evaluations.module';
import { AuthModule } from './auth/auth.module';
import { CyclesModule } from './cycles/cycles.module';
import { PeopleModule } from './people/people.module';
import { PlansModule } from './plans/plans.module';
import { PeriodsModule } from './periods/periods.module';
import { NotificationsModule } from './notifications/notifications.module';
import { TasksModule } from './tasks/tasks.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { HistoryModule } from './history/history.module';
import { RedisModule } from './infra/redis.module';
import { TemporalModule } from './infra/temporal.module';
import { TRACING, TracingFlush } from './infra/tracing-flush';

@Module({})
export class AppModule {
  static forRoot(config: ApiConfig, tracing?: Tracing): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.LOG_LEVEL,
            base: { app: 'api' },
            mixin: traceLogFields,
            // Health probes every few seconds would drown the log.
            autoLogging: { ignore: (req) => PROBE_PATHS.includes(req.url ?? '') },
          },
        }),
        TypeOrmModule.forRoot({ ...dataSourceOptions(config.DATABASE_URL), retryAttempts: 3, retryDelay: 1000 }),
        TemporalModule,
        RedisModule,
        DiscoveryModule,
        HealthModule,
        MetricsModule,
        AuthModule,
        PeopleModule,
        AuditModule,
        CalendarModule,
        RisksModule,
        EvaluationsModule,
        HistoryModule,
        CyclesModule,
        PlansModule,
        PeriodsModule,
        TasksModule,
        NotificationsModule,
      ],
      providers: [
        { provide: API_CONFIG, useValue: config },
        { provide: TRACING, useValue: tracing ?? null },
        TracingFlush,
        { provide: APP_PIPE, useClass: GlobalValidationPipe },
        { provide: APP_FILTER, useClass: ErrorFilter },
      ],
      exports: [API_CONFIG],
    };
  }
}
