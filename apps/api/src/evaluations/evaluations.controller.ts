import { requireCycle } from '../common/require-cycle';
import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { createZodDto } from 'nestjs-zod';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { ApiScope, DomainError, ErrorCode, Role } from '@rollplan/domain';
import { CycleEntity, UnitEvaluationEntity } from '@rollplan/db';
import { Roles } from '../auth/auth.decorators';
import { UnitEvaluationDto } from './evaluations.responses';

class CycleParamDto extends createZodDto(z.strictObject({ id: z.uuid('must be a UUID') })) {}
class EvaluationsQueryDto extends createZodDto(z.strictObject({ span: z.string().regex(/^\d{4}(-Q[1-4])?$/, 'must be a year (2027) or a quarter (2027-Q1)').optional() })) {}

/**
 * Each unit's quarterly and annual evaluation (seed 003 §四.四): computed when the span's last
 * month closes from its KPIs' attainment, milestones and budget adherence with the plan's
 * weights, signed off by the planning office (a task), then frozen.
 */
@ApiTags('evaluations')
@Controller('cycles/:id/evaluations')
export class EvaluationsController {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  @Get()
  @Roles(Object.values(Role), { apiScope: ApiScope.CyclesRead })
  @ApiOperation({ summary: "The units' evaluations, newest span first (filter: span)" })
  @ApiOkResponse({ type: [UnitEvaluationDto] })
  async list(@Param() { id }: CycleParamDto, @Query() { span }: EvaluationsQueryDto) {
    await requireCycle(this.db, id);
    const rows = await this.db.getRepository(UnitEvaluationEntity).find({ where: { cycleId: id, ...(span ? { span } : {}) }, order: { computedAt: 'DESC', span: 'DESC', unitId: 'ASC' } });
    return rows.map(({ cycle: _cycle, ...r }) => ({ ...r, computedAt: r.computedAt.toISOString(), signedOffAt: r.signedOffAt?.toISOString() ?? null }));
  }
}
