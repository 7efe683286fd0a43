import { ApplicationFailure, setHandler } from '@temporalio/workflow';
import { CyclePhase, isTerminalPhase, type Actor } from '@rollplan/domain/rules';
import { FailureType } from './names';
import { cancelCycleUpdate, closeCycleUpdate, type CycleStatus } from './planning-cycle.messages';

/**
 * How a cycle ends by someone's hand: the planning office closes a cycle in
 * execution once its horizon is done (POST /cycles/:id/close; open corrective actions only with
 * force and a reason, which cancels them), or cancels a cycle at any point before it has ended
 * (POST /cycles/:id/cancel). The cycle workflow then cancels its months, reviews and open tasks.
 */
export function installClosure(status: CycleStatus, enterPhase: (phase: CyclePhase, why: { reason?: string; actor?: Actor }) => Promise<void>): void {
  setHandler(
    cancelCycleUpdate,
    async ({ reason, by }) => {
      status.cancellation = { reason, at: new Date().toISOString(), ...(by ? { by: by.userId } : {}) };
      await enterPhase(CyclePhase.Cancelled, { reason, actor: by });
      return status;
    },
    {
      validator: ({ reason }) => {
        if (isTerminalPhase(status.phase)) {
          throw ApplicationFailure.create({
            type: FailureType.Conflict,
            message: `cycle is already ${status.phase}`,
          });
        }
        if (typeof reason !== 'string' || reason.trim() === '') {
          throw ApplicationFailure.create({ type: FailureType.ValidationFailed, message: 'reason is required' });
        }
      },
    },
  );

  setHandler(
    closeCycleUpdate,
    async ({ reason, force, openActions, by }) => {
      status.closure = { at: new Date().toISOString(), by: by.userId, ...(reason ? { reason } : {}), forced: force, openActions };
      await enterPhase(CyclePhase.Closed, { reason, actor: by });
      return status;
    },
    {
      validator: ({ force, openActions }) => {
        if (status.phase !== CyclePhase.Execution) {
          throw ApplicationFailure.create({ type: FailureType.Conflict, message: `only a cycle in execution can be closed; this one is ${status.phase}` });
        }
        if (openActions.length > 0 && !force) {
          throw ApplicationFailure.create({ type: FailureType.Conflict, message: 'corrective actions are still open; close with force and a reason to cancel them' });
        }
      },
    },
  );
}
