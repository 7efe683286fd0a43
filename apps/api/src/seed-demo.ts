// `node apps/api/dist/seed-demo.js`: seeds the demo organization into an empty database
// (`npm start` runs it). Refuses in production.
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { databaseEnv, parseEnv, runtimeEnv } from '@rollplan/config';
import { dataSourceOptions } from '@rollplan/db';
import { DEMO_PASSWORD, seedDemoOrganization } from './people/demo-organization';

async function main(): Promise<void> {
  const env = parseEnv(z.object({ ...databaseEnv, ...runtimeEnv }));
  if (env.NODE_ENV === 'production') {
    console.error('refusing to seed demo people in production');
    process.exit(1);
  }
  const dataSource = await new DataSource(dataSourceOptions(env.DATABASE_URL)).initialize();
  try {
    const logins = await seedDemoOrganization(dataSource);
    if (logins.length === 0) return;
    console.log(`Seeded a demo organization. Every login's password is ${DEMO_PASSWORD}`);
    for (const login of logins) console.log(`  ${login.email.padEnd(28)} ${login.roles.join(', ').padEnd(18)} ${login.unit}`);
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
