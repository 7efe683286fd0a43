import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { Agent, Response, Test } from 'supertest';

type Json = Record<string, unknown>;
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
const METHODS: Method[] = ['get', 'post', 'put', 'patch', 'delete'];
const DOC = 'openapi.json';

/** A JSON pointer into the document, as ajv resolves it. */
const pointer = (...segments: string[]) => `${DOC}#${segments.map((s) => `/${encodeURIComponent(s.replace(/~/g, '~0').replace(/\//g, '~1'))}`).join('')}`;

/**
 * Checks real answers against the API's own OpenAPI document: each response's status must be
 * declared for its operation, its content type declared, and a JSON body must validate against
 * the declared schema (JSON Schema 2020-12, formats checked). Remembers which operations
 * answered with a success, to tell how much of the API a journey covered.
 */
export class OpenApiResponses {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  private readonly templates: { method: Method; template: string; pattern: RegExp; params: number }[] = [];
  private readonly validators = new Map<string, ValidateFunction>();
  /** `METHOD /template` → the success statuses seen. */
  readonly covered = new Map<string, Set<number>>();
  /** Responses checked, JSON bodies validated. */
  readonly counts = { responses: 0, bodies: 0 };

  constructor(readonly document: Json & { paths: Record<string, Record<string, Json>> }) {
    addFormats(this.ajv);
    this.ajv.addFormat('binary', true);
    this.ajv.addSchema(document, DOC);
    for (const [template, item] of Object.entries(document.paths)) {
      for (const method of METHODS.filter((m) => item[m])) {
        const pattern = new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`);
        this.templates.push({ method, template, pattern, params: (template.match(/\{/g) ?? []).length });
      }
    }
    // A literal segment wins over a parameter (`/notifications/stream` before `/notifications/{id}`).
    this.templates.sort((a, b) => a.params - b.params);
  }

  /** Every operation of the document, `METHOD /template`. */
  get operations(): string[] {
    return this.templates.map((t) => `${t.method.toUpperCase()} ${t.template}`).sort();
  }

  /** The operation answering `method path`. */
  operationOf(method: string, path: string): { method: Method; template: string; operation: Json } {
    const m = method.toLowerCase() as Method;
    const found = this.templates.find((t) => t.method === m && t.pattern.test(path));
    if (!found) throw new Error(`${method} ${path}: no operation in the OpenAPI document`);
    return { method: m, template: found.template, operation: this.document.paths[found.template][m] };
  }

  /** A validator for the schema at a pointer into the document (`components`, `schemas`, `X`). */
  validator(...segments: string[]): ValidateFunction {
    const ref = pointer(...segments);
    let validate = this.validators.get(ref);
    if (!validate) {
      validate = this.ajv.getSchema(ref);
      if (!validate) throw new Error(`no schema at ${ref}`);
      this.validators.set(ref, validate);
    }
    return validate;
  }

  /** Throws unless `value` validates against the schema at the pointer. */
  assertValid(value: unknown, what: string, ...segments: string[]): void {
    const validate = this.validator(...segments);
    this.counts.bodies++;
    if (!validate(value)) throw new Error(`${what}: the body does not match its schema:\n${describe(validate.errors)}\nbody: ${JSON.stringify(value).slice(0, 1500)}`);
  }

  /** Throws unless the response is one the document declares, with a body its schema allows. */
  check(res: Response): void {
    const req = (res as unknown as { req: { method: string; path: string } }).req;
    const path = new URL(req.path, 'http://api').pathname;
    const { method, template, operation } = this.operationOf(req.method, path);
    const what = `${req.method} ${path} (${template}) → ${res.status}`;
    this.counts.responses++;
    const status = String(res.status);
    const responses = (operation.responses ?? {}) as Record<string, { content?: Record<string, { schema?: Json }> }>;
    const declared = responses[status];
    if (!declared) throw new Error(`${what}: status not declared (declared: ${Object.keys(responses).join(', ')})`);
    if (/^2/.test(status)) {
      const key = `${method.toUpperCase()} ${template}`;
      this.covered.set(key, (this.covered.get(key) ?? new Set()).add(res.status));
    }
    const type = String(res.headers['content-type'] ?? '').split(';')[0].trim();
    if (!declared.content || Object.keys(declared.content).length === 0) {
      if (type || (res.text ?? '').length > 0) throw new Error(`${what}: sends ${type || 'a body'} where the document declares none`);
      return;
    }
    if (!declared.content[type]) throw new Error(`${what}: sends ${type || 'nothing'}, the document declares ${Object.keys(declared.content).join(', ')}`);
    if (type !== 'application/json') return;
    // A body read by a custom parser (text, bytes) is JSON text here.
    const body: unknown = typeof res.body === 'string' || Buffer.isBuffer(res.body) ? JSON.parse(res.body.toString()) : res.body;
    this.assertValid(body, what, 'paths', template, method, 'responses', status, 'content', type, 'schema');
  }

  /** `agent` (or supertest's `request(url)`) whose every answer is checked, with a bearer token if given. */
  client(agent: Agent, token?: string) {
    const call = (method: Method) => (url: string) => {
      const test: Test = agent[method](url);
      if (token) test.auth(token, { type: 'bearer' });
      return test.expect((res: Response) => this.check(res));
    };
    return { get: call('get'), post: call('post'), put: call('put'), patch: call('patch'), delete: call('delete') };
  }
}

function describe(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .slice(0, 10)
    .map((e) => `  ${e.instancePath || '(root)'} ${e.message}${e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''}`)
    .join('\n');
}
