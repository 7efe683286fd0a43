import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '@rollplan/db';
import { dropDatabase, ensureDatabase } from '@rollplan/devstack';
import { APP_DATABASE_USER, TEMPLATE_DATABASE, harnessEnv } from './harness-env';

export interface TestDatabase {
  /** As the owner (tests set up and inspect rows with it). */
  url: string;
  /** As the apps' login, a member of rollplan_app: what the API and worker under test use. */
  appUrl: string;
  dataSource: DataSource;
  drop(): Promise<void>;
}

/** A fresh, migrated database of its own (a copy of the harness's template: no migrations to wait for). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const { ROLLPLAN_TEST_DATABASE_ADMIN_URL: adminUrl } = harnessEnv();
  const name = `test_${randomBytes(6).toString('hex')}`;
  await ensureDatabase(adminUrl, name, TEMPLATE_DATABASE);
  const url = withDatabase(adminUrl, name);
  const dataSource = await new DataSource(dataSourceOptions(url)).initialize();
  const app = new URL(url);
  app.username = APP_DATABASE_USER;
  app.password = APP_DATABASE_USER;
  return {
    url,
    appUrl: app.toString(),
    dataSource,
    async drop() {
      await dataSource.destroy();
      await dropDatabase(adminUrl, name);
    },
  };
}

/** An empty database with no migrations applied, for migration tests. */
export async function createEmptyDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const { ROLLPLAN_TEST_DATABASE_ADMIN_URL: adminUrl } = harnessEnv();
  const name = `empty_${randomBytes(6).toString('hex')}`;
  await ensureDatabase(adminUrl, name);
  return { url: withDatabase(adminUrl, name), drop: () => dropDatabase(adminUrl, name) };
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
