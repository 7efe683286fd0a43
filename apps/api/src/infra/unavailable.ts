import { WorkflowUpdateRPCTimeoutOrCancelledError, isGrpcDeadlineError, isGrpcServiceError } from '@temporalio/client';

/** gRPC codes meaning "the server could not be reached or did not answer in time". */
const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;
/**
 * The call was cancelled: in the API only the request's deadline cancels a Temporal call, and
 * when it fires during a query the client reports CANCELLED about one time in four instead of
 * DEADLINE_EXCEEDED (measured: 3 of 12 queries to a workflow no worker polls).
 */
const GRPC_CANCELLED = 1;
/** SQLSTATE classes 08 (connection exception) and 57P (operator intervention: shutdown, starting up). */
const PG_UNAVAILABLE = /^(08|57P0[1-3])/;
/** Node socket errors of a service that is down or unreachable. */
const SOCKET_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/** The causes of an error, outermost first (Temporal wraps gRPC errors, TypeORM wraps pg's). */
function* chain(error: unknown): Generator<unknown> {
  for (let e: unknown = error, depth = 0; e && depth < 8; e = (e as { cause?: unknown; driverError?: unknown }).cause ?? (e as { driverError?: unknown }).driverError, depth++) yield e;
}

/**
 * Which service an error says is unavailable — Temporal, PostgreSQL or Redis — or undefined when
 * it is another kind of error. Such requests answer 503 with Retry-After instead of 500: the
 * request was fine, the system is not (yet) able to serve it.
 */
export function unavailableService(error: unknown): 'temporal' | 'postgres' | 'redis' | undefined {
  // An update not accepted within the deadline: no worker took it (it may still be applied later).
  if (isGrpcDeadlineError(error) || error instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return 'temporal';
  for (const e of chain(error)) {
    if (isGrpcServiceError(e) && (e.code === GRPC_UNAVAILABLE || e.code === GRPC_DEADLINE_EXCEEDED || e.code === GRPC_CANCELLED)) return 'temporal';
    const { code, message, name } = e as { code?: unknown; message?: unknown; name?: unknown };
    if (typeof code === 'string' && PG_UNAVAILABLE.test(code)) return 'postgres';
    if (typeof message === 'string' && /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/.test(message)) return 'postgres';
    if (name === 'MaxRetriesPerRequestError' || (typeof message === 'string' && /Connection is closed|Stream isn't writeable/.test(message))) return 'redis';
    if (typeof code === 'string' && SOCKET_ERRORS.has(code)) {
      const port = (e as { port?: number }).port;
      return port !== undefined && /redis/i.test(String((e as { address?: string }).address ?? '')) ? 'redis' : 'postgres';
    }
  }
  return undefined;
}
