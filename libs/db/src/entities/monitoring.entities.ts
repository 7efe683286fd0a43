import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { CycleEntity } from './cycle.entity';
import { UserEntity } from './identity.entities';
import type { ErrorDetail, KpiEvaluation, MonthTarget } from '@rollplan/domain';

export type PeriodReviewStatus = 'collecting' | 'analysed' | 'closed';

/** One month of the loop (a `monthlyReview` execution's read model). */
@Entity({ name: 'period_reviews' })
@Check('period_reviews_status_check', `status IN ('collecting', 'analysed', 'closed')`)
export class PeriodReviewEntity {
  @PrimaryColumn('uuid', { name: 'cycle_id', primaryKeyConstraintName: 'period_reviews_pkey' }) cycleId!: string;
  @ManyToOne(() => CycleEntity)
  @JoinColumn({ name: 'cycle_id', foreignKeyConstraintName: 'period_reviews_cycle_fk' })
  cycle?: CycleEntity;
  /** YYYY-MM */
  @PrimaryColumn('text', { primaryKeyConstraintName: 'period_reviews_pkey' }) period!: string;
  @Column('int') version!: number;
  @Column('text', { name: 'workflow_id' }) workflowId!: string;
  @Column('text') status!: PeriodReviewStatus;
  @Column('timestamptz', { name: 'actuals_due_at' }) actualsDueAt!: Date;
  @Column('timestamptz', { name: 'closes_at' }) closesAt!: Date;
  @Column('timestamptz', { name: 'closed_at', nullable: true }) closedAt!: Date | null;
  @Column('uuid', { name: 'closed_by', nullable: true }) closedBy!: string | null;
  @Column('jsonb') targets!: MonthTarget[];
  @Column('jsonb', { default: () => `'[]'` }) evaluations!: KpiEvaluation[];
  /** The milestones the month asks about (issue 18). */
  @Column('jsonb', { default: () => `'[]'` }) milestones!: unknown[];
  /** Cost budget against spend, by unit and initiative (issue 18). */
  @Column('jsonb', { default: () => `'[]'` }) budget!: unknown[];
  /** The operations meeting's agenda, generated from the month's analysis. */
  @Column('jsonb', { default: () => `'[]'` }) agenda!: unknown[];
  /** The meeting's minutes once recorded. */
  @Column('jsonb', { nullable: true }) minutes!: unknown | null;
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' }) updatedAt!: Date;
}

export type ActualSource = 'api' | 'csv' | 'token';

@Entity({ name: 'kpi_actuals' })
@Check('kpi_actuals_source_check', `source IN ('api', 'csv', 'token')`)
export class KpiActualEntity {
  @PrimaryColumn('uuid', { name: 'cycle_id', primaryKeyConstraintName: 'kpi_actuals_pkey' }) cycleId!: string;
  @PrimaryColumn('text', { primaryKeyConstraintName: 'kpi_actuals_pkey' }) period!: string;
  @PrimaryColumn('text', { name: 'kpi_id', primaryKeyConstraintName: 'kpi_actuals_pkey' }) kpiId!: string;
  @ManyToOne(() => PeriodReviewEntity)
  @JoinColumn([
    { name: 'cycle_id', referencedColumnName: 'cycleId', foreignKeyConstraintName: 'kpi_actuals_period_fk' },
    { name: 'period', referencedColumnName: 'period', foreignKeyConstraintName: 'kpi_actuals_period_fk' },
  ])
  review?: PeriodReviewEntity;
  @Column('double precision') value!: number;
  @Column('uuid', { name: 'owner_unit_id' }) ownerUnitId!: string;
  @Column('uuid', { name: 'submitted_by', nullable: true }) submittedBy!: string | null;
  @Column('text') source!: ActualSource;
  @Column('text', { name: 'import_id', nullable: true }) importId!: string | null;
  @Column('timestamptz', { name: 'recorded_at' }) recordedAt!: Date;
}

export type ImportStatus = 'queued' | 'imported' | 'failed';

/** A CSV file of actuals or spend; its id is the hash of cycle, period, kind and content, so a re-upload finds it. */
@Entity({ name: 'actual_imports' })
@Check('actual_imports_status_check', `status IN ('queued', 'imported', 'failed')`)
@Check('actual_imports_kind_check', `kind IN ('actuals', 'spend')`)
export class ActualImportEntity {
  @PrimaryColumn('text', { primaryKeyConstraintName: 'actual_imports_pkey' }) id!: string;
  @Column('uuid', { name: 'cycle_id' }) cycleId!: string;
  @ManyToOne(() => CycleEntity)
  @JoinColumn({ name: 'cycle_id', foreignKeyConstraintName: 'actual_imports_cycle_fk' })
  cycle?: CycleEntity;
  @Column('text') period!: string;
  /** KPI actuals (`kpi_id,value,unit`) or spend (`unit_id,initiative_id,amount`). */
  @Column('text', { default: 'actuals' }) kind!: 'actuals' | 'spend';
  @Column('text', { name: 'file_name' }) fileName!: string;
  @Column('bytea', { select: false }) content!: Buffer;
  @Column('text') status!: ImportStatus;
  @Column('int', { name: 'row_count', nullable: true }) rowCount!: number | null;
  @Column('jsonb', { default: () => `'[]'` }) errors!: ErrorDetail[];
  @Column('uuid', { name: 'created_by' }) createdBy!: string;
  @ManyToOne(() => UserEntity)
  @JoinColumn({ name: 'created_by', foreignKeyConstraintName: 'actual_imports_created_by_fk' })
  creator?: UserEntity;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt!: Date;
  @Column('timestamptz', { name: 'finished_at', nullable: true }) finishedAt!: Date | null;
}

/** A rendered document, e.g. a monthly report as HTML or XLSX. */
@Entity({ name: 'documents' })
@Unique('documents_one_per_format', ['cycleId', 'period', 'kind', 'format'])
export class DocumentEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'documents_pkey' }) id!: string;
  @Column('uuid', { name: 'cycle_id' }) cycleId!: string;
  @ManyToOne(() => CycleEntity)
  @JoinColumn({ name: 'cycle_id', foreignKeyConstraintName: 'documents_cycle_fk' })
  cycle?: CycleEntity;
  @Column('text') period!: string;
  @Column('text') kind!: string;
  @Column('text') format!: string;
  @Column('bytea') content!: Buffer;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt!: Date;
}
