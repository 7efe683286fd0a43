// `node libs/db/dist/migrate.js`: applies pending migrations to DATABASE_URL (docker-compose's migrate service).
import { z } from 'zod';
import { databaseEnv, parseEnv } from '@rollplan/config';
import { runMigrations } from './data-source';

async function main(): Promise<void> {
  const { DATABASE_URL } = parseEnv(z.object(databaseEnv));
  const applied = await runMigrations(DATABASE_URL);
  console.log(JSON.stringify({ msg: 'migrations applied', applied }));
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
