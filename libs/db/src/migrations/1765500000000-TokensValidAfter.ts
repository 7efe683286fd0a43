import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Access tokens issued before this moment are refused: set when a user is deactivated, kept on reactivation. */
export class TokensValidAfter1765500000000 implements MigrationInterface {
  name = 'TokensValidAfter1765500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN tokens_valid_after timestamptz`);
    await q.query(`UPDATE users SET tokens_valid_after = deactivated_at WHERE deactivated_at IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users DROP COLUMN tokens_valid_after`);
  }
}
