import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateCycles1763800000000 implements MigrationInterface {
  name = 'CreateCycles1763800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE cycles (
        id uuid PRIMARY KEY,
        title text NOT NULL,
        start_year int NOT NULL CHECK (start_year BETWEEN 2000 AND 2100),
        horizon_years int NOT NULL CHECK (horizon_years > 0),
        phase text NOT NULL,
        phase_since timestamptz NOT NULL,
        workflow_id text NOT NULL UNIQUE,
        cancel_reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX cycles_phase_created_idx ON cycles (phase, created_at DESC)`);
    await queryRunner.query(`CREATE INDEX cycles_created_idx ON cycles (created_at DESC)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE cycles`);
  }
}
