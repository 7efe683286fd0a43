import { randomUUID } from 'node:crypto';
import { DataSource, type QueryRunner } from 'typeorm';
import { AUDIT_CHAINS, AUDIT_GENESIS_HASH, AuditLogEntity, MIGRATIONS, appendAudit, dataSourceOptions, runMigrations, verifyAuditLog, type AuditEntry } from '@rollplan/db';
import { createEmptyDatabase, createTestDatabase, type TestDatabase } from '../support/database';

const entry = (n: number, extra: Partial<AuditEntry> = {}): AuditEntry => ({
  actor: n % 3 ? { userId: randomUUID(), roles: ['admin'] } : null,
  action: 'cycle.phase_entered',
  subjectType: 'cycle',
  subjectId: `cycle-${n}`,
  data: { n, phase: 'drafting', nested: { list: [1, 2.5, 'three', null], ok: true } },
  ...extra,
});

/** What a superuser could do: lift the append-only trigger for one statement. */
async function asSuperuser(db: TestDatabase, sql: string, params: unknown[] = []): Promise<void> {
  await db.dataSource.transaction(async (manager) => {
    await manager.query(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`);
    await manager.query(sql, params);
    await manager.query(`ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`);
  });
}

/** The records of each chain, in id order. */
async function byChain(db: TestDatabase): Promise<Map<number, AuditLogEntity[]>> {
  const chains = new Map<number, AuditLogEntity[]>();
  for (const record of await db.dataSource.getRepository(AuditLogEntity).find({ order: { id: 'ASC' } })) chains.set(record.chain, [...(chains.get(record.chain) ?? []), record]);
  return chains;
}

async function ids(db: TestDatabase): Promise<string[]> {
  const rows: { id: string }[] = await db.dataSource.query(`SELECT id::text AS id FROM audit_log ORDER BY audit_log.id`);
  return rows.map((r) => r.id);
}

/** A database with `n` chained records, appended one by one outside any transaction, on one connection: one chain. */
async function withRecords(n: number): Promise<TestDatabase> {
  const db = await createTestDatabase();
  const runner = db.dataSource.createQueryRunner();
  try {
    for (let i = 0; i < n; i++) await appendAudit(runner.manager, entry(i));
  } finally {
    await runner.release();
  }
  return db;
}

describe('audit hash chain on PostgreSQL', () => {
  const databases: TestDatabase[] = [];
  const fresh = async (n: number) => {
    const db = await withRecords(n);
    databases.push(db);
    return db;
  };
  afterAll(async () => {
    for (const db of databases) await db.drop();
  });

  it('chains appends made in and out of transactions, concurrently, and once per dedupe key', async () => {
    const db = await fresh(0);
    const manager = db.dataSource.manager;
    expect(await verifyAuditLog(manager)).toEqual({ ok: true, checked: 0, head: null, firstBroken: null, chains: [] });

    await appendAudit(manager, entry(1));
    await db.dataSource.transaction(async (tx) => {
      await appendAudit(tx, entry(2));
      await appendAudit(tx, entry(3)); // twice in one transaction: the lock is re-entrant
    });
    // Concurrently: some on their own, some inside transactions, two pairs sharing a dedupe key.
    const key = `activity-${randomUUID()}`;
    const otherKey = `activity-${randomUUID()}`;
    await Promise.all([
      ...Array.from({ length: 8 }, (_, i) => appendAudit(manager, entry(10 + i))),
      ...Array.from({ length: 8 }, (_, i) => db.dataSource.transaction((tx) => appendAudit(tx, entry(20 + i)))),
      appendAudit(manager, entry(30, { dedupeKey: key })),
      db.dataSource.transaction((tx) => appendAudit(tx, entry(30, { dedupeKey: key }))),
      appendAudit(manager, entry(31, { dedupeKey: otherKey })),
      appendAudit(manager, entry(31, { dedupeKey: otherKey })),
    ]);
    // A retry, later.
    await appendAudit(manager, entry(30, { dedupeKey: key }));
    // Values the database normalises: the hash is over what it stores (uuid case, jsonb's number form and key order).
    await appendAudit(manager, {
      actor: { userId: randomUUID().toUpperCase(), roles: ['auditor', 'admin'] },
      action: 'user.updated',
      subjectType: 'user',
      subjectId: `Robert'); DROP TABLE audit_log;-- <img src=x>`,
      data: { z: 1.0, a: 1e21, big: 12345678901234567890, small: 1e-7, text: 'é ü 日本 🎉', skipped: undefined, when: new Date('2027-01-01T00:00:00Z') },
    });
    // A rolled-back append leaves no trace, and the chain goes on.
    await expect(
      db.dataSource.transaction(async (tx) => {
        await appendAudit(tx, entry(40));
        throw new Error('the change it describes failed');
      }),
    ).rejects.toThrow('the change it describes failed');
    await appendAudit(manager, entry(41));

    const repo = db.dataSource.getRepository(AuditLogEntity);
    const total = await repo.count();
    expect(total).toBe(1 + 2 + 16 + 1 + 1 + 1 + 1);
    expect(await repo.countBy({ dedupeKey: key })).toBe(1);
    expect(await repo.countBy({ dedupeKey: otherKey })).toBe(1);
    const last = await repo.find({ order: { id: 'DESC' }, take: 1 });
    // Concurrent transactions appended to several chains, each starting from genesis, each
    // server-stamped to the millisecond in id order.
    const chains = await byChain(db);
    expect(chains.size).toBeGreaterThan(1);
    for (const records of chains.values()) {
      expect(records[0].prevHash).toBe(AUDIT_GENESIS_HASH);
      expect(records.map((r) => r.at.getTime())).toEqual([...records.map((r) => r.at.getTime())].sort((a, b) => a - b));
    }
    const heads = [...chains.entries()].sort(([a], [b]) => a - b).map(([chain, records]) => ({ chain, checked: records.length, head: { id: String(records.at(-1)!.id), hash: records.at(-1)!.hash } }));

    // Small batches, so the keyset pagination crosses several pages.
    for (const batch of [1000, 3, 1]) {
      expect(await verifyAuditLog(manager, batch)).toEqual({ ok: true, checked: total, head: { id: String(last[0].id), hash: last[0].hash }, firstBroken: null, chains: heads });
    }
  });

  it('finds a record changed behind its back (by a superuser) at that record', async () => {
    const db = await fresh(7);
    const all = await ids(db);
    const target = all[3];
    const before = await db.dataSource.getRepository(AuditLogEntity).findOneByOrFail({ id: target });
    await asSuperuser(db, `UPDATE audit_log SET data = '{"n": 999}' WHERE id = $1`, [target]);
    const result = await verifyAuditLog(db.dataSource.manager, 2);
    expect(result.ok).toBe(false);
    expect(result.firstBroken).toMatchObject({ id: target, reason: 'hash_mismatch', found: before.hash });
    expect(result.firstBroken!.expected).not.toBe(before.hash);
    expect(result).toMatchObject({ checked: 7, head: { id: all[6] } });
  });

  it('finds a deleted record at the next one of its chain', async () => {
    const db = await fresh(6);
    const [chain, ...others] = [...(await byChain(db)).values()];
    expect(others).toEqual([]);
    const [before, deleted, next] = chain;
    await asSuperuser(db, `DELETE FROM audit_log WHERE id = $1`, [deleted.id]);
    const result = await verifyAuditLog(db.dataSource.manager);
    expect(result.firstBroken).toEqual({ id: String(next.id), reason: 'prev_hash_mismatch', expected: before.hash, found: deleted.hash });
    expect(result.checked).toBe(5);
  });

  it('finds a rewritten record whose hash was recomputed at the next one', async () => {
    const db = await fresh(4);
    const all = await ids(db);
    // Someone who knows the scheme rewrites record 2 consistently, but not the rest of the chain.
    await asSuperuser(db, `UPDATE audit_log SET data = '{"n": 1000}', hash = repeat('a', 64) WHERE id = $1`, [all[1]]);
    expect((await verifyAuditLog(db.dataSource.manager)).firstBroken).toMatchObject({ id: all[1], reason: 'hash_mismatch' });
  });

  it('refuses, in the database, an insert that does not chain onto the last record of its chain', async () => {
    const db = await fresh(3);
    const repo = db.dataSource.getRepository(AuditLogEntity);
    const [last] = await repo.find({ order: { id: 'DESC' }, take: 1 });
    const [first] = await repo.find({ where: { chain: last.chain }, order: { id: 'ASC' }, take: 1 });
    const insert = (prevHash: string, hash = 'b'.repeat(64), id?: string, chain = last.chain) =>
      db.dataSource.query(
        `INSERT INTO audit_log (${id ? 'id, ' : ''}action, subject_type, subject_id, prev_hash, hash, chain) VALUES (${id ? '$4, ' : ''}'x.forged', 'x', 'y', $1, $2, $3)`,
        id ? [prevHash, hash, chain, id] : [prevHash, hash, chain],
      );
    await expect(insert(last.hash, 'b'.repeat(64), undefined, 8)).rejects.toThrow(/audit_log chain: no chain 8/);
    await expect(insert(AUDIT_GENESIS_HASH)).rejects.toThrow(/audit_log chain: prev_hash/);
    await expect(insert(first.hash)).rejects.toThrow(/audit_log chain: prev_hash/);
    await expect(insert('c'.repeat(64))).rejects.toThrow(/audit_log chain: prev_hash/);
    await expect(insert(last.hash, 'not a hash')).rejects.toThrow(/64 lower-case hex/);
    await expect(insert(last.hash, 'b'.repeat(64), '1')).rejects.toThrow(/does not follow the last record/);
    expect(await repo.count()).toBe(3);
    expect((await verifyAuditLog(db.dataSource.manager)).ok).toBe(true);

    // One that links correctly but carries a made-up hash gets in, and verify names it.
    await insert(last.hash);
    const [forged] = await repo.find({ order: { id: 'DESC' }, take: 1 });
    expect((await verifyAuditLog(db.dataSource.manager)).firstBroken).toMatchObject({ id: String(forged.id), reason: 'hash_mismatch' });
    // The append-only triggers still hold alongside.
    await expect(db.dataSource.query(`UPDATE audit_log SET hash = $1 WHERE id = $2`, [AUDIT_GENESIS_HASH, forged.id])).rejects.toThrow(/append-only/);
  });

  it('never forks a chain, even from a transaction whose snapshot predates the last append', async () => {
    const db = await fresh(2);
    // Two connections whose appends go to the same chain (nine connections: two share one of eight).
    const runners: QueryRunner[] = [];
    const chainOf = new Map<number, QueryRunner>();
    let pair: [QueryRunner, QueryRunner] | undefined;
    while (!pair) {
      const runner = db.dataSource.createQueryRunner();
      await runner.connect();
      runners.push(runner);
      const [{ chain }] = await runner.query(`SELECT pg_backend_pid() % ${AUDIT_CHAINS} AS chain`);
      const other = chainOf.get(chain);
      if (other) pair = [other, runner];
      chainOf.set(chain, runner);
    }
    const [early, late] = pair;
    try {
      await early.startTransaction('REPEATABLE READ');
      await early.query('SELECT count(*) FROM audit_log'); // takes the snapshot
      await appendAudit(late.manager, entry(3)); // commits after that snapshot, in the same chain
      await expect(appendAudit(early.manager, entry(4))).rejects.toThrow(/audit_log_chain_prev_hash_key/);
      await early.rollbackTransaction();
    } finally {
      for (const runner of runners) await runner.release();
    }
    expect(await verifyAuditLog(db.dataSource.manager)).toMatchObject({ ok: true, checked: 3 });
  });
});

describe('the AuditChain migration', () => {
  it('chains the records already there, in id order, and the log goes on from them', async () => {
    const db = await createEmptyDatabase();
    try {
      const upTo = MIGRATIONS.findIndex((m) => m.name === 'AuditChain1764500000000');
      const before = await new DataSource(dataSourceOptions(db.url, { migrations: MIGRATIONS.slice(0, upTo), migrationsTransactionMode: 'each' })).initialize();
      await before.runMigrations();
      // Rows as the old appendAudit wrote them: now() with microseconds, jsonb in any form.
      // Twelve: ids past 9, where text order would differ from id order.
      const samples = [{ a: 1 }, { b: 1.0, a: [true, null] }, {}, { text: 'ünï', n: 1e-7 }];
      for (let i = 0; i < 12; i++) {
        const data = samples[i % samples.length];
        await before.query(
          `INSERT INTO audit_log (at, actor_id, actor_roles, action, subject_type, subject_id, data, dedupe_key)
           VALUES (now() - $1::int * interval '1 second' + interval '123.456 microseconds', $2, $3, 'cycle.started', 'cycle', $4, $5, $6)`,
          [20 - i, i % 2 ? randomUUID() : null, i % 2 ? ['admin'] : [], `c-${i}`, JSON.stringify(data), i === 2 ? 'k' : null],
        );
      }
      await before.destroy();

      expect((await runMigrations(db.url))[0]).toBe('AuditChain1764500000000');
      const after = await new DataSource(dataSourceOptions(db.url)).initialize();
      try {
        expect(await verifyAuditLog(after.manager)).toMatchObject({ ok: true, checked: 12, firstBroken: null });
        const micros: { n: number }[] = await after.query(`SELECT count(*)::int AS n FROM audit_log WHERE at <> date_trunc('milliseconds', at)`);
        expect(micros[0].n).toBe(0);
        await appendAudit(after.manager, entry(5));
        await appendAudit(after.manager, entry(6, { dedupeKey: 'k' })); // the old key still deduplicates
        expect(await verifyAuditLog(after.manager, 5)).toMatchObject({ ok: true, checked: 13 });
        // The append-only trigger is back on after the backfill.
        await expect(after.query(`DELETE FROM audit_log`)).rejects.toThrow(/append-only/);
      } finally {
        await after.destroy();
      }
    } finally {
      await db.drop();
    }
  });
});
