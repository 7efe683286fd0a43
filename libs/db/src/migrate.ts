// `node libs/db/dist/migrate.js`: applies pending migrations to DATABASE_URL as the schema's owner
// (docker-compose's migrate service, the local stack). With APP_DATABASE_USER and
// APP_DATABASE_PASSWORD set it also makes that login for the API and the worker: a member of
// rollplan_app, which reads and writes rows and nothing else.
import { z } from 'zod';
import { databaseEnv, parseEnv } from '@rollplan/config';
import { ensureAppLogin } from './app-role';
import { runMigrations } from './data-source';

async function main(): Promise<void> {
  const env = parseEnv(
    z.object({
      ...databaseEnv,
      APP_DATABASE_USER: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a plain role name').optional(),
      /** Secret: never logged. */
      APP_DATABASE_PASSWORD: z.string().min(1).optional(),
    }),
  );
  const applied = await runMigrations(env.DATABASE_URL);
  console.log(JSON.stringify({ msg: 'migrations applied', applied }));
  if (env.APP_DATABASE_USER) {
    if (!env.APP_DATABASE_PASSWORD) throw new Error('APP_DATABASE_PASSWORD is required with APP_DATABASE_USER');
    await ensureAppLogin(env.DATABASE_URL, env.APP_DATABASE_USER, env.APP_DATABASE_PASSWORD);
    console.log(JSON.stringify({ msg: 'app login ready', user: env.APP_DATABASE_USER }));
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
