import { ServiceError } from '@temporalio/client';
import { unavailableService } from './unavailable';

/** What the Temporal client throws when a call fails at the gRPC level: its cause carries the code. */
function temporalCallFailed(code: number): ServiceError {
  const grpc = Object.assign(new Error(`${code} call failed`), { code, details: 'call failed', metadata: {} });
  return new ServiceError('Failed to query Workflow', { cause: grpc });
}

describe('unavailableService', () => {
  it('names Temporal for a call that timed out, was cancelled by the request deadline or could not connect', () => {
    expect([4, 1, 14].map((code) => unavailableService(temporalCallFailed(code)))).toEqual(['temporal', 'temporal', 'temporal']);
  });

  it('leaves other Temporal failures alone (they are the request\'s fault or a bug)', () => {
    expect([3, 5, 9].map((code) => unavailableService(temporalCallFailed(code)))).toEqual([undefined, undefined, undefined]);
  });
});
