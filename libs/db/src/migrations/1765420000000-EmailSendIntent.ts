import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * E-mails record their intent before the SMTP call: a delivery row is `sending` until the mail
 * server took the mail, then `sent`; `tries` counts the sends begun. Rows written before this
 * (every one of them a finished delivery) are `sent`, once.
 */
export class EmailSendIntent1765420000000 implements MigrationInterface {
  name = 'EmailSendIntent1765420000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE notification_deliveries ADD COLUMN status text NOT NULL DEFAULT 'sent', ADD COLUMN tries integer NOT NULL DEFAULT 1`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE notification_deliveries DROP COLUMN tries, DROP COLUMN status`);
  }
}
