import { ApplicationFailure } from '@temporalio/activity';
import type { DataSource } from 'typeorm';
import { CycleEntity, appendAudit } from '@rollplan/db';
import type { CycleActivities } from '@rollplan/workflows';
import { activityKey } from './activity-key';

/**
 * Activities that keep the cycles read model in step with the planning-cycle workflow. Each
 * change and its audit record commit together; the audit record's key is the activity's own
 * identity, so a retried activity records once.
 */
export function createCycleActivities({ dataSource }: { dataSource: DataSource }): CycleActivities {
  return {
    async recordCycleStarted(input) {
      await dataSource.transaction(async (manager) => {
        // ON CONFLICT DO NOTHING: a retried activity already made the row.
        await manager
          .createQueryBuilder()
          .insert()
          .into(CycleEntity)
          .values({
            id: input.cycleId,
            title: input.title,
            startYear: input.startYear,
            horizonYears: input.horizonYears,
            phase: 'starting',
            phaseSince: new Date(),
            workflowId: input.workflowId,
          })
          .orIgnore()
          .execute();
        await appendAudit(manager, {
          actor: input.startedBy ?? null,
          action: 'cycle.started',
          subjectType: 'cycle',
          subjectId: input.cycleId,
          data: { title: input.title, startYear: input.startYear, horizonYears: input.horizonYears },
          dedupeKey: activityKey(),
        });
      });
    },

    async recordCyclePhase({ cycleId, phase, at, reason, actor }) {
      await dataSource.transaction(async (manager) => {
        const result = await manager
          .getRepository(CycleEntity)
          .update({ id: cycleId }, { phase, phaseSince: new Date(at), ...(phase === 'cancelled' ? { cancelReason: reason ?? null } : {}) });
        if (!result.affected) {
          // Retryable: the row is written by recordCycleStarted, which may still be retrying.
          throw ApplicationFailure.retryable(`cycle ${cycleId} has no read-model row yet`, 'cycle_row_missing');
        }
        await appendAudit(manager, {
          actor: actor ?? null,
          action: phase === 'cancelled' ? 'cycle.cancelled' : 'cycle.phase_entered',
          subjectType: 'cycle',
          subjectId: cycleId,
          data: { phase, at, ...(reason ? { reason } : {}) },
          dedupeKey: activityKey(),
        });
      });
    },
  };
}
