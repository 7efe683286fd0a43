import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The role the API and the worker work as: it reads and writes rows, and nothing else — no DDL,
 * no trigger changes, no UPDATE, DELETE or TRUNCATE of the audit log. Migrations run as the
 * schema's owner; login roles for the apps are made members of this one (`ensureAppLogin`).
 * Default privileges give it the same rights on tables later migrations create.
 */
export class AppRole1765300000000 implements MigrationInterface {
  name = 'AppRole1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DO $$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'rollplan_app') THEN CREATE ROLE rollplan_app NOLOGIN; END IF;
    END $$`);
    await q.query(`GRANT USAGE ON SCHEMA public TO rollplan_app`);
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO rollplan_app`);
    await q.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO rollplan_app`);
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO rollplan_app`);
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO rollplan_app`);
    // The audit log is appended to and read; its triggers refuse the rest, and so does this grant.
    await q.query(`REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM rollplan_app`);
    // Migrations are the owner's business.
    await q.query(`REVOKE ALL ON migrations FROM rollplan_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM rollplan_app`);
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE USAGE, SELECT ON SEQUENCES FROM rollplan_app`);
    await q.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM rollplan_app`);
    await q.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM rollplan_app`);
    await q.query(`REVOKE USAGE ON SCHEMA public FROM rollplan_app`);
  }
}
