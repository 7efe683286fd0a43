// `npm run record-histories`: runs every replay scenario on the time-skipping server with the
// real worker and saves the histories under test/fixtures/histories, named by scenario and
// by the rollplan version that produced them. Keep old files: they prove the current code
// still replays what earlier versions wrote. ONLY=name,name records just those scenarios.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyToJSON } from '@rollplan/api';
import { seedDemoOrganization } from '@rollplan/api';
import { UserEntity } from '@rollplan/db';
import type { Actor } from '@rollplan/domain';
import { createTestDatabase } from '../support/database';
import { createTestWorker, createTimeSkippingEnv, testReportQueue, uniqueTaskQueue } from '../support/temporal';
import { SCENARIOS } from './scenarios';
import { FIXTURES_DIR, ROLLPLAN_VERSION } from './fixtures';

it('records a history for every scenario', async () => {
  const db = await createTestDatabase();
  await seedDemoOrganization(db.dataSource);
  const people: Record<string, Actor> = {};
  for (const u of await db.dataSource.getRepository(UserEntity).find()) {
    people[u.email.split('@')[0]] = { userId: u.id, roles: u.roles, unitId: u.unitId, via: 'user' };
  }
  try {
    // A time-skipping server per scenario: one scenario's leftovers (a lock on time skipping,
    // a workflow still running) cannot stall the next one's timers.
    for (const scenario of SCENARIOS.filter((s) => !process.env.ONLY || process.env.ONLY.split(',').includes(s.name))) {
      const env = await createTimeSkippingEnv();
      const taskQueue = uniqueTaskQueue('record');
      const reportQueue = testReportQueue(taskQueue);
      const worker = await createTestWorker(env, { taskQueue, dataSource: db.dataSource, reportQueue });
      try {
        await worker.runUntil(async () => {
          const ids = await scenario.run(env, taskQueue, people);
          const perType = new Map<string, number>();
          for (const workflowId of ids) {
            const handle = env.client.workflow.getHandle(workflowId);
            const [history, { type }] = await Promise.all([handle.fetchHistory(), handle.describe()]);
            // Each history goes to the folder of its own workflow type (a scenario may run children).
            const dir = join(FIXTURES_DIR, type);
            mkdirSync(dir, { recursive: true });
            // Several executions of one type (a cycle's months): numbered from the second on.
            const n = (perType.get(type) ?? 0) + 1;
            perType.set(type, n);
            const file = join(dir, `${scenario.name}${n > 1 ? `-${n}` : ''}.v${ROLLPLAN_VERSION}.json`);
            writeFileSync(file, `${historyToJSON(history)}\n`);
            console.log(`recorded ${file} (${history.events?.length} events)`);
          }
        });
      } finally {
        await env.teardown();
        await reportQueue.obliterate({ force: true });
        await reportQueue.close();
      }
    }
  } finally {
    await db.drop();
  }
}, 300_000);
