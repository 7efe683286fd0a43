import { DataSource } from 'typeorm';
import { Client } from 'pg';
import { MIGRATIONS, dataSourceOptions, runMigrations } from '@rollplan/db';
import { createEmptyDatabase } from '../support/database';

async function tables(url: string): Promise<string[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`);
    return rows.map((r) => r.table_name as string);
  } finally {
    await client.end();
  }
}

describe('migrations', () => {
  it('build the schema on an empty database, do nothing the second time, and revert cleanly', async () => {
    const db = await createEmptyDatabase();
    try {
      const applied = await runMigrations(db.url);
      expect(applied).toEqual(MIGRATIONS.map((m) => m.name));
      expect(await tables(db.url)).toEqual(expect.arrayContaining(['cycles', 'migrations']));

      expect(await runMigrations(db.url)).toEqual([]);

      const dataSource = await new DataSource(dataSourceOptions(db.url)).initialize();
      for (let i = 0; i < MIGRATIONS.length; i++) await dataSource.undoLastMigration();
      await dataSource.destroy();
      expect(await tables(db.url)).toEqual(['migrations']);
    } finally {
      await db.drop();
    }
  });

  it('leave the entities matching the schema (no pending changes)', async () => {
    const db = await createEmptyDatabase();
    try {
      await runMigrations(db.url);
      const dataSource = await new DataSource(dataSourceOptions(db.url)).initialize();
      const pending = await dataSource.driver.createSchemaBuilder().log();
      await dataSource.destroy();
      expect(pending.upQueries.map((q) => q.query)).toEqual([]);
    } finally {
      await db.drop();
    }
  });
});
