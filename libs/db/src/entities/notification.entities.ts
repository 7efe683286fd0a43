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

/**
 * One notification delivery (`<outbox id>.<channel>.<target>`), checked before sending. A webhook
 * writes it once delivered (`sent`); an e-mail writes it before the SMTP call (`sending`) and marks
 * it `sent` once the mail server took the mail.
 */
@Entity({ name: 'notification_deliveries' })
export class NotificationDeliveryEntity {
  @PrimaryColumn('text') key!: string;
  @Column('text') channel!: string;
  /** `sending`: a send began and was not recorded as finished (the mail may or may not be out); `sent`. */
  @Column('text', { default: 'sent' }) status!: 'sending' | 'sent';
  /** Sends begun: more than 1 means the same mail (same Message-ID) may have gone out more than once. */
  @Column('integer', { default: 1 }) tries!: number;
  /** When the row was written: the delivery, or for an e-mail its first try. */
  @CreateDateColumn({ name: 'delivered_at', type: 'timestamptz' }) deliveredAt!: Date;
}
