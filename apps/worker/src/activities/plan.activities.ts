import type { DataSource } from 'typeorm';
import { CycleEntity, PlanVersionEntity, appendAudit } from '@rollplan/db';
import type { PlanActivities } from '@rollplan/workflows';
import { activityKey } from './activity-key';

/** Plan versions and verdicts: each with its audit record, idempotent under retries. */
export function createPlanActivities({ dataSource }: { dataSource: DataSource }): PlanActivities {
  return {
    async recordPlanVersion({ cycleId, version, content, submittedBy, submittedAt, round }) {
      await dataSource.transaction(async (manager) => {
        await manager
          .createQueryBuilder()
          .insert()
          .into(PlanVersionEntity)
          .values({ cycleId, version, status: 'in_review', content: content as never, submittedBy, submittedAt: new Date(submittedAt), round })
          .orIgnore()
          .execute();
        await appendAudit(manager, {
          actor: { userId: submittedBy, roles: ['admin'] },
          action: 'plan.version_submitted',
          subjectType: 'cycle',
          subjectId: cycleId,
          data: { version, round },
          dedupeKey: activityKey(),
        });
      });
    },

    async recordPlanVerdict({ cycleId, version, verdict, at, reasons, effectiveFrom }) {
      await dataSource.transaction(async (manager) => {
        const versions = manager.getRepository(PlanVersionEntity);
        await versions.update({ cycleId, version }, { status: verdict, decidedAt: new Date(at), ...(effectiveFrom ? { effectiveFrom } : {}) });
        if (verdict === 'approved') {
          // The new version takes effect; any earlier approved one is superseded, both kept.
          await manager
            .createQueryBuilder()
            .update(PlanVersionEntity)
            .set({ status: 'superseded' })
            .where('cycle_id = :cycleId AND version <> :version AND status = :approved', { cycleId, version, approved: 'approved' })
            .execute();
          await manager.getRepository(CycleEntity).update({ id: cycleId }, { effectiveVersion: version });
        }
        await appendAudit(manager, {
          actor: null,
          action: `plan.${verdict}`,
          subjectType: 'cycle',
          subjectId: cycleId,
          data: { version, reasons, ...(effectiveFrom ? { effectiveFrom } : {}) },
          dedupeKey: activityKey(),
        });
      });
    },
  };
}
