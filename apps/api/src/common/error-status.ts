import { ErrorCode } from '@rollplan/domain';

/** HTTP status of every error code; `satisfies` makes a new code without a status a compile error. */
export const ERROR_STATUS = {
  [ErrorCode.ValidationFailed]: 400,
  [ErrorCode.MalformedJson]: 400,
  [ErrorCode.Unauthenticated]: 401,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.Conflict]: 409,
  [ErrorCode.IdempotencyKeyReused]: 409,
  [ErrorCode.PayloadTooLarge]: 413,
  [ErrorCode.UnsupportedMediaType]: 415,
  [ErrorCode.RateLimited]: 429,
  [ErrorCode.Internal]: 500,
  [ErrorCode.ServiceUnavailable]: 503,
} as const satisfies Record<ErrorCode, number>;
