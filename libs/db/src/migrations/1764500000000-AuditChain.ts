import type { MigrationInterface, QueryRunner } from 'typeorm';
import { AUDIT_GENESIS_HASH, auditRecordHash, auditRecordsInIdOrder } from '../audit-chain';

// The key appendAudit locks (AUDIT_CHAIN_LOCK_KEY in audit-chain.ts), written out: a shipped migration never changes.
const CHAIN_LOCK_KEY = '8245928655486018676';
const BATCH = 1000;

/**
 * Makes the audit log tamper-evident: every record carries the hash of the one before it
 * (see audit-chain.ts and docs/security.md). Existing records are chained in id order.
 */
export class AuditChain1764500000000 implements MigrationInterface {
  name = 'AuditChain1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_log ADD COLUMN prev_hash text, ADD COLUMN hash text`);

    // The backfill is the one rewrite history ever gets: lift the append-only trigger for it alone.
    await q.query(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`);
    // Times are hashed to the millisecond (what every reader gets back): cut the stored microseconds to match.
    await q.query(`UPDATE audit_log SET at = date_trunc('milliseconds', at) WHERE at <> date_trunc('milliseconds', at)`);
    let prevHash = AUDIT_GENESIS_HASH;
    const batch: { id: string; prevHash: string; hash: string }[] = [];
    const flush = async () => {
      await q.query(
        `UPDATE audit_log a SET prev_hash = v.prev_hash, hash = v.hash
         FROM unnest($1::bigint[], $2::text[], $3::text[]) AS v (id, prev_hash, hash) WHERE a.id = v.id`,
        [batch.map((b) => b.id), batch.map((b) => b.prevHash), batch.map((b) => b.hash)],
      );
      batch.length = 0;
    };
    // Reading ahead of the updates is safe: they touch only the two new columns, which the hash ignores.
    for await (const record of auditRecordsInIdOrder((sql, parameters) => q.query(sql, parameters), BATCH)) {
      const hash = auditRecordHash({ ...record, prevHash });
      batch.push({ id: String(record.id), prevHash, hash });
      prevHash = hash;
      if (batch.length === BATCH) await flush();
    }
    if (batch.length > 0) await flush();
    await q.query(`ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`);

    await q.query(`ALTER TABLE audit_log ALTER COLUMN prev_hash SET NOT NULL, ALTER COLUMN hash SET NOT NULL`);
    // A record is followed by one record at most: a second writer chaining onto the same record fails here
    // even where the trigger's snapshot could not see the first (REPEATABLE READ transactions).
    await q.query(`ALTER TABLE audit_log ADD CONSTRAINT audit_log_prev_hash_key UNIQUE (prev_hash)`);
    // A writer that bypasses appendAudit cannot break the chain silently: a record must follow the last one.
    // The hash itself is checked by GET /audit/verify (recomputing JCS in SQL is not worth the risk of disagreeing).
    await q.query(`
      CREATE FUNCTION audit_log_check_chain() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        last_id bigint;
        last_hash text;
      BEGIN
        PERFORM pg_advisory_xact_lock(${CHAIN_LOCK_KEY});
        SELECT id, hash INTO last_id, last_hash FROM audit_log ORDER BY id DESC LIMIT 1;
        IF NEW.prev_hash IS DISTINCT FROM coalesce(last_hash, '${AUDIT_GENESIS_HASH}') THEN
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
    await q.query(`
      CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log
      FOR EACH ROW EXECUTE FUNCTION audit_log_check_chain()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER audit_log_chain ON audit_log`);
    await q.query(`DROP FUNCTION audit_log_check_chain`);
    await q.query(`ALTER TABLE audit_log DROP CONSTRAINT audit_log_prev_hash_key`);
    await q.query(`ALTER TABLE audit_log DROP COLUMN hash, DROP COLUMN prev_hash`);
  }
}
