// `node apps/api/dist/write-openapi.js <file>`: writes the OpenAPI document without starting
// anything (Nest's preview mode builds the module graph, connects to nothing). The web app's
// typed client is generated from it (apps/web: `npm run client`).
import { writeFileSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { openApiDocument } from './app.factory';
import { loadApiConfig } from './config';

async function main(): Promise<void> {
  const [file] = process.argv.slice(2);
  if (!file) throw new Error('usage: write-openapi <file>');
  const config = loadApiConfig({ ...process.env, DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://preview@localhost/preview' });
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), { preview: true, logger: false, abortOnError: false });
  writeFileSync(file, `${JSON.stringify(openApiDocument(app), null, 2)}\n`);
  await app.close();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
