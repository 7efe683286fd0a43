import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { PlanContent } from '@rollplan/domain';
import { CycleEntity } from './cycle.entity';
import { UserEntity } from './identity.entities';

export type PlanVersionStatus = 'in_review' | 'changes_requested' | 'approved' | 'rejected' | 'superseded';

/** One submitted version of a cycle's plan. Its content never changes (a trigger refuses it). */
@Entity({ name: 'plan_versions' })
@Check('plan_versions_status_check', `status IN ('in_review', 'changes_requested', 'approved', 'rejected', 'superseded')`)
export class PlanVersionEntity {
  @PrimaryColumn('uuid', { name: 'cycle_id', primaryKeyConstraintName: 'plan_versions_pkey' }) cycleId!: string;
  @PrimaryColumn('int', { primaryKeyConstraintName: 'plan_versions_pkey' }) version!: number;
  @ManyToOne(() => CycleEntity)
  @JoinColumn({ name: 'cycle_id', foreignKeyConstraintName: 'plan_versions_cycle_fk' })
  cycle?: CycleEntity;
  @Column('text') status!: PlanVersionStatus;
  @Column('jsonb') content!: PlanContent;
  @Column('uuid', { name: 'submitted_by' }) submittedBy!: string;
  @ManyToOne(() => UserEntity)
  @JoinColumn({ name: 'submitted_by', foreignKeyConstraintName: 'plan_versions_submitted_by_fk' })
  submitter?: UserEntity;
  @Column('timestamptz', { name: 'submitted_at' }) submittedAt!: Date;
  /** Committee review round the version went to. */
  @Column('int') round!: number;
  @Column('timestamptz', { name: 'decided_at', nullable: true }) decidedAt!: Date | null;
  /** First period (YYYY-MM) whose targets come from this version, once approved. */
  @Column('text', { name: 'effective_from', nullable: true }) effectiveFrom!: string | null;
}
