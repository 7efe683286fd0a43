import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, Unique, UpdateDateColumn } from 'typeorm';
import type { Assignee, TaskStatus } from '@rollplan/domain';
import { UserEntity } from './identity.entities';

/** Read model of a human task; the workflow that opened it is the source of truth. */
@Entity({ name: 'tasks' })
@Check('tasks_status_check', `status IN ('open', 'claimed', 'completed', 'cancelled')`)
@Index('tasks_eligible_idx', ['eligibleUserIds'])
@Index('tasks_status_due_idx', ['status', 'dueAt'])
@Index('tasks_cycle_idx', ['cycleId'])
export class TaskEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('text', { name: 'workflow_id' }) workflowId!: string;
  @Column('text') kind!: string;
  @Column('text') title!: string;
  @Column('text') status!: TaskStatus;
  @Column('jsonb') assignee!: Assignee;
  /** Who may act on it now: the assignee, or the members of the assigned group. */
  @Column('uuid', { name: 'eligible_user_ids', array: true }) eligibleUserIds!: string[];
  @Column('uuid', { name: 'claimed_by', nullable: true }) claimedBy!: string | null;
  @Column('uuid', { name: 'delegated_by', nullable: true }) delegatedBy!: string | null;
  @Column('uuid', { name: 'submitted_by', nullable: true }) submittedBy!: string | null;
  @Column('uuid', { name: 'cycle_id', nullable: true }) cycleId!: string | null;
  @Column('jsonb', { default: () => "'{}'" }) links!: Record<string, string>;
  /** What the holder starts from (pre-filled analysis, last year's actuals); null for most tasks. */
  @Column('jsonb', { nullable: true }) context!: Record<string, unknown> | null;
  @Column('timestamptz', { name: 'due_at' }) dueAt!: Date;
  @Column('int', { name: 'escalation_step', default: 0 }) escalationStep!: number;
  @Column('text', { nullable: true }) outcome!: string | null;
  @Column('text', { nullable: true }) comment!: string | null;
  @Column('jsonb', { nullable: true }) payload!: Record<string, unknown> | null;
  @Column('uuid', { name: 'decided_by', nullable: true }) decidedBy!: string | null;
  @Column('timestamptz', { name: 'decided_at', nullable: true }) decidedAt!: Date | null;
  @Column('text', { name: 'cancel_reason', nullable: true }) cancelReason!: string | null;
  @Column('timestamptz', { name: 'opened_at' }) openedAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

@Entity({ name: 'task_comments' })
@Index('task_comments_task_idx', ['taskId', 'createdAt'])
export class TaskCommentEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'task_id' }) taskId!: string;
  @ManyToOne(() => TaskEntity)
  @JoinColumn({ name: 'task_id', foreignKeyConstraintName: 'task_comments_task_fk' })
  task?: TaskEntity;
  @Column('uuid', { name: 'author_id' }) authorId!: string;
  @ManyToOne(() => UserEntity)
  @JoinColumn({ name: 'author_id', foreignKeyConstraintName: 'task_comments_author_fk' })
  author?: UserEntity;
  @Column('text') body!: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

/** An event to announce, written with the change it announces; relayed to BullMQ. */
@Entity({ name: 'outbox' })
@Index('outbox_pending_idx', ['createdAt'], { where: 'dispatched_at IS NULL' })
export class OutboxEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') event!: string;
  @Column('jsonb') payload!: Record<string, unknown>;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column('timestamptz', { name: 'dispatched_at', nullable: true }) dispatchedAt!: Date | null;
  /** W3C trace-context headers of the operation that wrote it (null when untraced). */
  @Column('jsonb', { name: 'trace_context', nullable: true }) traceContext!: Record<string, string> | null;
}

/** An in-app notification; one per (outbox event, user), so a redelivered job adds none. */
@Entity({ name: 'notifications' })
@Unique('notifications_source_user_key', ['sourceId', 'userId'])
@Index('notifications_user_idx', ['userId', 'createdAt'])
export class NotificationEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'user_id' }) userId!: string;
  @ManyToOne(() => UserEntity)
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'notifications_user_fk' })
  user?: UserEntity;
  @Column('text') event!: string;
  @Column('text') title!: string;
  @Column('uuid', { name: 'task_id', nullable: true }) taskId!: string | null;
  @Column('uuid', { name: 'source_id' }) sourceId!: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column('timestamptz', { name: 'read_at', nullable: true }) readAt!: Date | null;
}
