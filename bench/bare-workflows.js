// Bare Temporal, the benchmark's baseline: the least a human decision and a cycle can be on the
// same server: a workflow that waits for one validated update and records it through one
// activity, and a "cycle" that opens five tasks (five activities) and waits.
const { allHandlersFinished, condition, defineUpdate, proxyActivities, setHandler } = require('@temporalio/workflow');

const decide = defineUpdate('decide');
const finish = defineUpdate('finish');
const { record, openTask } = proxyActivities({ startToCloseTimeout: '30 seconds' });

async function bareDecision() {
  let decision;
  setHandler(
    decide,
    async (input) => {
      decision = input;
      await record(input);
      return input;
    },
    { validator: (input) => { if (!input || typeof input.outcome !== 'string') throw new Error('outcome required'); } },
  );
  await condition(() => decision !== undefined);
  await condition(allHandlersFinished);
  return decision;
}

async function bareCycle() {
  let finished = false;
  setHandler(finish, () => { finished = true; return true; });
  await Promise.all([0, 1, 2, 3, 4].map((i) => openTask(i)));
  await condition(() => finished);
}

module.exports = { bareDecision, bareCycle };
