import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { CycleEntity } from './cycle.entity';
import { PeriodReviewEntity } from './monitoring.entities';

export type MilestoneReportStatus = 'done' | 'on_track' | 'late';

/** An owner's word on a milestone in a month (issue 18): done, on track, or late with a new date and a reason. */
@Entity({ name: 'milestone_reports' })
@Check('milestone_reports_status_check', `status IN ('done', 'on_track', 'late')`)
export class MilestoneReportEntity {
  @PrimaryColumn('uuid', { name: 'cycle_id', primaryKeyConstraintName: 'milestone_reports_pkey' }) cycleId!: string;
  @PrimaryColumn('text', { primaryKeyConstraintName: 'milestone_reports_pkey' }) period!: string;
  @PrimaryColumn('text', { name: 'milestone_id', primaryKeyConstraintName: 'milestone_reports_pkey' }) milestoneId!: string;
  @ManyToOne(() => PeriodReviewEntity)
  @JoinColumn([
    { name: 'cycle_id', referencedColumnName: 'cycleId', foreignKeyConstraintName: 'milestone_reports_period_fk' },
    { name: 'period', referencedColumnName: 'period', foreignKeyConstraintName: 'milestone_reports_period_fk' },
  ])
  review?: PeriodReviewEntity;
  @Column('uuid', { name: 'owner_unit_id' }) ownerUnitId!: string;
  @Column('text') status!: MilestoneReportStatus;
  @Column('text', { name: 'new_due_month', nullable: true }) newDueMonth!: string | null;
  @Column('text', { nullable: true }) reason!: string | null;
  @Column('text', { nullable: true }) note!: string | null;
  @Column('uuid', { name: 'reported_by', nullable: true }) reportedBy!: string | null;
  @Column('timestamptz', { name: 'reported_at' }) reportedAt!: Date;
}

/** A unit's spend in a month against one line of the cost budget ('' : its unassigned line). */
@Entity({ name: 'spend_actuals' })
@Check('spend_actuals_amount_check', `amount >= 0`)
export class SpendActualEntity {
  @PrimaryColumn('uuid', { name: 'cycle_id', primaryKeyConstraintName: 'spend_actuals_pkey' }) cycleId!: string;
  @PrimaryColumn('text', { primaryKeyConstraintName: 'spend_actuals_pkey' }) period!: string;
  @PrimaryColumn('uuid', { name: 'unit_id', primaryKeyConstraintName: 'spend_actuals_pkey' }) unitId!: string;
  @PrimaryColumn('text', { name: 'initiative_id', primaryKeyConstraintName: 'spend_actuals_pkey', default: '' }) initiativeId!: string;
  @ManyToOne(() => PeriodReviewEntity)
  @JoinColumn([
    { name: 'cycle_id', referencedColumnName: 'cycleId', foreignKeyConstraintName: 'spend_actuals_period_fk' },
    { name: 'period', referencedColumnName: 'period', foreignKeyConstraintName: 'spend_actuals_period_fk' },
  ])
  review?: PeriodReviewEntity;
  @Column('double precision') amount!: number;
  @Column('uuid', { name: 'submitted_by', nullable: true }) submittedBy!: string | null;
  @Column('text') source!: string;
  @Column('timestamptz', { name: 'recorded_at' }) recordedAt!: Date;
}

/** A risk in a cycle's register (seed 003 §四.三); its level is the latest assessment's. */
@Entity({ name: 'risks' })
@Check('risks_status_check', `status IN ('open', 'closed')`)
@Check('risks_scale_check', `likelihood BETWEEN 1 AND 5 AND impact BETWEEN 1 AND 5`)
@Index('risks_cycle_idx', ['cycleId', 'status'])
export class RiskEntity {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'risks_pkey' }) id!: string;
  @Column('uuid', { name: 'cycle_id' }) cycleId!: string;
  @ManyToOne(() => CycleEntity)
  @JoinColumn({ name: 'cycle_id', foreignKeyConstraintName: 'risks_cycle_fk' })
  cycle?: CycleEntity;
  @Column('text') title!: string;
  @Column('text', { default: '' }) description!: string;
  @Column('text') category!: string;
  @Column('uuid', { name: 'owner_unit_id' }) ownerUnitId!: string;
  @Column('uuid', { name: 'raised_by', nullable: true }) raisedBy!: string | null;
  /** The month it was raised in (YYYY-MM). */
  @Column('text', { name: 'raised_in' }) raisedIn!: string;
  @Column('timestamptz', { name: 'raised_at' }) raisedAt!: Date;
  @Column('text', { default: 'open' }) status!: 'open' | 'closed';
  @Column('int') likelihood!: number;
  @Column('int') impact!: number;
  @Column('text') level!: string;
  @Column('text') response!: string;
  @Column('timestamptz', { name: 'closed_at', nullable: true }) closedAt!: Date | null;
}

/** One assessment of a risk: when raised, then each monthly review by its owner. */
@Entity({ name: 'risk_assessments' })
@Unique('risk_assessments_one_per_task', ['taskId'])
@Index('risk_assessments_risk_idx', ['riskId', 'id'])
export class RiskAssessmentEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint', primaryKeyConstraintName: 'risk_assessments_pkey' }) id!: string;
  @Column('uuid', { name: 'risk_id' }) riskId!: string;
  @ManyToOne(() => RiskEntity)
  @JoinColumn({ name: 'risk_id', foreignKeyConstraintName: 'risk_assessments_risk_fk' })
  risk?: RiskEntity;
  @Column('text') period!: string;
  @Column('int') likelihood!: number;
  @Column('int') impact!: number;
  @Column('text') level!: string;
  @Column('text') response!: string;
  @Column('text', { nullable: true }) note!: string | null;
  @Column('boolean', { default: false }) closed!: boolean;
  @Column('uuid', { name: 'assessed_by', nullable: true }) assessedBy!: string | null;
  @Column('timestamptz', { name: 'assessed_at' }) assessedAt!: Date;
  /** The review task it answered (null when raised): a retried activity finds it. */
  @Column('uuid', { name: 'task_id', nullable: true }) taskId!: string | null;
}

/** A unit's evaluation over a quarter or a year; frozen once signed off (a trigger refuses changes). */
@Entity({ name: 'unit_evaluations' })
@Check('unit_evaluations_kind_check', `kind IN ('quarter', 'year')`)
@Check('unit_evaluations_status_check', `status IN ('draft', 'signed_off')`)
export class UnitEvaluationEntity {
  @PrimaryColumn('uuid', { name: 'cycle_id', primaryKeyConstraintName: 'unit_evaluations_pkey' }) cycleId!: string;
  /** `2027-Q1` or `2027`. */
  @PrimaryColumn('text', { primaryKeyConstraintName: 'unit_evaluations_pkey' }) span!: string;
  @PrimaryColumn('uuid', { name: 'unit_id', primaryKeyConstraintName: 'unit_evaluations_pkey' }) unitId!: string;
  @ManyToOne(() => CycleEntity)
  @JoinColumn({ name: 'cycle_id', foreignKeyConstraintName: 'unit_evaluations_cycle_fk' })
  cycle?: CycleEntity;
  @Column('text') kind!: 'quarter' | 'year';
  @Column('double precision', { name: 'kpi_score', nullable: true }) kpiScore!: number | null;
  @Column('double precision', { name: 'milestone_score', nullable: true }) milestoneScore!: number | null;
  @Column('double precision', { name: 'budget_score', nullable: true }) budgetScore!: number | null;
  @Column('double precision') score!: number;
  @Column('text') grade!: string;
  /** What the score was computed from: attainments, milestones, budget and spend, weights. */
  @Column('jsonb') inputs!: Record<string, unknown>;
  @Column('text', { default: 'draft' }) status!: 'draft' | 'signed_off';
  @Column('double precision', { name: 'adjusted_score', nullable: true }) adjustedScore!: number | null;
  @Column('text', { name: 'adjustment_reason', nullable: true }) adjustmentReason!: string | null;
  @Column('text', { name: 'final_grade', nullable: true }) finalGrade!: string | null;
  @Column('text', { nullable: true }) note!: string | null;
  @Column('uuid', { name: 'signed_off_by', nullable: true }) signedOffBy!: string | null;
  @Column('timestamptz', { name: 'signed_off_at', nullable: true }) signedOffAt!: Date | null;
  @Column('timestamptz', { name: 'computed_at', default: () => 'now()' }) computedAt!: Date;
}
