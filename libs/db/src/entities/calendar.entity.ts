import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from './identity.entities';

export type CalendarEntryKind = 'holiday' | 'workday';

/** A date the planning office marked as a holiday or a make-up working day; it overrides the data package. */
@Entity({ name: 'calendar_entries' })
@Check('calendar_entries_kind_check', `kind IN ('holiday', 'workday')`)
export class CalendarEntryEntity {
  /** YYYY-MM-DD, local to the organization's time zone. */
  @PrimaryColumn('date', { primaryKeyConstraintName: 'calendar_entries_pkey' }) date!: string;
  @Column('text') kind!: CalendarEntryKind;
  @Column('text') name!: string;
  @Column('uuid', { name: 'created_by' }) createdBy!: string;
  @ManyToOne(() => UserEntity)
  @JoinColumn({ name: 'created_by', foreignKeyConstraintName: 'calendar_entries_created_by_fk' })
  creator?: UserEntity;
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' }) updatedAt!: Date;
}
