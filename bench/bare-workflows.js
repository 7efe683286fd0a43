// Bare Temporal, the benchmark's baseline: the least a human decision and a cycle can be on the
// same server: a workflow that waits for one validated update and records it through one
// activity, and a "cycle" with the product cycle's activity shape up to ready (record the cycle,
// record its phase, then open five tasks at once) that then waits.
const { allHandlersFinished, condition, defineUpdate, proxyActivities, setHandler } = require('@temporalio/workflow');

const decide = defineUpdate('decide');
const finish = defineUpdate('finish');
const { record, recordCycleStarted, recordCyclePhase, openTask } = proxyActivities({ startToCloseTimeout: '30 seconds' });

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
  await recordCycleStarted();
  await recordCyclePhase('drafting');
  await Promise.all([0, 1, 2, 3, 4].map((i) => openTask(i)));
  await condition(() => finished);
}

module.exports = { bareDecision, bareCycle };
