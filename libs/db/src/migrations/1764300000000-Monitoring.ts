import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The monthly loop: each period's review, KPI actuals, CSV imports and rendered reports. */
export class Monitoring1764300000000 implements MigrationInterface {
  name = 'Monitoring1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE plan_versions ADD COLUMN effective_from text`);
    await q.query(`
      CREATE TABLE period_reviews (
        cycle_id uuid NOT NULL,
        period text NOT NULL,
        version int NOT NULL,
        workflow_id text NOT NULL,
        status text NOT NULL,
        actuals_due_at timestamptz NOT NULL,
        closes_at timestamptz NOT NULL,
        closed_at timestamptz,
        closed_by uuid,
        targets jsonb NOT NULL,
        evaluations jsonb NOT NULL DEFAULT '[]',
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT period_reviews_pkey PRIMARY KEY (cycle_id, period),
        CONSTRAINT period_reviews_cycle_fk FOREIGN KEY (cycle_id) REFERENCES cycles (id),
        CONSTRAINT period_reviews_status_check CHECK (status IN ('collecting', 'analysed', 'closed'))
      )`);
    await q.query(`
      CREATE TABLE kpi_actuals (
        cycle_id uuid NOT NULL,
        period text NOT NULL,
        kpi_id text NOT NULL,
        value double precision NOT NULL,
        owner_unit_id uuid NOT NULL,
        submitted_by uuid,
        source text NOT NULL,
        import_id text,
        recorded_at timestamptz NOT NULL,
        CONSTRAINT kpi_actuals_pkey PRIMARY KEY (cycle_id, period, kpi_id),
        CONSTRAINT kpi_actuals_period_fk FOREIGN KEY (cycle_id, period) REFERENCES period_reviews (cycle_id, period),
        CONSTRAINT kpi_actuals_source_check CHECK (source IN ('api', 'csv', 'token'))
      )`);
    await q.query(`
      CREATE TABLE actual_imports (
        id text NOT NULL,
        cycle_id uuid NOT NULL,
        period text NOT NULL,
        file_name text NOT NULL,
        content bytea NOT NULL,
        status text NOT NULL,
        row_count int,
        errors jsonb NOT NULL DEFAULT '[]',
        created_by uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        CONSTRAINT actual_imports_pkey PRIMARY KEY (id),
        CONSTRAINT actual_imports_cycle_fk FOREIGN KEY (cycle_id) REFERENCES cycles (id),
        CONSTRAINT actual_imports_created_by_fk FOREIGN KEY (created_by) REFERENCES users (id),
        CONSTRAINT actual_imports_status_check CHECK (status IN ('queued', 'imported', 'failed'))
      )`);
    await q.query(`
      CREATE TABLE documents (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        cycle_id uuid NOT NULL,
        period text NOT NULL,
        kind text NOT NULL,
        format text NOT NULL,
        content bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT documents_pkey PRIMARY KEY (id),
        CONSTRAINT documents_cycle_fk FOREIGN KEY (cycle_id) REFERENCES cycles (id),
        CONSTRAINT documents_one_per_format UNIQUE (cycle_id, period, kind, format)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE documents`);
    await q.query(`DROP TABLE actual_imports`);
    await q.query(`DROP TABLE kpi_actuals`);
    await q.query(`DROP TABLE period_reviews`);
    await q.query(`ALTER TABLE plan_versions DROP COLUMN effective_from`);
  }
}
