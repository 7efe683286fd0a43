import { Worker } from '@temporalio/worker';
import { WorkflowType } from '@rollplan/workflows';
import { harnessEnv } from '../support/harness-env';
import { quietRuntime } from '../support/temporal';
import { recordedHistories } from './fixtures';

// Replays every recorded history against the current workflow code: a change that would
// break running executions (a new activity or timer in the old sequence without patched())
// fails here as a nondeterminism error.
describe('replay of recorded histories', () => {
  const histories = recordedHistories();

  it('has recorded histories for every workflow type', () => {
    const recorded = new Set(histories.map((h) => h.workflowType));
    expect(Object.values(WorkflowType).filter((type) => !recorded.has(type))).toEqual([]);
  });

  it.each(histories.map((h) => [h.file, h] as const))('replays %s', async (_file, recorded) => {
    quietRuntime();
    const result = Worker.runReplayHistories(
      { workflowBundle: { codePath: harnessEnv().ROLLPLAN_TEST_WORKFLOW_BUNDLE }, replayName: recorded.file },
      [{ workflowId: recorded.file, history: recorded.history }],
    );
    for await (const { error } of result) expect(error).toBeUndefined();
  });
});
