import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Connection } from '@temporalio/client';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { API_CONFIG, type ApiConfig } from '../config';
import { TEMPORAL_CONNECTION } from './temporal-connection';

/**
 * Bounds every Temporal call a request makes: the request runs inside the connection's deadline
 * context, so a start, update or query that Temporal (or a missing worker) does not answer in
 * `TEMPORAL_CALL_TIMEOUT_MS` fails with DEADLINE_EXCEEDED, which the error filter answers with
 * 503 and Retry-After. An update that timed out may still be applied later: retrying it with the
 * same Idempotency-Key returns its one outcome.
 */
@Injectable()
export class TemporalDeadlineInterceptor implements NestInterceptor {
  constructor(
    @Inject(TEMPORAL_CONNECTION) private readonly connection: Connection,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const deadline = Date.now() + this.config.TEMPORAL_CALL_TIMEOUT_MS;
    return from(this.connection.withDeadline(deadline, () => lastValueFrom(next.handle(), { defaultValue: undefined })));
  }
}
