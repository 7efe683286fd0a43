import type { MigrationInterface, QueryRunner } from 'typeorm';

/** People, org structure, tokens, and the append-only audit log. */
export class Identity1763900000000 implements MigrationInterface {
  name = 'Identity1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE org_units (
        id uuid PRIMARY KEY,
        code text NOT NULL,
        name text NOT NULL,
        kind text NOT NULL,
        area text,
        head_user_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT org_units_code_key UNIQUE (code),
        CONSTRAINT org_units_kind_check CHECK (kind IN ('planning_office', 'functional_center', 'subsidiary', 'decision_committee'))
      )`);
    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY,
        email text NOT NULL,
        display_name text NOT NULL,
        password_hash text NOT NULL,
        roles text[] NOT NULL,
        unit_id uuid,
        active boolean NOT NULL DEFAULT true,
        deactivated_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT users_email_key UNIQUE (email),
        CONSTRAINT users_unit_fk FOREIGN KEY (unit_id) REFERENCES org_units (id)
      )`);
    await q.query(`ALTER TABLE org_units ADD CONSTRAINT org_units_head_fk FOREIGN KEY (head_user_id) REFERENCES users (id)`);
    await q.query(`
      CREATE TABLE committee_members (
        user_id uuid PRIMARY KEY,
        joined_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT committee_members_user_fk FOREIGN KEY (user_id) REFERENCES users (id)
      )`);
    await q.query(`
      CREATE TABLE refresh_tokens (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL,
        family_id uuid NOT NULL,
        token_hash text NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT refresh_tokens_hash_key UNIQUE (token_hash),
        CONSTRAINT refresh_tokens_user_fk FOREIGN KEY (user_id) REFERENCES users (id)
      )`);
    await q.query(`CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id)`);
    await q.query(`
      CREATE TABLE api_tokens (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        user_id uuid NOT NULL,
        token_hash text NOT NULL,
        scopes text[] NOT NULL,
        created_by uuid NOT NULL,
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        last_used_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT api_tokens_hash_key UNIQUE (token_hash),
        CONSTRAINT api_tokens_user_fk FOREIGN KEY (user_id) REFERENCES users (id),
        CONSTRAINT api_tokens_created_by_fk FOREIGN KEY (created_by) REFERENCES users (id)
      )`);
    await q.query(`
      CREATE TABLE audit_log (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        actor_id uuid,
        actor_roles text[] NOT NULL DEFAULT '{}',
        action text NOT NULL,
        subject_type text NOT NULL,
        subject_id text NOT NULL,
        data jsonb NOT NULL DEFAULT '{}',
        dedupe_key text,
        CONSTRAINT audit_log_dedupe_key UNIQUE (dedupe_key)
      )`);
    await q.query(`CREATE INDEX audit_log_subject_idx ON audit_log (subject_type, subject_id)`);
    await q.query(`CREATE INDEX audit_log_actor_idx ON audit_log (actor_id)`);
    // Append-only, enforced by the database itself: no role the app connects with can rewrite history.
    await q.query(`
      CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()`);
    await q.query(`
      CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_log`);
    await q.query(`DROP FUNCTION audit_log_refuse_change`);
    await q.query(`DROP TABLE api_tokens`);
    await q.query(`DROP TABLE refresh_tokens`);
    await q.query(`DROP TABLE committee_members`);
    await q.query(`ALTER TABLE org_units DROP CONSTRAINT org_units_head_fk`);
    await q.query(`DROP TABLE users`);
    await q.query(`DROP TABLE org_units`);
  }
}
