import { z } from 'zod';
import { AUDIT_CHAINS } from '@rollplan/db';
import { ROLES } from '@rollplan/domain';
import { isoTime, pageOf, responseDto } from '../common/openapi-types';

const sha256 = () => z.string().regex(/^[0-9a-f]{64}$/);

/** One audit record, as stored: append-only, chained to the one before it in its chain by `prevHash`. */
export const auditRecordSchema = z.strictObject({
  id: z.number().int().min(1).describe('ascending: the order of the log and of each chain'),
  at: isoTime(),
  actorId: z.uuid().nullable().describe('null when the system acted (a timer, a job)'),
  actorRoles: z.array(z.enum(ROLES)).describe("the actor's roles when they acted"),
  action: z.string().describe('subject.verb, e.g. cycle.started, task.decided'),
  subjectType: z.string(),
  subjectId: z.string(),
  data: z.record(z.string(), z.unknown()).describe('what the action recorded; its shape depends on the action'),
  chain: z.number().int().min(0).max(AUDIT_CHAINS - 1).describe(`which of the log’s ${AUDIT_CHAINS} hash chains the record continues (records from before v0.11: 0)`),
  prevHash: sha256().describe("the hash of the previous record of the same chain; 64 zeros for a chain's first"),
  hash: sha256().describe("SHA-256 of this record's canonical form, prevHash included"),
});
export class AuditPageDto extends responseDto(pageOf(auditRecordSchema)) {}

export class AuditVerificationDto extends responseDto(
  z.strictObject({
    ok: z.boolean(),
    checked: z.number().int().min(0).describe('records read'),
    head: z.strictObject({ id: z.number().int(), hash: sha256() }).nullable().describe('the last record read (its stored hash); null for an empty log'),
    chains: z
      .array(z.strictObject({ chain: z.number().int().min(0), checked: z.number().int().min(0), head: z.strictObject({ id: z.number().int(), hash: sha256() }).nullable() }))
      .describe("each chain's records and its head: note every head to check later that the log still ends there"),
    firstBroken: z
      .strictObject({
        id: z.number().int(),
        reason: z.enum(['hash_mismatch', 'prev_hash_mismatch']).describe('hash_mismatch: the record was changed; prev_hash_mismatch: one was removed, inserted or reordered'),
        expected: sha256(),
        found: z.string(),
      })
      .nullable()
      .describe('the first record at which the chain does not hold; null when it holds'),
  }),
) {}
