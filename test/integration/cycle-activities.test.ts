import { testReportQueue, uniqueTaskQueue } from '../support/temporal';
import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { DefaultLogger } from '@temporalio/worker';
import { CycleEntity } from '@rollplan/db';
import { createActivities } from '@rollplan/worker';
import { createTestDatabase, type TestDatabase } from '../support/database';

describe('cycle activities on PostgreSQL', () => {
  let db: TestDatabase;
  let activities: ReturnType<typeof createActivities>;
  let reportQueue: ReturnType<typeof testReportQueue>;
  // Runs each activity in a real activity context (heartbeats, cancellation), not a bare call.
  const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A) => new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') }).run(fn, ...args);

  beforeAll(async () => {
    db = await createTestDatabase();
    reportQueue = testReportQueue(uniqueTaskQueue('activities'));
    activities = createActivities({ dataSource: db.dataSource, reportQueue });
  });
  afterAll(async () => {
    await reportQueue.obliterate({ force: true });
    await reportQueue.close();
    await db.drop();
  });

  const input = () => ({ cycleId: randomUUID(), title: 'Plan', startYear: 2027, horizonYears: 3, workflowId: 'cycle-x' });

  it('recordCycleStarted writes one row however often it is retried', async () => {
    const cycle = { ...input(), workflowId: `cycle-${randomUUID()}` };
    await run(activities.recordCycleStarted, cycle);
    await run(activities.recordCycleStarted, cycle);
    const rows = await db.dataSource.getRepository(CycleEntity).findBy({ id: cycle.cycleId });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ title: 'Plan', phase: 'starting', workflowId: cycle.workflowId });
  });

  it('recordCyclePhase moves the phase and keeps the cancel reason', async () => {
    const cycle = { ...input(), workflowId: `cycle-${randomUUID()}` };
    await run(activities.recordCycleStarted, cycle);
    const at = '2027-03-01T08:00:00.000Z';
    await run(activities.recordCyclePhase, { cycleId: cycle.cycleId, phase: 'cancelled', at, reason: 'merged' });
    const row = await db.dataSource.getRepository(CycleEntity).findOneByOrFail({ id: cycle.cycleId });
    expect(row.phase).toBe('cancelled');
    expect(row.cancelReason).toBe('merged');
    expect(row.phaseSince.toISOString()).toBe(at);
  });

  it('recordCyclePhase before the row exists fails retryably, so Temporal tries again', async () => {
    const error: unknown = await run(activities.recordCyclePhase, { cycleId: randomUUID(), phase: 'drafting', at: new Date().toISOString() }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect((error as ApplicationFailure).nonRetryable).toBe(false);
    expect((error as ApplicationFailure).type).toBe('cycle_row_missing');
  });

  it('stores text shaped like SQL or HTML verbatim', async () => {
    const title = `Robert'); DROP TABLE cycles;-- <img src=x onerror=alert(1)>`;
    const cycle = { ...input(), title, workflowId: `cycle-${randomUUID()}` };
    await run(activities.recordCycleStarted, cycle);
    expect((await db.dataSource.getRepository(CycleEntity).findOneByOrFail({ id: cycle.cycleId })).title).toBe(title);
  });
});
