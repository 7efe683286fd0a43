import { ApplicationFailure } from '@temporalio/common';
import { failOnUnwritableData } from '@rollplan/worker';
import { createTestDatabase, type TestDatabase } from '../support/database';

// An activity given data PostgreSQL can never store fails for good instead of retrying for ever
// (issue 14, item 2); a database that is merely away stays a retryable failure.
describe('activities and unwritable data', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db?.drop());

  it('turns a NUL in text into a non-retryable failure', async () => {
    const write = failOnUnwritableData((title: string) => db.dataSource.query(`SELECT $1::text AS title`, [title]));
    const error = await write('a\u0000b').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect((error as ApplicationFailure).nonRetryable).toBe(true);
    expect((error as ApplicationFailure).message).toMatch(/SQLSTATE 22/);
    expect(await write('fine')).toEqual([{ title: 'fine' }]);
  });

  it('leaves a connection failure retryable', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    const error = await failOnUnwritableData(async () => Promise.reject(refused))().catch((e: unknown) => e);
    expect(error).toBe(refused);
  });
});
