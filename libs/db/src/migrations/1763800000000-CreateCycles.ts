import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateCycles1763800000000 implements MigrationInterface {
  name = 'CreateCycles1763800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE cycles (
        id uuid PRIMARY KEY,
        title text NOT NULL,
        start_year int NOT NULL,
        horizon_years int NOT NULL,
        phase text NOT NULL,
        phase_since timestamptz NOT NULL,
        workflow_id text NOT NULL UNIQUE,
        cancel_reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`ALTER TABLE cycles ADD CONSTRAINT cycles_start_year_check CHECK (start_year BETWEEN 2000 AND 2100)`);
    await queryRunner.query(`ALTER TABLE cycles ADD CONSTRAINT cycles_horizon_years_check CHECK (horizon_years > 0)`);
    await queryRunner.query(`CREATE INDEX cycles_phase_created_idx ON cycles (phase, created_at)`);
    await queryRunner.query(`CREATE INDEX cycles_created_idx ON cycles (created_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE cycles`);
  }
}
