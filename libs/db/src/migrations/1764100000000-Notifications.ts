import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Webhook subscriptions and the record of every delivery, so a redelivered job sends nothing twice. */
export class Notifications1764100000000 implements MigrationInterface {
  name = 'Notifications1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhook_subscriptions (
        id uuid PRIMARY KEY,
        url text NOT NULL,
        secret text NOT NULL,
        events text[] NOT NULL,
        active boolean NOT NULL DEFAULT true,
        created_by uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT webhook_subscriptions_created_by_fk FOREIGN KEY (created_by) REFERENCES users (id)
      )`);
    await q.query(`
      CREATE TABLE notification_deliveries (
        key text PRIMARY KEY,
        channel text NOT NULL,
        delivered_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE notification_deliveries`);
    await q.query(`DROP TABLE webhook_subscriptions`);
  }
}
