/**
 * Error codes shared by every layer. The API maps each code to one HTTP status
 * (apps/api/src/common/error-status.ts, exhaustively); activities and workflows
 * raise them as `ApplicationFailure` types. Persisted in clients' error handling:
 * do not rename a code.
 */
export const ErrorCode = {
  ValidationFailed: 'validation_failed',
  MalformedJson: 'malformed_json',
  NotFound: 'not_found',
  Conflict: 'conflict',
  IdempotencyKeyReused: 'idempotency_key_reused',
  Unauthenticated: 'unauthenticated',
  Forbidden: 'forbidden',
  PayloadTooLarge: 'payload_too_large',
  RateLimited: 'rate_limited',
  ServiceUnavailable: 'service_unavailable',
  Internal: 'internal',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** One problem with one input field; `path` is dotted (`goals.0.title`). */
export interface ErrorDetail {
  path: string;
  message: string;
}

/** A rule of the domain was broken; carries a code the API maps to a status. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
