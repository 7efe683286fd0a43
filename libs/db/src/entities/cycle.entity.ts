import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { CyclePhase } from '@rollplan/domain';

/**
 * Read model of a planning cycle. The workflow is the source of truth for its process
 * state; activities keep this row in step so the API can list and filter cycles.
 */
@Entity({ name: 'cycles' })
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

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
