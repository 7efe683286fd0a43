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
  UnsupportedMediaType: 'unsupported_media_type',
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

/** A NUL or an unpaired UTF-16 surrogate: text PostgreSQL cannot store (and UTF-8 cannot encode). */
const UNSTORABLE_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The paths of every string in `value` (keys included) that cannot be stored as text, so the
 * edge refuses them with 400 instead of an activity failing on them for ever.
 */
export function unstorableTextPaths(value: unknown, path: string[] = []): string[] {
  if (typeof value === 'string') return UNSTORABLE_TEXT.test(value) ? [path.join('.') || '(root)'] : [];
  if (Array.isArray(value)) return value.flatMap((item, i) => unstorableTextPaths(item, [...path, String(i)]));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => [
      ...(UNSTORABLE_TEXT.test(key) ? [[...path, key].join('.')] : []),
      ...unstorableTextPaths(item, [...path, key]),
    ]);
  }
  return [];
}
