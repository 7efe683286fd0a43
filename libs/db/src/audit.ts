import type { EntityManager } from 'typeorm';
import type { Actor } from '@rollplan/domain';
import { AuditLogEntity } from './entities/identity.entities';

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
 * describes. The time is the database's, never the client's.
 */
export async function appendAudit(manager: EntityManager, entry: AuditEntry): Promise<void> {
  await manager
    .createQueryBuilder()
    .insert()
    .into(AuditLogEntity)
    .values({
      actorId: entry.actor?.userId ?? null,
      actorRoles: entry.actor?.roles ?? [],
      action: entry.action,
      subjectType: entry.subjectType,
      subjectId: entry.subjectId,
      data: (entry.data ?? {}) as never,
      dedupeKey: entry.dedupeKey ?? null,
    })
    .orIgnore()
    .execute();
}
