import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Res, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { ApiScope, DomainError, ErrorCode, Role, isPeriod, reportSpendSchema, submitActualsSchema, type Actor, type ReportLanguage } from '@rollplan/domain';
import { CurrentActor, Roles } from '../auth/auth.decorators';
import { ApiIdempotencyKey, IdempotencyKey } from '../common/idempotency-key.decorator';
import { ApiLanguage, Language } from '../common/language';
import { PeriodsService } from './periods.service';
import { ActualsImportDto, ControlsStatusDto, MonthlyReportDto, PeriodClosingDto, PeriodDetailDto, PeriodExtendedDto, PeriodStatusDto, PeriodSummaryDto } from './periods.responses';

const period = z.string().refine(isPeriod, 'must be a month, YYYY-MM');
class CycleParamDto extends createZodDto(z.strictObject({ id: z.uuid('must be a UUID') })) {}
class PeriodParamDto extends createZodDto(z.strictObject({ id: z.uuid('must be a UUID'), period })) {}
class ImportParamDto extends createZodDto(z.strictObject({ id: z.uuid('must be a UUID'), period, importId: z.string().regex(/^[0-9a-f]{64}$/, 'must be an import id') })) {}
class SubmitActualsDto extends createZodDto(submitActualsSchema) {}
class ReportSpendDto extends createZodDto(reportSpendSchema) {}
class ImportQueryDto extends createZodDto(z.strictObject({ fileName: z.string().trim().min(1).max(200).default('import.csv') })) {}
class ClosePeriodDto extends createZodDto(z.strictObject({ reason: z.string().trim().max(2000).optional() })) {}
class ExtendPeriodDto extends createZodDto(z.strictObject({ closesAt: z.iso.datetime({ offset: true }), reason: z.string().trim().min(1, 'must not be empty').max(2000) })) {}

const EVERY_ROLE = Object.values(Role);

/** The request body as the bytes of a CSV file (`Content-Type: text/csv`). */
const CsvBody = createParamDecorator((_: unknown, context: ExecutionContext): Buffer => {
  const body: unknown = context.switchToHttp().getRequest().body;
  if (!Buffer.isBuffer(body) || body.length === 0) {
    throw new DomainError(ErrorCode.ValidationFailed, 'send the file as the request body with Content-Type: text/csv', [{ path: 'body', message: 'must be a non-empty CSV file' }]);
  }
  return body;
});

/** The months of a cycle in execution (seed 000 monthly targets, seed 004). */
@ApiTags('periods')
@Controller('cycles/:id/periods')
export class PeriodsController {
  constructor(private readonly periods: PeriodsService) {}

  @Get()
  @Roles(EVERY_ROLE, { apiScope: ApiScope.CyclesRead })
  @ApiOperation({ summary: 'The months reviewed so far, each with its execution and dates' })
  @ApiOkResponse({ type: [PeriodSummaryDto] })
  list(@Param() { id }: CycleParamDto) {
    return this.periods.list(id);
  }

  @Get(':period')
  @Roles(EVERY_ROLE, { apiScope: ApiScope.CyclesRead })
  @ApiOperation({ summary: 'One month: targets, actuals, deviations with status and trend, causes, corrective actions, decisions, dates' })
  @ApiOkResponse({ type: PeriodDetailDto })
  get(@Param() { id, period }: PeriodParamDto) {
    return this.periods.get(id, period);
  }

  @Put(':period/actuals')
  @Roles([Role.Contributor, Role.Admin], { apiScope: ApiScope.ActualsWrite })
  @ApiIdempotencyKey()
  @ApiOperation({ summary: "One owner's KPI actuals for the month (an admin may send any KPI's); a later value corrects an earlier one until the month closes" })
  @ApiOkResponse({ type: PeriodStatusDto, description: "the month's execution after the values" })
  submitActuals(@Param() { id, period }: PeriodParamDto, @Body() body: SubmitActualsDto, @IdempotencyKey() key: string | undefined, @CurrentActor() actor: Actor) {
    return this.periods.submitActuals(id, period, body, actor, key);
  }

  @Put(':period/spend')
  @Roles([Role.Contributor, Role.Admin], { apiScope: ApiScope.ActualsWrite })
  @ApiIdempotencyKey()
  @ApiOperation({ summary: "A unit's spend for the month against its cost budget, by initiative (an admin names the unit); a later amount corrects an earlier one until the month closes" })
  @ApiOkResponse({ type: ControlsStatusDto, description: "the month's operating controls after the spend" })
  reportSpend(@Param() { id, period }: PeriodParamDto, @Body() body: ReportSpendDto, @IdempotencyKey() key: string | undefined, @CurrentActor() actor: Actor) {
    return this.periods.reportSpend(id, period, body, actor, key);
  }

  @Post(':period/imports')
  @Roles([Role.Contributor, Role.Admin], { apiScope: ApiScope.ActualsWrite })
  @ApiOperation({ summary: 'Import actuals from a CSV file (body, Content-Type text/csv; columns kpi_id,value,unit): 202, checked and applied by a job, all or nothing; the same file again changes nothing' })
  @ApiAcceptedResponse({ type: ActualsImportDto, description: 'queued' })
  @ApiOkResponse({ type: ActualsImportDto, description: 'the same file again: the first import, as it stands' })
  async importCsv(@Param() { id, period }: PeriodParamDto, @Query() { fileName }: ImportQueryDto, @CsvBody() body: Buffer, @CurrentActor() actor: Actor, @Res({ passthrough: true }) res: Response) {
    const { created, import: view } = await this.periods.importCsv(id, period, body, fileName, actor);
    res.status(created ? 202 : 200);
    return view;
  }

  @Post(':period/spend/imports')
  @Roles([Role.Contributor, Role.Admin], { apiScope: ApiScope.ActualsWrite })
  @ApiOperation({ summary: 'Import spend from a CSV file (body, Content-Type text/csv; columns unit_id,initiative_id,amount; an empty initiative is the unit\'s running costs): 202, checked and applied by a job, all or nothing; the same file again changes nothing' })
  @ApiAcceptedResponse({ type: ActualsImportDto, description: 'queued' })
  @ApiOkResponse({ type: ActualsImportDto, description: 'the same file again: the first import, as it stands' })
  async importSpendCsv(@Param() { id, period }: PeriodParamDto, @Query() { fileName }: ImportQueryDto, @CsvBody() body: Buffer, @CurrentActor() actor: Actor, @Res({ passthrough: true }) res: Response) {
    const { created, import: view } = await this.periods.importCsv(id, period, body, fileName, actor, 'spend');
    res.status(created ? 202 : 200);
    return view;
  }

  @Get(':period/imports/:importId')
  @Roles(EVERY_ROLE, { apiScope: ApiScope.CyclesRead })
  @ApiOperation({ summary: "An import's status, and every bad row with its line and column" })
  @ApiOkResponse({ type: ActualsImportDto })
  importStatus(@Param() { id, period, importId }: ImportParamDto) {
    return this.periods.importStatus(id, period, importId);
  }

  @Get(':period/report')
  @Roles(EVERY_ROLE, { apiScope: ApiScope.CyclesRead })
  @ApiOperation({ summary: 'The monthly report for the operations meeting, as JSON' })
  @ApiOkResponse({ type: MonthlyReportDto })
  report(@Param() { id, period }: PeriodParamDto) {
    return this.periods.report(id, period);
  }

  @Get(':period/report.html')
  @Roles(EVERY_ROLE, { apiScope: ApiScope.CyclesRead })
  @ApiOperation({ summary: 'The rendered report (HTML), once the month has closed, in zh-CN or en' })
  @ApiProduces('text/html')
  @ApiOkResponse({ description: 'the report as a web page (Content-Language names its language)', content: { 'text/html': { schema: { type: 'string' } } } })
  @ApiLanguage()
  async reportHtml(@Param() { id, period }: PeriodParamDto, @Language() language: ReportLanguage, @Res() res: Response) {
    const doc = await this.periods.document(id, period, 'html', language);
    res.type('text/html; charset=utf-8').set('Content-Language', doc.language).send(doc.content);
  }

  @Get(':period/report.xlsx')
  @Roles(EVERY_ROLE, { apiScope: ApiScope.CyclesRead })
  @ApiOperation({ summary: 'The rendered report (XLSX), once the month has closed, in zh-CN or en' })
  @ApiProduces('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  @ApiOkResponse({
    description: 'the report as a workbook, as an attachment (Content-Language names its language)',
    content: { 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: { type: 'string', format: 'binary' } } },
  })
  @ApiLanguage()
  async reportXlsx(@Param() { id, period }: PeriodParamDto, @Language() language: ReportLanguage, @Res() res: Response) {
    const doc = await this.periods.document(id, period, 'xlsx', language);
    res
      .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .set('Content-Language', doc.language)
      .attachment(`report-${period}.xlsx`)
      .send(doc.content);
  }

  @Post(':period/close')
  @Roles([Role.Admin])
  @HttpCode(202)
  @ApiOperation({ summary: 'Close the month early: actuals frozen, the report rendered (recorded with the actor)' })
  @ApiAcceptedResponse({ type: PeriodClosingDto })
  close(@Param() { id, period }: PeriodParamDto, @Body() body: ClosePeriodDto, @CurrentActor() actor: Actor) {
    return this.periods.close(id, period, body.reason, actor);
  }

  @Post(':period/extend')
  @Roles([Role.Admin])
  @HttpCode(202)
  @ApiOperation({ summary: "Move the month's close (reopens a month closed early), with the reason" })
  @ApiAcceptedResponse({ type: PeriodExtendedDto })
  extend(@Param() { id, period }: PeriodParamDto, @Body() body: ExtendPeriodDto, @CurrentActor() actor: Actor) {
    return this.periods.extend(id, period, body.closesAt, body.reason, actor);
  }
}
