import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { json, raw, type ErrorRequestHandler, type RequestHandler } from 'express';
import { DomainError, ErrorCode } from '@rollplan/domain';

/**
 * JSON body parsing with its failures as domain errors, so the error filter answers them
 * in the one error shape (Nest would turn a syntax error into a bare 400).
 */
export function jsonBodyParser(limit: string): [RequestHandler, RequestHandler, ErrorRequestHandler, RequestHandler] {
  const onError: ErrorRequestHandler = (error: { type?: string; status?: number; message?: string }, _req, _res, next) => {
    if (error?.type === 'entity.parse.failed') {
      next(new DomainError(ErrorCode.MalformedJson, 'request body is not valid JSON'));
    } else if (error?.type === 'entity.too.large') {
      next(new DomainError(ErrorCode.PayloadTooLarge, `request body is larger than ${limit}`));
    } else if (error?.type === 'charset.unsupported' || error?.type === 'encoding.unsupported') {
      next(new DomainError(ErrorCode.UnsupportedMediaType, `${error.message ?? 'unsupported body encoding'}; send UTF-8 JSON`));
    } else if (error?.status && error.status >= 400 && error.status < 500) {
      // Anything else body-parser refuses (a body that does not inflate, a bad length) is the client's.
      next(new DomainError(ErrorCode.MalformedJson, `request body could not be read: ${error.message ?? error.type ?? 'unreadable'}`));
    } else {
      next(error);
    }
  };
  // Deeply nested JSON would exhaust the stack of every recursive reader after the parser.
  const depthLimit: RequestHandler = (req, _res, next) => {
    next(nestingDepth(req.body) > MAX_JSON_DEPTH ? new DomainError(ErrorCode.ValidationFailed, `request body is nested deeper than ${MAX_JSON_DEPTH} levels`) : undefined);
  };
  // CSV files (KPI actuals) arrive as raw bytes: the import job parses them.
  return [json({ limit }), raw({ type: 'text/csv', limit: '10mb' }), onError, depthLimit];
}

/** Deeper than any plan, payload or filter rollplan takes. */
const MAX_JSON_DEPTH = 32;

/** How deep a parsed JSON value nests, measured without recursion (stops once past the limit). */
function nestingDepth(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (!item || typeof item !== 'object' || Buffer.isBuffer(item)) continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > MAX_JSON_DEPTH) return deepest;
    for (const child of Object.values(item)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/**
 * Requests Node's HTTP parser refuses before express sees them (a bad header, a bad length)
 * still get the one error shape, instead of a bare status line.
 */
export function answerParserErrors(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable || (error as { code?: string }).code === 'ECONNRESET') return void socket.destroy();
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const body = JSON.stringify({
      error: tooLarge ? ErrorCode.PayloadTooLarge : ErrorCode.ValidationFailed,
      message: tooLarge ? 'request headers are too large' : `malformed HTTP request (${error.code ?? 'unparseable'})`,
      details: [],
    });
    const status = tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
}
