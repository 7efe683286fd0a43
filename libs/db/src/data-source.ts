import 'reflect-metadata';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { CycleEntity } from './entities/cycle.entity';
import { CreateCycles1763800000000 } from './migrations/1763800000000-CreateCycles';
import { Identity1763900000000 } from './migrations/1763900000000-Identity';
import { Tasks1764000000000 } from './migrations/1764000000000-Tasks';
import { Notifications1764100000000 } from './migrations/1764100000000-Notifications';
import { PlanVersions1764200000000 } from './migrations/1764200000000-PlanVersions';
import { PlanVersionEntity } from './entities/plan-version.entity';
import { ActualImportEntity, DocumentEntity, KpiActualEntity, PeriodReviewEntity } from './entities/monitoring.entities';
import { Monitoring1764300000000 } from './migrations/1764300000000-Monitoring';
import { TaskContext1764400000000 } from './migrations/1764400000000-TaskContext';
import { AuditChain1764500000000 } from './migrations/1764500000000-AuditChain';
import { AppRole1765300000000 } from './migrations/1765300000000-AppRole';
import { EmailSendIntent1765420000000 } from './migrations/1765420000000-EmailSendIntent';
import { TokensValidAfter1765500000000 } from './migrations/1765500000000-TokensValidAfter';
import { AuditChains1766000000000 } from './migrations/1766000000000-AuditChains';
import { BusinessCalendar1766100000000 } from './migrations/1766100000000-BusinessCalendar';
import { CalendarEntryEntity } from './entities/calendar.entity';
import { OperatingControls1766200000000 } from './migrations/1766200000000-OperatingControls';
import { MilestoneReportEntity, RiskAssessmentEntity, RiskEntity, SpendActualEntity, UnitEvaluationEntity } from './entities/controls.entities';
import { UnitEvaluations1766300000000 } from './migrations/1766300000000-UnitEvaluations';
import { SpendImports1766400000000 } from './migrations/1766400000000-SpendImports';
import { OutboxTraceContext1766500000000 } from './migrations/1766500000000-OutboxTraceContext';
import { NotificationDeliveryEntity, WebhookSubscriptionEntity } from './entities/notification.entities';
import { NotificationEntity, OutboxEntity, TaskCommentEntity, TaskEntity } from './entities/task.entities';
import {
  ApiTokenEntity,
  AuditLogEntity,
  CommitteeMemberEntity,
  OrgUnitEntity,
  RefreshTokenEntity,
  UserEntity,
} from './entities/identity.entities';

/** Every entity, for TypeORM's metadata. */
export const ENTITIES = [
  CycleEntity,
  OrgUnitEntity,
  UserEntity,
  CommitteeMemberEntity,
  RefreshTokenEntity,
  ApiTokenEntity,
  AuditLogEntity,
  TaskEntity,
  TaskCommentEntity,
  OutboxEntity,
  NotificationEntity,
  WebhookSubscriptionEntity,
  NotificationDeliveryEntity,
  PlanVersionEntity,
  PeriodReviewEntity,
  KpiActualEntity,
  ActualImportEntity,
  DocumentEntity,
  CalendarEntryEntity,
  MilestoneReportEntity,
  SpendActualEntity,
  RiskEntity,
  RiskAssessmentEntity,
  UnitEvaluationEntity,
];

/** Every migration, in order. Add new ones at the end; never edit one that has shipped. */
export const MIGRATIONS = [CreateCycles1763800000000, Identity1763900000000, Tasks1764000000000, Notifications1764100000000, PlanVersions1764200000000, Monitoring1764300000000, TaskContext1764400000000, AuditChain1764500000000, AppRole1765300000000, EmailSendIntent1765420000000, TokensValidAfter1765500000000, AuditChains1766000000000, BusinessCalendar1766100000000, OperatingControls1766200000000, UnitEvaluations1766300000000, SpendImports1766400000000, OutboxTraceContext1766500000000];

/** Options shared by the apps, the CLI and the test harness. `synchronize` is never on. */
export function dataSourceOptions(url: string, overrides: Partial<DataSourceOptions> = {}): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    ...overrides,
  } as DataSourceOptions;
}

/** Applies pending migrations, each in its own transaction; returns the names applied. */
export async function runMigrations(url: string): Promise<string[]> {
  const dataSource = new DataSource(dataSourceOptions(url, { migrationsTransactionMode: 'each' }));
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations();
    return applied.map((m) => m.name);
  } finally {
    await dataSource.destroy();
  }
}
