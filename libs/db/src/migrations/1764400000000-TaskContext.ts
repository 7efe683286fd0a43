import type { MigrationInterface, QueryRunner } from 'typeorm';

/** What a task's holder starts from (e.g. last year's analysis and actuals for a rolling adjustment). */
export class TaskContext1764400000000 implements MigrationInterface {
  name = 'TaskContext1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tasks ADD COLUMN context jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tasks DROP COLUMN context`);
  }
}
