import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { DomainError, ErrorCode, type ErrorDetail } from '@rollplan/domain';
import { FailureType } from '@rollplan/workflows';

const FAILURE_CODES: Record<string, ErrorCode> = {
  [FailureType.Conflict]: ErrorCode.Conflict,
  [FailureType.Forbidden]: ErrorCode.Forbidden,
  [FailureType.NotFound]: ErrorCode.NotFound,
  [FailureType.ValidationFailed]: ErrorCode.ValidationFailed,
};

/**
 * Translates what the Temporal client throws into domain errors; rethrows anything else.
 * `notTaken`: what to answer when the execution has no handler for the update (by default, that
 * it does not take it in its current phase; e.g. a month opened before the update existed).
 */
export function toDomainError(error: unknown, what: string, notTaken?: string): never {
  if (error instanceof WorkflowNotFoundError) throw new DomainError(ErrorCode.NotFound, `${what} not found`);
  if (error instanceof WorkflowExecutionAlreadyStartedError) throw new DomainError(ErrorCode.Conflict, `${what} already exists`);
  if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
    const code = FAILURE_CODES[error.cause.type ?? ''];
    // Validators put the problems, each { path, message }, in the failure's details.
    const details = (error.cause.details ?? []).filter((d): d is ErrorDetail => typeof (d as ErrorDetail)?.path === 'string');
    if (code) throw new DomainError(code, error.cause.message, details);
    // The workflow takes this update only in another phase (e.g. a plan change before the plan is
    // in execution, or in the moment between approval and the start of its months).
    if ((!error.cause.type || error.cause.type === 'Error') && error.cause.message.startsWith('No registered handler for update')) {
      throw new DomainError(ErrorCode.Conflict, notTaken ?? `the ${what} does not take this request in its current phase; check GET /cycles/:id and try again`);
    }
  }
  throw error;
}
