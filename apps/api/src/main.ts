// First: tracing patches http, pg and ioredis as they load.
import { tracing } from './tracing';
import { ConfigError } from '@rollplan/config';
import { createApp } from './app.factory';
import { loadApiConfig } from './config';

async function main(): Promise<void> {
  const config = loadApiConfig();
  const app = await createApp(config, { tracing });
  await app.listen(config.API_PORT);
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
