import {
  ApplicationFailure,
  condition,
  proxyActivities,
  setHandler,
  allHandlersFinished,
  CancellationScope,
  ParentClosePolicy,
  isCancellation,
  continueAsNew,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { CyclePhase, isTerminalPhase, type Actor } from '@rollplan/domain/rules';
import type { CycleActivities } from './activities';
import { FailureType, Patch, Procedure, SearchAttribute } from './names';
import { TaskBoard } from './human-task';
import { humanTask } from './human-task.workflow';
import { runPlanDrafting } from './plan-drafting';
import { installClosure } from './cycle-closure';
import { PlanExecution } from './plan-execution';
import {
  cancelCycleUpdate,
  closeCycleUpdate,
  cycleStatusQuery,
  openRequestUpdate,
  type OpenRequestInput,
  type CycleResume,
  type CycleStatus,
  type PlanningCycleInput,
} from './planning-cycle.messages';
import { baselineField, hasPatch, startFromBaseline } from './patches';

const { recordCycleStarted, recordCyclePhase } = proxyActivities<CycleActivities>({
  startToCloseTimeout: '30 seconds',
  // Read-model writes: retry for as long as it takes the database to come back.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * The three-year planning cycle: the parent workflow of every procedure of one plan.
 * It records the cycle, runs drafting and committee review to an effective version or a
 * rejection (docs/drafting.md) and hosts ad-hoc requests as children; it ends when it is
 * cancelled, rejected or closed.
 */
export async function planningCycle(input: PlanningCycleInput): Promise<CycleStatus> {
  startFromBaseline(input.baseline);
  const { resume, baseline: _baseline, ...plain } = input;
  const status: CycleStatus = resume ? { ...resume.status, run: (resume.status.run ?? 1) + 1 } : { ...plain, phase: CyclePhase.Starting, phaseSince: now() };
  let runningRequests = 0;
  let execution: PlanExecution | undefined;

  const board = new TaskBoard().install();
  setHandler(cycleStatusQuery, () => ({
    ...status,
    pending: board.openTasks().map((t) => ({ taskId: t.id, kind: t.spec.kind, eligible: t.claimedBy ? [t.claimedBy] : t.eligible, dueAt: t.spec.dueAt })),
  }));
  installClosure(status, (phase, why) => enterPhase(status, phase, why));

  setHandler(
    openRequestUpdate,
    async ({ requestId, request }) => {
      try {
        const child = await startChild(humanTask, {
          workflowId: requestId,
          args: [request],
          // Closing the cycle (cancelled, rejected, closed) cancels its open requests and their tasks.
          parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
          // Set at the start rather than upserted by the child (attributes are not part of the determinism check).
          typedSearchAttributes: [
            { key: SearchAttribute.Procedure, value: Procedure.HumanTask },
            { key: SearchAttribute.CycleId, value: status.cycleId },
          ],
        });
        // Counted so the cycle does not continue as new (which would close it) while one runs.
        runningRequests += 1;
        void child.result().then(
          () => (runningRequests -= 1),
          () => (runningRequests -= 1),
        );
      } catch (error) {
        // A retried request (same id) finds the child it started.
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      }
      return { requestId };
    },
    {
      validator: (_request: OpenRequestInput) => {
        if (isTerminalPhase(status.phase)) {
          throw ApplicationFailure.create({ type: FailureType.Conflict, message: `cycle is already ${status.phase}` });
        }
        // A request started now would be cancelled with this run when it continues as new.
        execution?.refuseWhileRollingOver();
      },
    },
  );

  if (!resume) await recordCycleStarted({ ...input, workflowId: workflowInfo().workflowId });
  if (status.phase === CyclePhase.Starting) await enterPhase(status, CyclePhase.Drafting);

  // Patch log: docs/temporal.md. Cycles started before it only wait in drafting.
  if (!resume && input.setup && hasPatch(Patch.CycleDrafting)) {
    const drafting = new CancellationScope();
    const planning = drafting
      .run(() => runPlanDrafting(input.setup!, status, board, (phase) => enterPhase(status, phase)))
      .catch((error: unknown) => {
        if (!isCancellation(error)) throw error;
      });
    await condition(() => isTerminalPhase(status.phase) || status.phase === CyclePhase.Execution);
    if (status.phase === CyclePhase.Cancelled) {
      drafting.cancel();
      await planning;
      await board.cancelOpen('the cycle was cancelled');
    } else {
      await planning;
    }
  }

  // Patch log: docs/temporal.md. Cycles approved before it wait in execution until closed.
  if (input.setup && status.phase === CyclePhase.Execution && (resume || hasPatch(Patch.CycleMonthlyLoop))) {
    const executing = new CancellationScope();
    let outcome: CycleResume | 'done' | undefined;
    const months = executing
      .run(() => {
        execution = new PlanExecution(input.setup!, status, board, resume, () => runningRequests === 0 && board.openTasks().length === 0);
        return execution.run();
      })
      .then((result) => void (outcome = result))
      .catch((error: unknown) => {
        if (!isCancellation(error)) throw error;
      });
    await condition(() => isTerminalPhase(status.phase) || outcome !== undefined);
    if (outcome === undefined) {
      executing.cancel();
      await months;
      await board.cancelOpen(`the cycle was ${status.phase}`);
    } else if (outcome !== 'done') {
      await condition(allHandlersFinished);
      return continueAsNew<typeof planningCycle>({ ...plain, ...baselineField(), resume: outcome });
    }
  }

  await condition(() => isTerminalPhase(status.phase));
  await condition(allHandlersFinished);
  return status;
}

async function enterPhase(status: CycleStatus, phase: CyclePhase, why: { reason?: string; actor?: Actor } = {}): Promise<void> {
  status.phase = phase;
  status.phaseSince = now();
  upsertSearchAttributes([{ key: SearchAttribute.Phase, value: phase }]);
  await recordCyclePhase({ cycleId: status.cycleId, phase, at: status.phaseSince, ...why });
}

/** Workflow time (deterministic: Date is replayed by the SDK). */
function now(): string {
  return new Date().toISOString();
}
