import { DataSource } from 'typeorm';
import { appendAudit, dataSourceOptions } from '@rollplan/db';
import { createTestDatabase, type TestDatabase } from '../support/database';

// The API and the worker connect as a login of rollplan_app (migration AppRole, issue 14): it
// reads and writes rows, and can neither change the schema nor touch the audit log's history.
describe('the apps’ database role', () => {
  let db: TestDatabase;
  let app: DataSource;
  beforeAll(async () => {
    db = await createTestDatabase();
    app = await new DataSource(dataSourceOptions(db.appUrl)).initialize();
  });
  afterAll(async () => {
    await app?.destroy();
    await db?.drop();
  });

  it('appends to the audit log and reads it', async () => {
    await appendAudit(app.manager, { actor: null, action: 'test.appended', subjectType: 'test', subjectId: 'role', data: {} });
    const rows: unknown[] = await app.query(`SELECT id FROM audit_log WHERE action = 'test.appended'`);
    expect(rows).toHaveLength(1);
  });

  it.each([
    ['disable the append-only trigger', `ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`, /must be owner/],
    ['drop the chain trigger', `DROP TRIGGER audit_log_chain ON audit_log`, /must be owner/],
    ['delete audit records', `DELETE FROM audit_log`, /permission denied/],
    ['update audit records', `UPDATE audit_log SET action = 'x'`, /permission denied/],
    ['truncate the audit log', `TRUNCATE audit_log`, /permission denied/],
    ['create a table', `CREATE TABLE intruder (id int)`, /permission denied/],
    ['read the migrations', `SELECT * FROM migrations`, /permission denied/],
  ])('may not %s', async (_, sql, error) => {
    await expect(app.query(sql)).rejects.toThrow(error);
  });
});
