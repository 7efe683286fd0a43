import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { DomainError, ErrorCode } from '@rollplan/domain';
import { FailureType } from '@rollplan/workflows';
import { toDomainError } from './temporal-errors';

const refusal = (cause: ApplicationFailure) => new WorkflowUpdateFailedError('Workflow Update failed', cause);
const caught = (error: unknown) => {
  try {
    toDomainError(error, 'cycle');
  } catch (e) {
    return e;
  }
};

describe('toDomainError', () => {
  it('maps a validator refusal to its code, with the problems as details', () => {
    const error = caught(refusal(ApplicationFailure.create({ type: FailureType.ValidationFailed, message: 'invalid', details: [{ path: 'content.goals', message: 'required' }, 'noise'] })));
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: ErrorCode.ValidationFailed, details: [{ path: 'content.goals', message: 'required' }] });
  });

  it('maps an update the workflow has no handler for (yet) to a conflict, not a server error', () => {
    const error = caught(refusal(ApplicationFailure.nonRetryable('No registered handler for update: proposeChange')));
    expect(error).toMatchObject({ code: ErrorCode.Conflict, message: expect.stringContaining('current phase') });
  });

  it('rethrows what it does not know', () => {
    const unknown = refusal(ApplicationFailure.nonRetryable('boom', 'SomethingElse'));
    expect(caught(unknown)).toBe(unknown);
  });
});
