import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The planning office's own calendar entries: holidays and make-up working days the data package does not know yet. */
export class BusinessCalendar1766100000000 implements MigrationInterface {
  name = 'BusinessCalendar1766100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE calendar_entries (
        date date NOT NULL,
        kind text NOT NULL,
        name text NOT NULL,
        created_by uuid NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT calendar_entries_pkey PRIMARY KEY (date),
        CONSTRAINT calendar_entries_kind_check CHECK (kind IN ('holiday', 'workday')),
        CONSTRAINT calendar_entries_created_by_fk FOREIGN KEY (created_by) REFERENCES users(id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE calendar_entries`);
  }
}
