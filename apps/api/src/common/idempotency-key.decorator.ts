import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import type { Request } from 'express';
import { DomainError, ErrorCode } from '@rollplan/domain';

const KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;

/**
 * The `Idempotency-Key` request header (optional): a retried request with the same key
 * returns the first result and changes nothing. Validated here because Nest's pipes do
 * not see headers.
 */
export const IdempotencyKey = createParamDecorator((_: unknown, context: ExecutionContext): string | undefined => {
  const value = context.switchToHttp().getRequest<Request>().header('idempotency-key');
  if (value === undefined) return undefined;
  if (!KEY_PATTERN.test(value)) {
    throw new DomainError(ErrorCode.ValidationFailed, 'invalid Idempotency-Key header', [
      { path: 'headers.idempotency-key', message: 'must be 1 to 200 printable ASCII characters' },
    ]);
  }
  return value;
});

export const ApiIdempotencyKey = () =>
  ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Makes a retried request return the first result instead of acting twice.',
  });
