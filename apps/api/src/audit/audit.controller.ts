import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { createZodDto } from 'nestjs-zod';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { Role, pagingSchema } from '@rollplan/domain';
import { AuditLogEntity, verifyAuditLog } from '@rollplan/db';
import { Roles } from '../auth/auth.decorators';
import { AuditPageDto, AuditVerificationDto } from './audit.responses';

class AuditQueryDto extends createZodDto(
  pagingSchema.extend({
    actorId: z.uuid('must be a UUID').optional(),
    action: z.string().regex(/^[a-z_]+\.[a-z_]+$/, 'must look like subject.verb').optional(),
    subjectType: z.string().regex(/^[a-z_]+$/).optional(),
    subjectId: z.string().max(200).optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
  }),
) {}

/** The domain audit log, read-only: no endpoint changes or deletes a record, and the database refuses it too. */
@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  @Get()
  @Roles([Role.Auditor, Role.Admin])
  @ApiOperation({ summary: 'Audit records, oldest first (filters: actor, action, subject, time)' })
  @ApiOkResponse({ type: AuditPageDto })
  async list(@Query() query: AuditQueryDto) {
    const qb = this.db.getRepository(AuditLogEntity).createQueryBuilder('a').orderBy('a.id', 'ASC').take(query.limit).skip(query.offset);
    if (query.actorId) qb.andWhere('a.actorId = :actorId', { actorId: query.actorId });
    if (query.action) qb.andWhere('a.action = :action', { action: query.action });
    if (query.subjectType) qb.andWhere('a.subjectType = :subjectType', { subjectType: query.subjectType });
    if (query.subjectId) qb.andWhere('a.subjectId = :subjectId', { subjectId: query.subjectId });
    if (query.from) qb.andWhere('a.at >= :from', { from: query.from });
    if (query.to) qb.andWhere('a.at < :to', { to: query.to });
    const [rows, total] = await qb.getManyAndCount();
    return {
      items: rows.map(({ dedupeKey: _dedupe, ...row }) => ({ ...row, id: Number(row.id), at: row.at.toISOString() })),
      total,
      limit: query.limit,
      offset: query.offset,
    };
  }

  @Get('verify')
  @Roles([Role.Auditor, Role.Admin])
  @ApiOperation({ summary: 'Recomputes the hash chain of the whole log: ok, records checked, the head, the first broken link' })
  @ApiOkResponse({ type: AuditVerificationDto })
  async verify() {
    const result = await verifyAuditLog(this.db.manager);
    return {
      ok: result.ok,
      checked: result.checked,
      head: result.head && { id: Number(result.head.id), hash: result.head.hash },
      chains: result.chains.map((c) => ({ chain: c.chain, checked: c.checked, head: c.head && { id: Number(c.head.id), hash: c.head.hash } })),
      firstBroken: result.firstBroken && { ...result.firstBroken, id: Number(result.firstBroken.id) },
    };
  }
}
