import { once } from 'node:events';
import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { stringify } from 'csv-stringify';
import type { Response } from 'express';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { Role, pagingSchema, reportLabels, type ReportLanguage } from '@rollplan/domain';
import { Roles } from '../auth/auth.decorators';
import { ApiLanguage, Language } from '../common/language';
import { executionFilterSchema } from './execution-query';
import { HistoryService } from './history.service';
import { CycleExportDto, ExecutionPageDto, TimelineDto } from './history.responses';
import { TimelineType } from './timeline';

/** Auditors read; admins may read too. Nobody alters anything here. */
const READERS = [Role.Auditor, Role.Admin];

const TYPES = Object.values(TimelineType) as [string, ...string[]];

class CycleParamDto extends createZodDto(z.strictObject({ id: z.uuid('must be a UUID') })) {}

class TimelineQueryDto extends createZodDto(
  pagingSchema.extend({
    limit: z.coerce.number().int().min(1).max(1000).default(200),
    /** Comma-separated timeline types, e.g. `decision,plan.verdict`. */
    type: z
      .string()
      .transform((value) => value.split(',').map((t) => t.trim()))
      .pipe(z.array(z.enum(TYPES, { message: `each type must be one of: ${TYPES.join(', ')}` })))
      .optional(),
    actorId: z.uuid('must be a UUID').optional(),
    unitId: z.uuid('must be a UUID').optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
  }),
) {}

class ExecutionsQueryDto extends createZodDto(
  executionFilterSchema.extend({
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    pageToken: z.string().regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'must be the nextPageToken of an earlier page').max(4096).optional(),
  }),
) {}

/** Entries a decisions CSV lists: who decided what, and the acts of the planning office. */
const DECISION_TYPES = new Set<string>([
  TimelineType.Decision,
  TimelineType.PlanVerdict,
  TimelineType.PlanVersion,
  TimelineType.Command,
  TimelineType.TaskDelegated,
  TimelineType.TaskRescheduled,
  TimelineType.Period,
]);

@ApiTags('audit')
@Controller()
export class HistoryController {
  constructor(private readonly history: HistoryService) {}

  @Get('cycles/:id/history')
  @Roles(READERS)
  @ApiOperation({
    summary:
      "A cycle's timeline: every execution's history (cycle runs, months, requests) in business terms, merged with the audit log; filters: type, actor, unit, time; paged",
  })
  @ApiOkResponse({ type: TimelineDto })
  timeline(@Param() { id }: CycleParamDto, @Query() query: TimelineQueryDto) {
    const iso = (value?: string) => (value ? new Date(value).toISOString() : undefined);
    return this.history.timeline(id, { types: query.type, actorId: query.actorId, unitId: query.unitId, from: iso(query.from), to: iso(query.to), limit: query.limit, offset: query.offset });
  }

  @Get('executions')
  @Roles(READERS)
  @ApiOperation({
    summary:
      'Workflow executions by cycle, procedure, plan year, month, status and unit (Temporal search attributes); the response names the list filter used, for `temporal workflow list --query`',
  })
  @ApiOkResponse({ type: ExecutionPageDto })
  executions(@Query() { limit, pageToken, ...filter }: ExecutionsQueryDto) {
    return this.history.listExecutions(filter, limit, pageToken);
  }

  @Get('cycles/:id/export')
  @Roles(READERS)
  @ApiOperation({
    summary:
      "A cycle's complete record as JSON, streamed: the cycle, its plan versions, its audit records and every execution's full history as `temporal workflow show --output json` prints it (replayable)",
  })
  @ApiOkResponse({ type: CycleExportDto, description: 'one JSON document, sent as the attachment cycle-<id>.json' })
  async export(@Param() { id }: CycleParamDto, @Res() res: Response): Promise<void> {
    const cycle = await this.history.assertCycleExists(id);
    const [record, versions, audit] = await Promise.all([this.history.cycleRecord(id), this.history.planVersions(id), this.history.cycleAuditRows(id)]);
    res.status(200).type('application/json').attachment(`cycle-${id}.json`);
    const write = async (chunk: string) => {
      if (!res.write(chunk)) await once(res, 'drain');
    };
    await write(`{"format":"rollplan.cycle-export.v1","exportedAt":${JSON.stringify(new Date().toISOString())},"cycle":${JSON.stringify(cycle)}`);
    await write(`,"planVersions":${JSON.stringify(versions)},"auditRecords":${JSON.stringify(audit.map(({ dedupeKey: _key, ...row }) => ({ ...row, id: Number(row.id) })))}`);
    await write(',"executions":[');
    // One execution per chunk, so the response never holds more than one history's text.
    for (const [i, { execution, history }] of record.entries()) await write(`${i > 0 ? ',' : ''}{"execution":${JSON.stringify(execution)},"history":${JSON.stringify(history)}}`);
    res.end(']}');
  }

  @Get('cycles/:id/decisions.csv')
  @Roles(READERS)
  @ApiOperation({ summary: "A cycle's decisions as CSV: task outcomes with actor and comment, verdicts, plan versions, the planning office's acts" })
  @ApiProduces('text/csv')
  @ApiOkResponse({
    description: 'UTF-8 CSV with a header row (labels in the report language; zh-CN with a byte-order mark), sent as the attachment cycle-<id>-decisions.csv',
    content: { 'text/csv': { schema: { type: 'string' } } },
  })
  @ApiLanguage()
  async decisions(@Param() { id }: CycleParamDto, @Language() language: ReportLanguage, @Res() res: Response): Promise<void> {
    const timeline = await this.history.timeline(id, { limit: Number.MAX_SAFE_INTEGER, offset: 0 });
    res.status(200).type('text/csv; charset=utf-8').set('Content-Language', language).attachment(`cycle-${id}-decisions.csv`);
    const labels = reportLabels(language);
    const columns = ['at', 'type', 'summary', 'actor_id', 'actor_name', 'actor_email', 'actor_roles', 'via', 'task_id', 'task_kind', 'outcome', 'comment', 'reason', 'version', 'workflow_id', 'run_id', 'event_id', 'audit_record_id'];
    // A byte-order mark, so spreadsheet programs read the Chinese headers as UTF-8.
    if (language === 'zh-CN') res.write('\uFEFF');
    const csv = stringify({ header: true, columns: columns.map((key) => ({ key, header: labels.csvHeader(key) })) });
    csv.pipe(res);
    for (const entry of timeline.items.filter((e) => DECISION_TYPES.has(e.type))) {
      const d = entry.details as Record<string, unknown>;
      const row = [
        entry.at,
        entry.type,
        entry.summary,
        entry.actorId ?? '',
        entry.actor?.name ?? '',
        entry.actor?.email ?? '',
        entry.actorRoles.join(' '),
        entry.via ?? '',
        d.taskId ?? '',
        d.kind ?? '',
        d.outcome ?? d.verdict ?? d.event ?? '',
        d.comment ?? '',
        d.reason ?? '',
        d.version ?? '',
        entry.workflowId ?? '',
        entry.runId ?? '',
        entry.eventId ?? '',
        entry.auditRecordId ?? '',
      ];
      if (!csv.write(row)) await once(csv, 'drain');
    }
    csv.end();
  }
}
