import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A CSV import is of KPI actuals or of spend against the cost budget (issue 18). */
export class SpendImports1766400000000 implements MigrationInterface {
  name = 'SpendImports1766400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE actual_imports ADD COLUMN kind text NOT NULL DEFAULT 'actuals', ADD CONSTRAINT actual_imports_kind_check CHECK (kind IN ('actuals', 'spend'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE actual_imports DROP CONSTRAINT actual_imports_kind_check, DROP COLUMN kind`);
  }
}
