import type { EntityManager } from 'typeorm';
import type { Actor } from '@rollplan/domain';
import {
  AUDIT_CHAINS,
  AUDIT_CHAIN_LOCK_CLASS,
  AUDIT_GENESIS_HASH,
  AUDIT_LOG_COLUMNS,
  AuditLogVerifier,
  auditRecordsInIdOrder,
  auditRecordFromRow,
  auditRecordHash,
  type LogVerification,
} from './audit-chain';

export interface AuditEntry {
  /** The authenticated actor; null for the system itself (timers, escalations). */
  actor: Pick<Actor, 'userId' | 'roles'> | null;
  /** `<subject>.<verb>`, e.g. `cycle.started`, `user.deactivated`. */
  action: string;
  subjectType: string;
  subjectId: string;
  data?: Record<string, unknown>;
  /** For writers that may run twice (activities): the same key is recorded once. */
  dedupeKey?: string;
}

/**
 * Appends one audit record through `manager`, so it commits or rolls back with the change it
 * describes (outside a transaction, it gets one of its own). The time is the database's, never
 * the client's.
 *
 * The record is chained onto the last one of its chain (audit-chain.ts): the connection's backend
 * picks one of the log's chains, so all appends of a transaction go to one chain, and appends to a
 * chain are serialised by a transaction-level advisory lock held until the caller's transaction
 * ends. Transactions on other connections mostly append to other chains and do not wait (one
 * global chain made every audited write in the system queue on one lock: issue 17). Append last
 * in a transaction, after taking any other lock: a transaction that holds a chain lock and then
 * waits for a row lock can deadlock with one that holds that row and waits to append.
 */
export async function appendAudit(manager: EntityManager, entry: AuditEntry): Promise<void> {
  if (!manager.queryRunner?.isTransactionActive) {
    await manager.transaction((inTransaction) => appendChained(inTransaction, entry));
    return;
  }
  await appendChained(manager, entry);
}

async function appendChained(manager: EntityManager, entry: AuditEntry): Promise<void> {
  // Its own statement: under READ COMMITTED the next one then sees the last append committed.
  const [{ chain }] = (await manager.query(
    `SELECT pg_backend_pid() % ${AUDIT_CHAINS} AS chain, pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK_CLASS}, pg_backend_pid() % ${AUDIT_CHAINS})`,
  )) as { chain: number }[];
  const values = [entry.actor?.userId ?? null, entry.actor?.roles ?? [], entry.action, entry.subjectType, entry.subjectId, JSON.stringify(entry.data ?? {})];
  // The fields come back as the database stores them (uuid case, jsonb's form of the data), so the
  // hash is over exactly what a later read gives.
  const [row] = (await manager.query(
    `SELECT nextval(pg_get_serial_sequence('audit_log', 'id'))::text AS id,
            date_trunc('milliseconds', clock_timestamp()) AS at,
            $1::uuid AS actor_id, $2::text[] AS actor_roles, $3::text AS action,
            $4::text AS subject_type, $5::text AS subject_id, $6::jsonb AS data,
            coalesce((SELECT hash FROM audit_log WHERE chain = $7 ORDER BY id DESC LIMIT 1), '${AUDIT_GENESIS_HASH}') AS prev_hash`,
    [...values, chain],
  )) as Record<string, unknown>[];
  const record = auditRecordFromRow({ ...row, hash: '' });
  const hash = auditRecordHash(record);
  const at = (record.at as Date).toISOString();
  // ON CONFLICT on the dedupe key only: a retried activity records once, any other conflict is an error.
  await manager.query(
    `INSERT INTO audit_log (id, at, actor_id, actor_roles, action, subject_type, subject_id, data, dedupe_key, prev_hash, hash, chain)
     VALUES ($7::bigint, $8::timestamptz, $1::uuid, $2::text[], $3, $4, $5, $6::jsonb, $9, $10, $11, $12)
     ON CONFLICT (dedupe_key) DO NOTHING`,
    [...values, record.id, at, entry.dedupeKey ?? null, record.prevHash, hash, chain],
  );
}

/**
 * Recomputes every hash and link of the audit log, in id order, `batchSize` records at a time
 * (keyset pagination: memory stays flat however long the log), each chain on its own.
 */
export async function verifyAuditLog(manager: EntityManager, batchSize = 1000): Promise<LogVerification> {
  const verifier = new AuditLogVerifier();
  for await (const record of auditRecordsInIdOrder((sql, parameters) => manager.query(sql, parameters), batchSize, AUDIT_LOG_COLUMNS)) verifier.push(record);
  return verifier.result();
}
