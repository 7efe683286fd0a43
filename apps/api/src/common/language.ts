import { applyDecorators, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiHeader, ApiQuery } from '@nestjs/swagger';
import type { Request } from 'express';
import { DomainError, ErrorCode, REPORT_LANGUAGES, negotiateReportLanguage, type ReportLanguage } from '@rollplan/domain';

/**
 * The language a rendered document (report, CSV) is answered in: `?lang=zh-CN|en`, else
 * Accept-Language, else zh-CN. An unsupported `lang` is a 400 naming it.
 */
export const Language = createParamDecorator((_: unknown, context: ExecutionContext): ReportLanguage => {
  const request = context.switchToHttp().getRequest<Request>();
  const lang = typeof request.query.lang === 'string' ? request.query.lang : undefined;
  const language = negotiateReportLanguage(lang, request.header('accept-language'));
  if (!language) throw new DomainError(ErrorCode.ValidationFailed, 'invalid request: lang', [{ path: 'lang', message: `must be one of: ${REPORT_LANGUAGES.join(', ')}` }]);
  return language;
});

/** Documents the `lang` parameter and Accept-Language on a route that renders for people. */
export const ApiLanguage = () =>
  applyDecorators(
    ApiQuery({ name: 'lang', required: false, enum: REPORT_LANGUAGES, description: 'zh-CN (default) or en; wins over Accept-Language' }),
    ApiHeader({ name: 'Accept-Language', required: false, description: 'used when lang is absent' }),
  );
