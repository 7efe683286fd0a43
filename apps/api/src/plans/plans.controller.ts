import { requireCycle } from '../common/require-cycle';
import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { createZodDto } from 'nestjs-zod';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { ApiScope, DomainError, ErrorCode, Role, diffPlans, diffQuerySchema, versionNumber } from '@rollplan/domain';
import { CycleEntity, PlanVersionEntity } from '@rollplan/db';
import { Roles } from '../auth/auth.decorators';
import { PlanDiffDto, PlanVersionDto, PlanVersionSummaryDto } from './plans.responses';

class CycleParamDto extends createZodDto(z.strictObject({ cycleId: z.uuid('must be a UUID') })) {}
class VersionParamDto extends createZodDto(z.strictObject({ cycleId: z.uuid('must be a UUID'), version: versionNumber })) {}
class DiffQueryDto extends createZodDto(diffQuerySchema) {}

const EVERY_ROLE = Object.values(Role);

/** Plan versions of a cycle: immutable once submitted; listed, read and compared. */
@ApiTags('plans')
@Controller('plans/:cycleId')
export class PlansController {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  @Get('versions')
  @Roles(EVERY_ROLE, { apiScope: ApiScope.CyclesRead })
  @ApiOperation({ summary: 'Every submitted version with its status (in review, changes requested, approved, superseded, rejected)' })
  @ApiOkResponse({ type: [PlanVersionSummaryDto] })
  async list(@Param() { cycleId }: CycleParamDto) {
    await requireCycle(this.db, cycleId);
    const rows = await this.db.getRepository(PlanVersionEntity).find({ where: { cycleId }, order: { version: 'ASC' } });
    return rows.map(({ content: _content, ...row }) => ({ ...row, submittedAt: row.submittedAt.toISOString(), decidedAt: row.decidedAt?.toISOString() ?? null }));
  }

  @Get('versions/:version')
  @Roles(EVERY_ROLE, { apiScope: ApiScope.CyclesRead })
  @ApiOkResponse({ type: PlanVersionDto })
  async get(@Param() { cycleId, version }: VersionParamDto) {
    const row = await this.version(cycleId, version);
    return { ...row, submittedAt: row.submittedAt.toISOString(), decidedAt: row.decidedAt?.toISOString() ?? null };
  }

  @Get('diff')
  @Roles(EVERY_ROLE, { apiScope: ApiScope.CyclesRead })
  @ApiOperation({ summary: 'What changed between two versions: goals, initiatives, milestones, KPIs and targets, allocations — field by field' })
  @ApiOkResponse({ type: PlanDiffDto })
  async diff(@Param() { cycleId }: CycleParamDto, @Query() { from, to }: DiffQueryDto) {
    const [a, b] = await Promise.all([this.version(cycleId, from), this.version(cycleId, to)]);
    return { from, to, changes: diffPlans(a.content, b.content) };
  }

  private async version(cycleId: string, version: number): Promise<PlanVersionEntity> {
    const row = await this.db.getRepository(PlanVersionEntity).findOneBy({ cycleId, version });
    if (!row) throw new DomainError(ErrorCode.NotFound, `version ${version} not found`);
    return row;
  }
}
