import { allHandlersFinished, condition, isCancellation, upsertSearchAttributes } from '@temporalio/workflow';
import { TaskBoard } from './human-task';
import type { HumanTaskInput, HumanTaskResult } from './human-task.messages';
import { Patch, Procedure, SearchAttribute } from './names';
import { currentBaseline, hasPatch, startFromBaseline } from './patches';

/**
 * A standalone request to people: one task, or a vote of several under a group rule (an
 * ad-hoc committee decision). Cancelling it cancels its open tasks.
 */
export async function humanTask(input: HumanTaskInput): Promise<HumanTaskResult> {
  startFromBaseline(input.baseline);
  const board = new TaskBoard().install();
  // From baseline 1, whoever starts a request sets its attributes (the API, or the cycle for its
  // children). Before, children of a cycle were started without any. Patch log: docs/temporal.md.
  if (currentBaseline() < 1) {
    const cycleAttribute = input.tasks[0]?.cycleId ? [{ key: SearchAttribute.CycleId, value: input.tasks[0].cycleId }] : [];
    if (hasPatch(Patch.HumanTaskProcedureAttribute)) {
      upsertSearchAttributes([{ key: SearchAttribute.Procedure, value: Procedure.HumanTask }, ...cycleAttribute]);
    } else if (cycleAttribute.length > 0) {
      upsertSearchAttributes(cycleAttribute);
    }
  }
  try {
    let result: HumanTaskResult;
    if (input.group && input.tasks.length > 1) {
      const { decisions, ...group } = await board.decideGroup(input.tasks, input.group.rule, input.group.passOutcome);
      result = { decisions, group };
    } else {
      const decision = await board.decide(input.tasks[0]);
      result = { decisions: decision ? [decision] : [] };
    }
    await condition(allHandlersFinished);
    return result;
  } catch (error) {
    if (isCancellation(error)) await board.cancelOpen('the request was cancelled');
    throw error;
  }
}
