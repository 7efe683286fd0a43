import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import type { Tracing } from '@rollplan/telemetry';
import { cleanupOpenApiDoc } from 'nestjs-zod';
import { AppModule } from './app.module';
import { assertEveryRouteHasAccessRule } from './auth/route-table';
import { answerParserErrors, jsonBodyParser } from './common/body-parser';
import { declareErrorResponses } from './common/openapi-errors';
import type { ApiConfig } from './config';
import { HttpMetrics } from './metrics/http-metrics';
import { serveWebApp } from './web-app';

/** Builds the API as main.ts runs it and the e2e tests drive it; `tracing` is flushed when it closes. */
export async function createApp(config: ApiConfig, { tracing }: { tracing?: Tracing } = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, tracing), {
    bufferLogs: true,
    bodyParser: false,
    // Throw start-up errors to the caller instead of exiting the process.
    abortOnError: false,
  });
  assertEveryRouteHasAccessRule(app);
  app.useLogger(app.get(Logger));
  // First, so that every request is timed, refused ones included.
  app.use(app.get(HttpMetrics).middleware());
  app.use(...jsonBodyParser(config.API_BODY_LIMIT));
  answerParserErrors(app.getHttpServer());
  app.disable('x-powered-by');
  // Behind a reverse proxy the client address (login throttling) is the proxy's X-Forwarded-For.
  if (config.TRUST_PROXY) app.set('trust proxy', /^\d+$/.test(config.TRUST_PROXY) ? Number(config.TRUST_PROXY) : config.TRUST_PROXY);
  app.enableShutdownHooks();

  SwaggerModule.setup('docs', app, openApiDocument(app), { jsonDocumentUrl: 'docs/openapi.json' });
  serveWebApp(app);
  return app;
}

/** The API's OpenAPI document, as /docs serves it and the web app's typed client is generated from. */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('rollplan')
      .setDescription('Strategic planning workflows: cycles, plans, reviews, the monthly loop, audit.')
      .setOpenAPIVersion('3.1.0')
      .setVersion('0.1.0')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'Access token from POST /auth/login, or an API token (rpat_…)' })
      .build(),
  );
  return declareErrorResponses(cleanupOpenApiDoc(document));
}
