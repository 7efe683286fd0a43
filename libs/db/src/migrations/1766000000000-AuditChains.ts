import type { MigrationInterface, QueryRunner } from 'typeorm';

// Written out, as appendAudit uses them (AUDIT_CHAINS, AUDIT_CHAIN_LOCK_CLASS in audit-chain.ts): a shipped migration never changes.
const CHAINS = 8;
const CHAIN_LOCK_CLASS = 824592865;
const GENESIS = '0'.repeat(64);

/**
 * The audit log as eight hash chains side by side (issue 17): one chain took one global lock for
 * every audited write in the system. Each record now links to the last record of its own chain;
 * the records already there are chain 0 and stay as they are (the chain is not hashed).
 */
export class AuditChains1766000000000 implements MigrationInterface {
  name = 'AuditChains1766000000000';

  async up(q: QueryRunner): Promise<void> {
    // A new column with a constant default touches no row: the append-only trigger is not involved.
    await q.query(`ALTER TABLE audit_log ADD COLUMN chain smallint NOT NULL DEFAULT 0`);
    // A record is followed by one record at most, per chain (each chain starts from the same genesis).
    await q.query(`ALTER TABLE audit_log DROP CONSTRAINT audit_log_prev_hash_key`);
    await q.query(`ALTER TABLE audit_log ADD CONSTRAINT audit_log_chain_prev_hash_key UNIQUE (chain, prev_hash)`);
    // The last record of a chain, for every append.
    await q.query(`CREATE INDEX audit_log_chain_id_idx ON audit_log (chain, id)`);
    await q.query(`
      CREATE OR REPLACE FUNCTION audit_log_check_chain() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        last_id bigint;
        last_hash text;
      BEGIN
        IF NEW.chain < 0 OR NEW.chain >= ${CHAINS} THEN
          RAISE EXCEPTION 'audit_log chain: no chain %', NEW.chain USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        PERFORM pg_advisory_xact_lock(${CHAIN_LOCK_CLASS}, NEW.chain);
        SELECT id, hash INTO last_id, last_hash FROM audit_log WHERE chain = NEW.chain ORDER BY id DESC LIMIT 1;
        IF NEW.prev_hash IS DISTINCT FROM coalesce(last_hash, '${GENESIS}') THEN
          RAISE EXCEPTION 'audit_log chain: prev_hash % is not the hash of the last record of chain % (%)', NEW.prev_hash, NEW.chain, coalesce(last_id::text, 'none')
            USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF last_id IS NOT NULL AND NEW.id <= last_id THEN
          RAISE EXCEPTION 'audit_log chain: id % does not follow the last record of chain % (%)', NEW.id, NEW.chain, last_id
            USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF NEW.hash IS NULL OR NEW.hash !~ '^[0-9a-f]{64}$' THEN
          RAISE EXCEPTION 'audit_log chain: hash must be 64 lower-case hex digits' USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Back to one chain: only possible while every record is in chain 0.
    await q.query(`
      CREATE OR REPLACE FUNCTION audit_log_check_chain() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        last_id bigint;
        last_hash text;
      BEGIN
        PERFORM pg_advisory_xact_lock(8245928655486018676);
        SELECT id, hash INTO last_id, last_hash FROM audit_log ORDER BY id DESC LIMIT 1;
        IF NEW.prev_hash IS DISTINCT FROM coalesce(last_hash, '${GENESIS}') THEN
          RAISE EXCEPTION 'audit_log chain: prev_hash % is not the hash of the last record (%)', NEW.prev_hash, coalesce(last_id::text, 'none')
            USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF last_id IS NOT NULL AND NEW.id <= last_id THEN
          RAISE EXCEPTION 'audit_log chain: id % does not follow the last record (%)', NEW.id, last_id
            USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF NEW.hash IS NULL OR NEW.hash !~ '^[0-9a-f]{64}$' THEN
          RAISE EXCEPTION 'audit_log chain: hash must be 64 lower-case hex digits' USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`DROP INDEX audit_log_chain_id_idx`);
    await q.query(`ALTER TABLE audit_log DROP CONSTRAINT audit_log_chain_prev_hash_key`);
    await q.query(`ALTER TABLE audit_log ADD CONSTRAINT audit_log_prev_hash_key UNIQUE (prev_hash)`);
    await q.query(`ALTER TABLE audit_log DROP COLUMN chain`);
  }
}
