import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from './identity.entities';

@Entity({ name: 'webhook_subscriptions' })
export class WebhookSubscriptionEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') url!: string;
  /** HMAC-SHA256 key the receiver verifies signatures with. Secret: never listed. */
  @Column('text', { select: false }) secret!: string;
  /** Outbox events it receives (`task.opened`, …); `*` for all. */
  @Column('text', { array: true }) events!: string[];
  @Column('boolean', { default: true }) active!: boolean;
  @Column('uuid', { name: 'created_by' }) createdBy!: string;
  @ManyToOne(() => UserEntity)
  @JoinColumn({ name: 'created_by', foreignKeyConstraintName: 'webhook_subscriptions_created_by_fk' })
  creator?: UserEntity;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

/** One delivered notification (`<outbox id>.<channel>.<target>`): written after sending, checked before. */
@Entity({ name: 'notification_deliveries' })
export class NotificationDeliveryEntity {
  @PrimaryColumn('text') key!: string;
  @Column('text') channel!: string;
  @CreateDateColumn({ name: 'delivered_at', type: 'timestamptz' }) deliveredAt!: Date;
}
