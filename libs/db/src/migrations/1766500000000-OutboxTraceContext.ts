import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The trace an outbox event was written in, so its notification continues that trace (issue 20). */
export class OutboxTraceContext1766500000000 implements MigrationInterface {
  name = 'OutboxTraceContext1766500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox ADD COLUMN trace_context jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox DROP COLUMN trace_context`);
  }
}
