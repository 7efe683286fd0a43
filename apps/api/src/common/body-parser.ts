import { json, raw, type ErrorRequestHandler, type RequestHandler } from 'express';
import { DomainError, ErrorCode } from '@rollplan/domain';

/**
 * JSON body parsing with its failures as domain errors, so the error filter answers them
 * in the one error shape (Nest would turn a syntax error into a bare 400).
 */
export function jsonBodyParser(limit: string): [RequestHandler, RequestHandler, ErrorRequestHandler] {
  const onError: ErrorRequestHandler = (error: { type?: string }, _req, _res, next) => {
    if (error?.type === 'entity.parse.failed') {
      next(new DomainError(ErrorCode.MalformedJson, 'request body is not valid JSON'));
    } else if (error?.type === 'entity.too.large') {
      next(new DomainError(ErrorCode.PayloadTooLarge, `request body is larger than ${limit}`));
    } else {
      next(error);
    }
  };
  // CSV files (KPI actuals) arrive as raw bytes: the import job parses them.
  return [json({ limit }), raw({ type: 'text/csv', limit: '10mb' }), onError];
}
