import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { createZodValidationPipe } from 'nestjs-zod';
import { ZodError } from 'zod';
import { DomainError, ErrorCode, unstorableTextPaths } from '@rollplan/domain';

/** Turns a zod error into a 400 naming every bad field by its path. */
export function fromZodError(error: unknown): DomainError {
  if (!(error instanceof ZodError)) return new DomainError(ErrorCode.ValidationFailed, 'invalid request');
  const details = error.issues.flatMap((issue) => {
    const base = issue.path.map(String).join('.');
    // Unknown fields are reported one by one, each under its own path.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: base ? `${base}.${key}` : key, message: 'unknown field' }));
    }
    return [{ path: base || '(root)', message: issue.message }];
  });
  return new DomainError(ErrorCode.ValidationFailed, `invalid request: ${details.map((d) => d.path).join(', ')}`, details);
}

const StrictZodPipe = createZodValidationPipe({
  createValidationException: (error) => fromZodError(error),
  strictSchemaDeclaration: true,
});

/**
 * The one global pipe: every body, query and path parameter is parsed by its zod DTO, and
 * one without a DTO is a programming error (500 on first call, caught by the route tests).
 * Custom parameter decorators (the idempotency key, later the actor) validate themselves.
 */
@Injectable()
export class GlobalValidationPipe implements PipeTransform {
  private readonly zod = new StrictZodPipe();

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom') return value;
    // Text PostgreSQL cannot store is refused here, for every body, query and path parameter.
    const unstorable = unstorableTextPaths(value);
    if (unstorable.length > 0) {
      throw new DomainError(
        ErrorCode.ValidationFailed,
        `invalid request: ${unstorable.join(', ')}`,
        unstorable.map((path) => ({ path, message: 'must not contain a NUL character or an unpaired surrogate' })),
      );
    }
    return this.zod.transform(value, metadata);
  }
}
