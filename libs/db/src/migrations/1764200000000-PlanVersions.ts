import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Plan versions: immutable once submitted (the database refuses to change their content). */
export class PlanVersions1764200000000 implements MigrationInterface {
  name = 'PlanVersions1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE plan_versions (
        cycle_id uuid NOT NULL,
        version int NOT NULL,
        status text NOT NULL,
        content jsonb NOT NULL,
        submitted_by uuid NOT NULL,
        submitted_at timestamptz NOT NULL,
        round int NOT NULL,
        decided_at timestamptz,
        CONSTRAINT plan_versions_pkey PRIMARY KEY (cycle_id, version),
        CONSTRAINT plan_versions_cycle_fk FOREIGN KEY (cycle_id) REFERENCES cycles (id),
        CONSTRAINT plan_versions_submitted_by_fk FOREIGN KEY (submitted_by) REFERENCES users (id),
        CONSTRAINT plan_versions_status_check CHECK (status IN ('in_review', 'changes_requested', 'approved', 'rejected', 'superseded'))
      )`);
    await q.query(`
      CREATE FUNCTION plan_versions_refuse_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.content IS DISTINCT FROM OLD.content OR NEW.submitted_by IS DISTINCT FROM OLD.submitted_by
           OR NEW.submitted_at IS DISTINCT FROM OLD.submitted_at THEN
          RAISE EXCEPTION 'a submitted plan version is immutable' USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER plan_versions_immutable BEFORE UPDATE ON plan_versions FOR EACH ROW EXECUTE FUNCTION plan_versions_refuse_rewrite()`);
    await q.query(`ALTER TABLE cycles ADD COLUMN effective_version int`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE cycles DROP COLUMN effective_version`);
    await q.query(`DROP TABLE plan_versions`);
    await q.query(`DROP FUNCTION plan_versions_refuse_rewrite`);
  }
}
