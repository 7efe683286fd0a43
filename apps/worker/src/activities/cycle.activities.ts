import { ApplicationFailure } from '@temporalio/activity';
import type { DataSource } from 'typeorm';
import { CycleEntity } from '@rollplan/db';
import type { CycleActivities } from '@rollplan/workflows';

/** Activities that keep the cycles read model in step with the planning-cycle workflow. */
export function createCycleActivities({ dataSource }: { dataSource: DataSource }): CycleActivities {
  const cycles = dataSource.getRepository(CycleEntity);
  return {
    async recordCycleStarted(input) {
      // ON CONFLICT DO NOTHING: a retried activity, or the API's own insert, already made the row.
      await cycles
        .createQueryBuilder()
        .insert()
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
    },

    async recordCyclePhase({ cycleId, phase, at, reason }) {
      const result = await cycles.update(
        { id: cycleId },
        { phase, phaseSince: new Date(at), ...(phase === 'cancelled' ? { cancelReason: reason ?? null } : {}) },
      );
      if (!result.affected) {
        // Retryable: the row is written by recordCycleStarted, which may still be retrying.
        throw ApplicationFailure.retryable(`cycle ${cycleId} has no read-model row yet`, 'cycle_row_missing');
      }
    },
  };
}
