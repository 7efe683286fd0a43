import {
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowExecutionAlreadyStartedError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { DomainError, ErrorCode } from '@rollplan/domain';
import { FailureType } from '@rollplan/workflows';

const FAILURE_CODES: Record<string, ErrorCode> = {
  [FailureType.Conflict]: ErrorCode.Conflict,
  [FailureType.NotFound]: ErrorCode.NotFound,
  [FailureType.ValidationFailed]: ErrorCode.ValidationFailed,
};

/** Translates what the Temporal client throws into domain errors; rethrows anything else. */
export function toDomainError(error: unknown, what: string): never {
  if (error instanceof WorkflowNotFoundError) throw new DomainError(ErrorCode.NotFound, `${what} not found`);
  if (error instanceof WorkflowExecutionAlreadyStartedError) throw new DomainError(ErrorCode.Conflict, `${what} already exists`);
  if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
    const code = FAILURE_CODES[error.cause.type ?? ''];
    if (code) throw new DomainError(code, error.cause.message);
  }
  throw error;
}
