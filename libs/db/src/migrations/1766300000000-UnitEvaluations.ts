import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Quarterly and annual evaluations of each unit (issue 18): computed when the span's last month
 * closes, signed off by the planning office, then frozen — the database refuses to change or
 * remove a signed-off evaluation.
 */
export class UnitEvaluations1766300000000 implements MigrationInterface {
  name = 'UnitEvaluations1766300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE unit_evaluations (
        cycle_id uuid NOT NULL,
        span text NOT NULL,
        unit_id uuid NOT NULL,
        kind text NOT NULL,
        kpi_score double precision,
        milestone_score double precision,
        budget_score double precision,
        score double precision NOT NULL,
        grade text NOT NULL,
        inputs jsonb NOT NULL,
        status text NOT NULL DEFAULT 'draft',
        adjusted_score double precision,
        adjustment_reason text,
        final_grade text,
        note text,
        signed_off_by uuid,
        signed_off_at timestamptz,
        computed_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT unit_evaluations_pkey PRIMARY KEY (cycle_id, span, unit_id),
        CONSTRAINT unit_evaluations_kind_check CHECK (kind IN ('quarter', 'year')),
        CONSTRAINT unit_evaluations_status_check CHECK (status IN ('draft', 'signed_off')),
        CONSTRAINT unit_evaluations_cycle_fk FOREIGN KEY (cycle_id) REFERENCES cycles(id)
      )`);
    await q.query(`
      CREATE FUNCTION unit_evaluations_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF OLD.status = 'signed_off' THEN
          RAISE EXCEPTION 'the evaluation of % for % is signed off and frozen', OLD.unit_id, OLD.span USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
      END $$`);
    await q.query(`CREATE TRIGGER unit_evaluations_frozen BEFORE UPDATE OR DELETE ON unit_evaluations FOR EACH ROW EXECUTE FUNCTION unit_evaluations_frozen()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE unit_evaluations`);
    await q.query(`DROP FUNCTION unit_evaluations_frozen()`);
  }
}
