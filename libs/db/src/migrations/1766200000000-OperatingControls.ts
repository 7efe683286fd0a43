import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The controls beside the KPI loop (issue 18): milestone progress and spend reported each month,
 * the risk register with every assessment, and the month's budget variance, meeting agenda and minutes.
 */
export class OperatingControls1766200000000 implements MigrationInterface {
  name = 'OperatingControls1766200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE milestone_reports (
        cycle_id uuid NOT NULL,
        period text NOT NULL,
        milestone_id text NOT NULL,
        owner_unit_id uuid NOT NULL,
        status text NOT NULL,
        new_due_month text,
        reason text,
        note text,
        reported_by uuid,
        reported_at timestamptz NOT NULL,
        CONSTRAINT milestone_reports_pkey PRIMARY KEY (cycle_id, period, milestone_id),
        CONSTRAINT milestone_reports_status_check CHECK (status IN ('done', 'on_track', 'late')),
        CONSTRAINT milestone_reports_period_fk FOREIGN KEY (cycle_id, period) REFERENCES period_reviews(cycle_id, period)
      )`);
    await q.query(`
      CREATE TABLE spend_actuals (
        cycle_id uuid NOT NULL,
        period text NOT NULL,
        unit_id uuid NOT NULL,
        initiative_id text NOT NULL DEFAULT '',
        amount double precision NOT NULL,
        submitted_by uuid,
        source text NOT NULL,
        recorded_at timestamptz NOT NULL,
        CONSTRAINT spend_actuals_pkey PRIMARY KEY (cycle_id, period, unit_id, initiative_id),
        CONSTRAINT spend_actuals_amount_check CHECK (amount >= 0),
        CONSTRAINT spend_actuals_period_fk FOREIGN KEY (cycle_id, period) REFERENCES period_reviews(cycle_id, period)
      )`);
    await q.query(`
      CREATE TABLE risks (
        id uuid NOT NULL,
        cycle_id uuid NOT NULL,
        title text NOT NULL,
        description text NOT NULL DEFAULT '',
        category text NOT NULL,
        owner_unit_id uuid NOT NULL,
        raised_by uuid,
        raised_in text NOT NULL,
        raised_at timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'open',
        likelihood int NOT NULL,
        impact int NOT NULL,
        level text NOT NULL,
        response text NOT NULL,
        closed_at timestamptz,
        CONSTRAINT risks_pkey PRIMARY KEY (id),
        CONSTRAINT risks_status_check CHECK (status IN ('open', 'closed')),
        CONSTRAINT risks_scale_check CHECK (likelihood BETWEEN 1 AND 5 AND impact BETWEEN 1 AND 5),
        CONSTRAINT risks_cycle_fk FOREIGN KEY (cycle_id) REFERENCES cycles(id)
      )`);
    await q.query(`CREATE INDEX risks_cycle_idx ON risks (cycle_id, status)`);
    await q.query(`
      CREATE TABLE risk_assessments (
        id bigserial NOT NULL,
        risk_id uuid NOT NULL,
        period text NOT NULL,
        likelihood int NOT NULL,
        impact int NOT NULL,
        level text NOT NULL,
        response text NOT NULL,
        note text,
        closed boolean NOT NULL DEFAULT false,
        assessed_by uuid,
        assessed_at timestamptz NOT NULL,
        task_id uuid,
        CONSTRAINT risk_assessments_pkey PRIMARY KEY (id),
        CONSTRAINT risk_assessments_risk_fk FOREIGN KEY (risk_id) REFERENCES risks(id),
        CONSTRAINT risk_assessments_one_per_task UNIQUE (task_id)
      )`);
    await q.query(`CREATE INDEX risk_assessments_risk_idx ON risk_assessments (risk_id, id)`);
    await q.query(`ALTER TABLE period_reviews ADD COLUMN milestones jsonb NOT NULL DEFAULT '[]', ADD COLUMN budget jsonb NOT NULL DEFAULT '[]', ADD COLUMN agenda jsonb NOT NULL DEFAULT '[]', ADD COLUMN minutes jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE period_reviews DROP COLUMN milestones, DROP COLUMN budget, DROP COLUMN agenda, DROP COLUMN minutes`);
    await q.query(`DROP TABLE risk_assessments`);
    await q.query(`DROP TABLE risks`);
    await q.query(`DROP TABLE spend_actuals`);
    await q.query(`DROP TABLE milestone_reports`);
  }
}
