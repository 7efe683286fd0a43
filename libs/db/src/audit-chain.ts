import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/**
 * The audit log's hash chain, pure: what is hashed, how, and how a chain is checked.
 *
 * Each record's hash is the hex SHA-256 of the RFC 8785 (JCS) canonical JSON of
 * `{ id, at, actorId, actorRoles, action, subjectType, subjectId, data, prevHash }`, where
 * `id` is the decimal string of the bigint id, `at` the ISO-8601 UTC time with milliseconds
 * (`2027-03-01T08:00:00.123Z`), `data` the JSON stored (as the database gives it back) and
 * `prevHash` the previous record's hash (by id, in the same chain), or {@link AUDIT_GENESIS_HASH}
 * for the first. Anyone can recompute it from an export of the table; see docs/security.md.
 *
 * The log is {@link AUDIT_CHAINS} chains side by side (column `chain`), so that appends from
 * different transactions do not wait on one lock: each transaction appends to one chain, chosen by
 * its connection. Every record links to the one before it in its chain; records from before the
 * chains (v0.11) are chain 0.
 */

/** `prevHash` of the first record. */
export const AUDIT_GENESIS_HASH = '0'.repeat(64);

/** How many chains the log keeps. The AuditChains migration's trigger and check use the same number. */
export const AUDIT_CHAINS = 8;

/**
 * The first key of the transaction-level advisory lock (`pg_advisory_xact_lock(key, chain)`) that
 * serialises appends to one chain. The AuditChains migration's insert trigger takes the same lock.
 */
export const AUDIT_CHAIN_LOCK_CLASS = 824592865;

/** The hashed fields of one audit record. */
export interface AuditChainRecord {
  /** The bigint id; hashed as its decimal string. */
  id: string | number | bigint;
  /** A Date is hashed as `toISOString()`; a string must already be in that form. */
  at: Date | string;
  actorId: string | null;
  actorRoles: readonly string[];
  action: string;
  subjectType: string;
  subjectId: string;
  /** A JSON value (the audit log stores objects). */
  data: unknown;
  prevHash: string;
}

/** A record as stored: its fields, its own hash, and the chain it continues (not hashed: its links say it). */
export interface StoredAuditRecord extends AuditChainRecord {
  hash: string;
  chain?: number;
}

export type ChainBreakReason = 'hash_mismatch' | 'prev_hash_mismatch';

/** The first record at which the chain does not hold. */
export interface ChainBreak {
  id: string;
  /** `hash_mismatch`: the record's fields do not give its stored hash (it was changed).
   * `prev_hash_mismatch`: its `prevHash` is not the hash of the record before it (one was removed, inserted or reordered). */
  reason: ChainBreakReason;
  /** What the chain says it should be: the recomputed hash, or the previous record's hash. */
  expected: string;
  /** What is stored. */
  found: string;
}

export interface ChainVerification {
  ok: boolean;
  /** Records read. */
  checked: number;
  /** The last record read (its stored hash), intact or not: the value to compare with one noted earlier. */
  head: { id: string; hash: string } | null;
  firstBroken: ChainBreak | null;
}

/** A whole log: every chain verified, the first break by id across them, and each chain's head. */
export interface LogVerification extends ChainVerification {
  chains: { chain: number; checked: number; head: { id: string; hash: string } | null }[];
}

/** The canonical (RFC 8785) serialisation that is hashed. */
export function canonicalAuditRecord(record: AuditChainRecord): string {
  const text = canonicalize({
    id: String(record.id),
    at: typeof record.at === 'string' ? record.at : record.at.toISOString(),
    actorId: record.actorId,
    actorRoles: [...record.actorRoles],
    action: record.action,
    subjectType: record.subjectType,
    subjectId: record.subjectId,
    data: record.data,
    prevHash: record.prevHash,
  });
  if (text === undefined) throw new Error('audit record has no JSON form');
  return text;
}

/** Hex SHA-256 of the canonical serialisation. */
export function auditRecordHash(record: AuditChainRecord): string {
  return createHash('sha256').update(canonicalAuditRecord(record), 'utf8').digest('hex');
}

/**
 * Checks a chain one record at a time, in id order, so a table of any size can be streamed
 * through it. It reads on past a break (resuming from the stored hash) so `checked` and `head`
 * describe the whole table; `firstBroken` is the first break.
 */
export class AuditChainVerifier {
  private prevHash = AUDIT_GENESIS_HASH;
  private checked = 0;
  private head: ChainVerification['head'] = null;
  private firstBroken: ChainBreak | null = null;

  push(record: StoredAuditRecord): void {
    const id = String(record.id);
    this.checked++;
    if (!this.firstBroken) {
      if (record.prevHash !== this.prevHash) {
        this.firstBroken = { id, reason: 'prev_hash_mismatch', expected: this.prevHash, found: record.prevHash };
      } else {
        const computed = auditRecordHash(record);
        if (computed !== record.hash) this.firstBroken = { id, reason: 'hash_mismatch', expected: computed, found: record.hash };
      }
    }
    this.prevHash = record.hash;
    this.head = { id, hash: record.hash };
  }

  result(): ChainVerification {
    return { ok: this.firstBroken === null, checked: this.checked, head: this.head, firstBroken: this.firstBroken };
  }
}

/** Checks a whole log, record by record in id order: each chain on its own. */
export class AuditLogVerifier {
  private readonly chains = new Map<number, AuditChainVerifier>();
  private checked = 0;
  private head: ChainVerification['head'] = null;

  push(record: StoredAuditRecord): void {
    const chain = record.chain ?? 0;
    let verifier = this.chains.get(chain);
    if (!verifier) this.chains.set(chain, (verifier = new AuditChainVerifier()));
    verifier.push(record);
    this.checked++;
    this.head = { id: String(record.id), hash: record.hash };
  }

  result(): LogVerification {
    const chains = [...this.chains.entries()].sort(([a], [b]) => a - b).map(([chain, verifier]) => ({ chain, ...verifier.result() }));
    const breaks = chains.flatMap((c) => (c.firstBroken ? [c.firstBroken] : []));
    const firstBroken = breaks.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1))[0] ?? null;
    return { ok: firstBroken === null, checked: this.checked, head: this.head, firstBroken, chains: chains.map(({ chain, checked, head }) => ({ chain, checked, head })) };
  }
}

/** Verifies records given in id order. */
export function verifyChain(records: Iterable<StoredAuditRecord>): LogVerification {
  const verifier = new AuditLogVerifier();
  for (const record of records) verifier.push(record);
  return verifier.result();
}

/**
 * The columns to select for {@link auditRecordFromRow} (id as text: bigints stay exact). Order by
 * `audit_log.id`, qualified: a bare `ORDER BY id` would sort by this text alias ('10' before '9').
 */
export const AUDIT_RECORD_COLUMNS = 'id::text AS id, at, actor_id, actor_roles, action, subject_type, subject_id, data, prev_hash, hash';
/** The same with the chain (the column the AuditChains migration adds). */
export const AUDIT_LOG_COLUMNS = `${AUDIT_RECORD_COLUMNS}, chain`;

/** A raw `audit_log` row, selected with {@link AUDIT_RECORD_COLUMNS}, as a stored record. */
export function auditRecordFromRow(row: Record<string, unknown>): StoredAuditRecord {
  return {
    id: String(row.id),
    at: row.at as Date,
    actorId: (row.actor_id as string | null) ?? null,
    actorRoles: (row.actor_roles as string[] | null) ?? [],
    action: row.action as string,
    subjectType: row.subject_type as string,
    subjectId: row.subject_id as string,
    data: row.data,
    prevHash: row.prev_hash as string,
    hash: row.hash as string,
    chain: row.chain === undefined ? undefined : Number(row.chain),
  };
}

/**
 * Every audit record in id order, `batchSize` at a time (keyset pagination: memory stays flat
 * however long the log). `query` runs SQL with parameters: an EntityManager's or a QueryRunner's.
 */
export async function* auditRecordsInIdOrder(
  query: (sql: string, parameters: unknown[]) => Promise<Record<string, unknown>[]>,
  batchSize = 1000,
  columns = AUDIT_RECORD_COLUMNS,
): AsyncGenerator<StoredAuditRecord> {
  // Ids start at 1 (bigserial): `> 0` reads from the first.
  for (let after = '0'; ; ) {
    const rows = await query(`SELECT ${columns} FROM audit_log WHERE audit_log.id > $1::bigint ORDER BY audit_log.id LIMIT $2`, [after, batchSize]);
    for (const row of rows) yield auditRecordFromRow(row);
    if (rows.length < batchSize) return;
    after = String(rows[rows.length - 1].id);
  }
}
