import type { OpenAPIObject } from '@nestjs/swagger';

type Operation = {
  parameters?: { name: string; in: string; schema?: Record<string, unknown> }[];
  requestBody?: unknown;
  security?: unknown[];
  responses?: Record<string, unknown>;
};

const PERIOD_PATTERN = '^\\d{4}-(0[1-9]|1[0-2])$';
const ERROR_REF = { $ref: '#/components/schemas/ErrorBody' };

/**
 * Declares, for every operation, the error responses it can give, each with the one error
 * body — so clients (and the schema fuzzer) know every status the API may answer:
 * 400 for input it validates, 401/403 where a token is needed, 404 for a resource in the path,
 * 409 for a change that can conflict, 413/415 for a body, 429 for login, 431 for oversized
 * headers and 503 everywhere (a service down). Also gives `YYYY-MM` period parameters their pattern.
 */
export function declareErrorResponses(document: OpenAPIObject): OpenAPIObject {
  document.components ??= {};
  document.components.schemas ??= {};
  document.components.schemas.ErrorBody = {
    type: 'object',
    required: ['error', 'message', 'details'],
    properties: {
      error: { type: 'string', description: 'machine-readable code, e.g. validation_failed, conflict, service_unavailable' },
      message: { type: 'string' },
      details: { type: 'array', items: { type: 'object', required: ['path', 'message'], properties: { path: { type: 'string' }, message: { type: 'string' } } } },
    },
  };
  const errors = (description: string) => ({ description, content: { 'application/json': { schema: ERROR_REF } } });
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, value] of Object.entries(item as Record<string, Operation>)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const operation = value;
      const responses = (operation.responses ??= {});
      const add = (status: string, description: string) => void (responses[status] ??= errors(description));
      for (const parameter of operation.parameters ?? []) {
        if (parameter.name === 'period') parameter.schema = { ...parameter.schema, type: 'string', pattern: PERIOD_PATTERN, description: 'a month, YYYY-MM' };
      }
      add('400', 'invalid input: every problem named by its path');
      if (operation.security?.length || path.startsWith('/auth/')) {
        add('401', 'no valid token');
        add('403', 'the token may not do this');
      }
      if (path.includes('{')) add('404', 'no such resource');
      if (method !== 'get') add('409', 'the request conflicts with the current state');
      if (operation.requestBody) {
        add('413', 'body too large');
        add('415', 'body not UTF-8 JSON');
      }
      if (path === '/auth/login' || path === '/auth/refresh') add('429', 'too many attempts');
      add('431', 'request headers too large');
      add('503', 'a service (PostgreSQL, Temporal, a worker) is unavailable; retry after Retry-After seconds');
    }
  }
  return document;
}
