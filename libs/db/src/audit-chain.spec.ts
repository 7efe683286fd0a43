import { createHash } from 'node:crypto';
import {
  AUDIT_GENESIS_HASH,
  AuditChainVerifier,
  auditRecordHash,
  canonicalAuditRecord,
  verifyChain,
  type AuditChainRecord,
  type StoredAuditRecord,
} from './audit-chain';

/** A chain of `n` records, each hashed onto the one before; ids `i * 10 + offset`. */
function chain(n: number, { offset = 0, chainNo }: { offset?: number; chainNo?: number } = {}): StoredAuditRecord[] {
  const records: StoredAuditRecord[] = [];
  let prevHash = AUDIT_GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    const fields: AuditChainRecord = {
      id: String(i * 10 + offset),
      at: new Date(Date.UTC(2027, 0, 1, 8, 0, i, i)),
      actorId: i % 2 ? null : '6f1c2a3b-0000-4000-8000-00000000000' + (i % 10),
      actorRoles: i % 2 ? [] : ['admin'],
      action: 'cycle.phase_entered',
      subjectType: 'cycle',
      subjectId: `c-${i}`,
      data: { phase: 'drafting', n: i, nested: { b: [1, 'two', null], a: true } },
      prevHash,
    };
    const hash = auditRecordHash(fields);
    records.push({ ...fields, hash, ...(chainNo === undefined ? {} : { chain: chainNo }) });
    prevHash = hash;
  }
  return records;
}

describe('audit chain', () => {
  it('serialises canonically (RFC 8785): sorted keys, no whitespace, id as a string, ISO time with ms', () => {
    const record: AuditChainRecord = {
      id: 7n,
      at: new Date('2027-03-01T08:00:00Z'),
      actorId: null,
      actorRoles: ['auditor'],
      action: 'user.created',
      subjectType: 'user',
      subjectId: 'u',
      data: { z: 1.5, a: 'é', m: 1e21 },
      prevHash: AUDIT_GENESIS_HASH,
    };
    const text = canonicalAuditRecord(record);
    expect(text).toBe(
      `{"action":"user.created","actorId":null,"actorRoles":["auditor"],"at":"2027-03-01T08:00:00.000Z","data":{"a":"é","m":1e+21,"z":1.5},` +
        `"id":"7","prevHash":"${AUDIT_GENESIS_HASH}","subjectId":"u","subjectType":"user"}`,
    );
    expect(auditRecordHash(record)).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
    // Key order of the data and the form of the id and time do not change the hash.
    expect(auditRecordHash({ ...record, id: '7', at: '2027-03-01T08:00:00.000Z', data: { m: 1e21, a: 'é', z: 1.5 } })).toBe(auditRecordHash(record));
    expect(auditRecordHash({ ...record, data: { ...(record.data as object), z: 1.25 } })).not.toBe(auditRecordHash(record));
  });

  it('accepts an intact chain and names its head', () => {
    const records = chain(5);
    const head = { id: '50', hash: records[4].hash };
    expect(verifyChain(records)).toEqual({ ok: true, checked: 5, head, firstBroken: null, chains: [{ chain: 0, checked: 5, head }] });
    expect(verifyChain([])).toEqual({ ok: true, checked: 0, head: null, firstBroken: null, chains: [] });
  });

  describe('a log of several chains', () => {
    /** Chains 0 and 3 interleaved by id, as concurrent transactions append them. */
    const interleaved = () => [...chain(4, { chainNo: 0 }), ...chain(4, { offset: 5, chainNo: 3 })].sort((a, b) => Number(a.id) - Number(b.id));

    it('verifies each chain on its own and names every head', () => {
      const records = interleaved();
      expect(verifyChain(records)).toEqual({
        ok: true,
        checked: 8,
        head: { id: '45', hash: records[7].hash },
        firstBroken: null,
        chains: [
          { chain: 0, checked: 4, head: { id: '40', hash: records[6].hash } },
          { chain: 3, checked: 4, head: { id: '45', hash: records[7].hash } },
        ],
      });
    });

    it('finds a record removed from one chain at the next record of that chain, and the earliest break first', () => {
      const records = interleaved().filter((r) => r.id !== '25');
      expect(verifyChain(records).firstBroken).toMatchObject({ id: '35', reason: 'prev_hash_mismatch' });
      const changed = records.map((r) => (r.id === '30' ? { ...r, data: { changed: true } } : r));
      expect(verifyChain(changed).firstBroken).toMatchObject({ id: '30', reason: 'hash_mismatch' });
    });

    it('finds a record moved to another chain (its links no longer hold in either)', () => {
      const records = interleaved().map((r) => (r.id === '20' ? { ...r, chain: 3 } : r));
      const result = verifyChain(records);
      expect(result.ok).toBe(false);
      expect(result.firstBroken).toMatchObject({ id: '20', reason: 'prev_hash_mismatch' });
    });
  });

  it('catches changed data at that record', () => {
    const records = chain(5);
    records[2] = { ...records[2], data: { phase: 'approved' } };
    const result = verifyChain(records);
    expect(result.ok).toBe(false);
    expect(result.firstBroken).toEqual({ id: '30', reason: 'hash_mismatch', expected: auditRecordHash(records[2]), found: records[2].hash });
    // It reads on to the end: the head is still the last record.
    expect(result).toMatchObject({ checked: 5, head: { id: '50' } });
  });

  it('catches a changed actor, time or link field as a hash mismatch', () => {
    for (const change of [{ actorId: 'someone-else' }, { at: new Date(Date.UTC(2020, 0, 1)) }, { id: '31' }, { actorRoles: ['admin', 'auditor'] }]) {
      const records = chain(5);
      records[2] = { ...records[2], ...change };
      expect(verifyChain(records).firstBroken).toMatchObject({ reason: 'hash_mismatch' });
    }
  });

  it('catches a deleted record at the next one', () => {
    const records = chain(5);
    const [removed] = records.splice(2, 1);
    expect(verifyChain(records).firstBroken).toEqual({ id: '40', reason: 'prev_hash_mismatch', expected: records[1].hash, found: removed.hash });
  });

  it('catches a deleted first record', () => {
    const records = chain(3).slice(1);
    expect(verifyChain(records).firstBroken).toMatchObject({ id: '20', reason: 'prev_hash_mismatch', expected: AUDIT_GENESIS_HASH });
  });

  it('catches reordered records', () => {
    const records = chain(5);
    [records[1], records[2]] = [records[2], records[1]];
    expect(verifyChain(records).firstBroken).toMatchObject({ id: '30', reason: 'prev_hash_mismatch', expected: records[0].hash });
  });

  it('catches a rewritten hash (and a rehashed record whose successor still points at the old one)', () => {
    const records = chain(5);
    const changed = { ...records[2], data: { phase: 'approved' } };
    records[2] = { ...changed, hash: auditRecordHash(changed) };
    expect(verifyChain(records).firstBroken).toMatchObject({ id: '40', reason: 'prev_hash_mismatch' });
  });

  it('verifies incrementally, one record at a time', () => {
    const verifier = new AuditChainVerifier();
    for (const record of chain(3)) verifier.push(record);
    expect(verifier.result()).toMatchObject({ ok: true, checked: 3, head: { id: '30' } });
  });
});
