import { ArgumentsHost, Catch, HttpException, HttpStatus, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { DomainError, ErrorCode, type ErrorDetail } from '@rollplan/domain';
import { unavailableService } from '../infra/unavailable';
import { ERROR_STATUS } from './error-status';

/** What a 503 tells clients: try again in this many seconds. */
const RETRY_AFTER_SECONDS = 5;

/** The one error body every endpoint returns. */
export interface ErrorBody {
  error: ErrorCode;
  message: string;
  details: ErrorDetail[];
}

/** Codes for errors that Nest or Express raise before our code runs. */
const HTTP_STATUS_CODES: Partial<Record<number, ErrorCode>> = {
  400: ErrorCode.ValidationFailed,
  401: ErrorCode.Unauthenticated,
  403: ErrorCode.Forbidden,
  404: ErrorCode.NotFound,
  409: ErrorCode.Conflict,
  413: ErrorCode.PayloadTooLarge,
  429: ErrorCode.RateLimited,
  503: ErrorCode.ServiceUnavailable,
};

/** Maps every thrown error to `{ error, message, details[] }` and its status. */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(ErrorFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const [status, body] = this.toBody(exception);
    if (status === HttpStatus.SERVICE_UNAVAILABLE) {
      // An outage, not a bug: one line, no stack per request; the client is told when to retry.
      this.logger.warn(`${body.message} (${exception instanceof Error ? exception.message : String(exception)})`);
      response.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    } else if (status === HttpStatus.TOO_MANY_REQUESTS) {
      const seconds = body.details.find((d) => d.path === 'retryAfterSeconds')?.message;
      if (seconds) response.setHeader('Retry-After', seconds);
    } else if (status >= 500) {
      this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    }
    response.status(status).json(body);
  }

  private toBody(exception: unknown): [number, ErrorBody] {
    if (exception instanceof DomainError) {
      return [ERROR_STATUS[exception.code], { error: exception.code, message: exception.message, details: exception.details }];
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code = HTTP_STATUS_CODES[status] ?? (status >= 500 ? ErrorCode.Internal : ErrorCode.ValidationFailed);
      return [status, { error: code, message: exception.message, details: [] }];
    }
    const service = unavailableService(exception);
    if (service) return [HttpStatus.SERVICE_UNAVAILABLE, { error: ErrorCode.ServiceUnavailable, message: `${service} is unavailable; try again shortly`, details: [] }];
    return [HttpStatus.INTERNAL_SERVER_ERROR, { error: ErrorCode.Internal, message: 'internal error', details: [] }];
  }
}
