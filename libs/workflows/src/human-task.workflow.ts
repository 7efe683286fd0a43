import { allHandlersFinished, condition, isCancellation, patched, upsertSearchAttributes } from '@temporalio/workflow';
import { TaskBoard } from './human-task';
import type { HumanTaskInput, HumanTaskResult } from './human-task.messages';
import { Patch, Procedure, SearchAttribute } from './names';

/**
 * A standalone request to people: one task, or a vote of several under a group rule (an
 * ad-hoc committee decision). Cancelling it cancels its open tasks.
 */
export async function humanTask(input: HumanTaskInput): Promise<HumanTaskResult> {
  const board = new TaskBoard().install();
  const cycleAttribute = input.tasks[0]?.cycleId ? [{ key: SearchAttribute.CycleId, value: input.tasks[0].cycleId }] : [];
  // Patch log: docs/temporal.md. Requests started as children of a cycle set no attributes at start.
  if (patched(Patch.HumanTaskProcedureAttribute)) {
    upsertSearchAttributes([{ key: SearchAttribute.Procedure, value: Procedure.HumanTask }, ...cycleAttribute]);
  } else if (cycleAttribute.length > 0) {
    upsertSearchAttributes(cycleAttribute);
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
