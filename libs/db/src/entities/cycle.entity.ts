import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { CyclePhase } from '@rollplan/domain';

/**
 * Read model of a planning cycle. The workflow is the source of truth for its process
 * state; activities keep this row in step so the API can list and filter cycles.
 */
@Entity({ name: 'cycles' })
@Check('cycles_start_year_check', `"start_year" BETWEEN 2000 AND 2100`)
@Check('cycles_horizon_years_check', `"horizon_years" > 0`)
@Index('cycles_phase_created_idx', ['phase', 'createdAt'])
@Index('cycles_created_idx', ['createdAt'])
export class CycleEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  title!: string;

  @Column('int', { name: 'start_year' })
  startYear!: number;

  @Column('int', { name: 'horizon_years' })
  horizonYears!: number;

  @Column('text')
  phase!: CyclePhase;

  @Column('timestamptz', { name: 'phase_since' })
  phaseSince!: Date;

  @Column('text', { name: 'workflow_id', unique: true })
  workflowId!: string;

  @Column('text', { name: 'cancel_reason', nullable: true })
  cancelReason!: string | null;

  /** The approved plan version in force, once there is one. */
  @Column('int', { name: 'effective_version', nullable: true })
  effectiveVersion!: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
