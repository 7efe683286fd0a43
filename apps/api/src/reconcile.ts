// `npm run reconcile`: compares every cycle's and task's read model with its workflow's state
// and prints each mismatch (exit code 1 when there is one). Reads DATABASE_URL, TEMPORAL_ADDRESS
// and TEMPORAL_NAMESPACE like the API.
import { Client, Connection } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { databaseEnv, parseEnv, temporalEnv } from '@rollplan/config';
import { dataSourceOptions } from '@rollplan/db';
import { reconcile } from './reconcile/reconcile';

async function main(): Promise<void> {
  const env = parseEnv(z.object({ ...databaseEnv, ...temporalEnv }));
  const dataSource = await new DataSource(dataSourceOptions(env.DATABASE_URL)).initialize();
  const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
  try {
    const mismatches = await reconcile(dataSource, new Client({ connection, namespace: env.TEMPORAL_NAMESPACE }));
    for (const m of mismatches) console.log(`${m.subject}: read model ${JSON.stringify(m.readModel)}, workflow ${JSON.stringify(m.workflow)}`);
    console.log(mismatches.length === 0 ? 'read models match the workflows' : `${mismatches.length} mismatch(es)`);
    process.exitCode = mismatches.length === 0 ? 0 : 1;
  } finally {
    await connection.close();
    await dataSource.destroy();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(2);
});
