import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { MetadataScanner, ModulesContainer, NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { OpenAPIObject } from '@nestjs/swagger';
import { z } from 'zod';
import { openApiDocument } from '../app.factory';
import { AppModule } from '../app.module';
import { loadApiConfig } from '../config';

type Json = Record<string, unknown>;
interface Operation {
  method: string;
  path: string;
  responses: Record<string, { content?: Record<string, { schema?: Json }> }>;
}

/** What the API sends that is not JSON, and the operations that send it. */
const NON_JSON: Record<string, string> = {
  'GET /cycles/{id}/decisions.csv': 'text/csv',
  'GET /cycles/{id}/periods/{period}/report.html': 'text/html',
  'GET /cycles/{id}/periods/{period}/report.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'GET /notifications/stream': 'text/event-stream',
  'GET /metrics': 'text/plain',
};

/**
 * Every route of the controllers, `METHOD /path/{param}` (route-table.ts reads them through the
 * DiscoveryService, which preview mode does not instantiate).
 */
function routes(app: NestExpressApplication): string[] {
  const scanner = new MetadataScanner();
  return [...app.get(ModulesContainer).values()].flatMap((module) =>
    [...module.controllers.values()].flatMap(({ metatype }) => {
      const controller = metatype as (new (...args: never[]) => object) | null;
      if (!controller?.prototype) return [];
      const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
      return scanner.getAllMethodNames(controller.prototype).flatMap((name) => {
        const handler = (controller.prototype as Record<string, object>)[name];
        const sub = Reflect.getMetadata(PATH_METADATA, handler);
        if (sub === undefined) return [];
        const path = `/${[base, String(sub)].filter((p) => p && p !== '/').join('/')}`.replace(/\/+/g, '/').replace(/:(\w+)/g, '{$1}');
        return [`${RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number]} ${path}`];
      });
    }),
  );
}

const isResponseDto = (value: unknown): value is { schema: z.ZodType } => typeof value === 'function' && 'isZodDto' in value && 'schema' in value;

/** Every response DTO of the API: the exports of the `<module>.responses.ts` files. */
function responseDtos(): { name: string; schema: z.ZodType }[] {
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? files(join(dir, entry.name)) : entry.name.endsWith('.responses.ts') ? [join(dir, entry.name)] : [],
    );
  return files(join(__dirname, '..')).flatMap((file) =>
    Object.entries(require(file) as Record<string, unknown>).flatMap(([name, value]) => (isResponseDto(value) ? [{ name, schema: value.schema }] : [])),
  );
}

/**
 * The OpenAPI document the web app's typed client is generated from: every operation says what
 * it answers on success, with a named schema, as zod describes it. The e2e test
 * test/e2e/openapi-responses.e2e.test.ts checks real answers against it.
 */
describe('the OpenAPI document', () => {
  let app: NestExpressApplication;
  let document: OpenAPIObject;
  let operations: Operation[];
  let routeKeys: string[];

  beforeAll(async () => {
    // Preview mode builds the module graph and connects to nothing (as write-openapi does).
    const config = loadApiConfig({ ...process.env, DATABASE_URL: 'postgres://preview@localhost/preview' });
    app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), { preview: true, logger: false, abortOnError: false });
    document = openApiDocument(app);
    routeKeys = routes(app);
    operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item as Record<string, Operation>)
        .filter(([method]) => ['get', 'put', 'post', 'patch', 'delete'].includes(method))
        .map(([method, operation]) => ({ method: method.toUpperCase(), path, responses: operation.responses ?? {} })),
    );
  });
  afterAll(() => app?.close());

  it('has an operation for every route', () => {
    const documented = new Set(operations.map((o) => `${o.method} ${o.path}`));
    expect(routeKeys.filter((key) => !documented.has(key))).toEqual([]);
    expect(routeKeys.length).toBeGreaterThan(60);
    expect(operations.length).toBe(routeKeys.length);
  });

  it('declares a success response with a body schema, or a 204, for every operation', () => {
    const lacking = operations.filter((operation) => {
      const successes = Object.entries(operation.responses).filter(([status]) => /^2\d\d$/.test(status));
      if (successes.length === 0) return true;
      return !successes.every(([status, response]) => {
        const content = Object.values(response.content ?? {});
        if (status === '204') return content.length === 0;
        return content.length > 0 && content.every((media) => media.schema && Object.keys(media.schema).length > 0);
      });
    });
    expect(lacking.map((o) => `${o.method} ${o.path}`)).toEqual([]);
  });

  it('describes every JSON success body by a named component, and other content types only where the API sends them', () => {
    const problems: string[] = [];
    for (const operation of operations) {
      const key = `${operation.method} ${operation.path}`;
      for (const [status, response] of Object.entries(operation.responses).filter(([s]) => /^2\d\d$/.test(s))) {
        for (const [type, media] of Object.entries(response.content ?? {})) {
          if (type !== 'application/json') {
            if (NON_JSON[key] !== type) problems.push(`${key} ${status}: ${type}`);
            continue;
          }
          if (NON_JSON[key]) problems.push(`${key} ${status}: JSON, but it sends ${NON_JSON[key]}`);
          const schema = media.schema as Json;
          const ref = (schema.$ref ?? (schema.items as Json | undefined)?.$ref) as string | undefined;
          const name = ref?.replace('#/components/schemas/', '');
          if (!name || !document.components?.schemas?.[name]) problems.push(`${key} ${status}: not a named component (${JSON.stringify(schema).slice(0, 80)})`);
          else if (!/^[A-Z]\w*Dto$/.test(name)) problems.push(`${key} ${status}: component ${name} is not named as its DTO class`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('writes each response DTO exactly as zod describes its output, so no field is mangled on the way', () => {
    const dtos = responseDtos();
    expect(dtos.length).toBeGreaterThan(30);
    const schemas = (document.components?.schemas ?? {}) as Record<string, Json>;
    for (const { name, schema } of dtos) {
      const { $schema: _dialect, ...expected } = z.toJSONSchema(schema, { io: 'output' }) as Json;
      // One field at a time, so a failure names it.
      expect({ name, ...schemas[name] }).toEqual({ name, ...JSON.parse(JSON.stringify(expected)) });
    }
  });

  it('keeps objects closed: no JSON success body accepts a field it does not name, except the documented open ones', () => {
    const open: string[] = [];
    const visit = (schema: unknown, at: string) => {
      if (!schema || typeof schema !== 'object') return;
      const s = schema as Json;
      if (s.type === 'object' && s.properties && s.additionalProperties !== false) open.push(at);
      for (const [key, value] of Object.entries(s)) {
        if (key === 'properties') for (const [field, sub] of Object.entries(value as Json)) visit(sub, `${at}.${field}`);
        else if (typeof value === 'object') visit(value, `${at}${key === 'items' ? '[]' : ''}`);
      }
    };
    for (const [name, schema] of Object.entries(document.components?.schemas ?? {})) if (name.endsWith('Dto')) visit(schema, name);
    // A history event in Temporal's JSON form: its attributes depend on its type.
    expect([...new Set(open)]).toEqual(['CycleExportDto.executions[].history.events[]']);
  });
});
