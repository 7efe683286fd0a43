import { requireCycle } from '../common/require-cycle';
import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from '@temporalio/client';
import { createZodDto } from 'nestjs-zod';
import { DataSource, Not } from 'typeorm';
import { z } from 'zod';
import { ApiScope, DomainError, ErrorCode, Role, raiseRiskSchema, type Actor } from '@rollplan/domain';
import { CycleEntity, PeriodReviewEntity, RiskAssessmentEntity, RiskEntity } from '@rollplan/db';
import { raiseRiskUpdate } from '@rollplan/workflows';
import { CurrentActor, Roles } from '../auth/auth.decorators';
import { ApiIdempotencyKey, IdempotencyKey } from '../common/idempotency-key.decorator';
import { toDomainError } from '../common/temporal-errors';
import { RiskDetailDto, RiskDto } from './risks.responses';

class CycleParamDto extends createZodDto(z.strictObject({ id: z.uuid('must be a UUID') })) {}
class RiskParamDto extends createZodDto(z.strictObject({ id: z.uuid('must be a UUID'), riskId: z.uuid('must be a UUID') })) {}
class RaiseRiskDto extends createZodDto(raiseRiskSchema) {}

const EVERY_ROLE = Object.values(Role);

const view = (r: RiskEntity) => ({ ...r, raisedAt: r.raisedAt.toISOString(), closedAt: r.closedAt?.toISOString() ?? null, cycle: undefined });

/**
 * A cycle's risk register (seed 003 §四.三): any unit raises a risk while the plan is in
 * execution; its owner reviews it each month (a task of the month's execution), and its
 * mitigation actions are tracked tasks.
 */
@ApiTags('risks')
@Controller('cycles/:id/risks')
export class RisksController {
  constructor(
    private readonly temporal: Client,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  @Get()
  @Roles(EVERY_ROLE, { apiScope: ApiScope.CyclesRead })
  @ApiOperation({ summary: "The cycle's risk register, highest level first" })
  @ApiOkResponse({ type: [RiskDto] })
  async list(@Param() { id }: CycleParamDto) {
    await requireCycle(this.db, id);
    const rows = await this.db.getRepository(RiskEntity).find({ where: { cycleId: id }, order: { raisedAt: 'ASC' } });
    const rank = { critical: 0, high: 1, medium: 2, low: 3 } as Record<string, number>;
    return rows.sort((a, b) => Number(a.status === 'closed') - Number(b.status === 'closed') || rank[a.level] - rank[b.level]).map((r) => this.strip(view(r)));
  }

  @Get(':riskId')
  @Roles(EVERY_ROLE, { apiScope: ApiScope.CyclesRead })
  @ApiOperation({ summary: 'One risk with the history of its assessments' })
  @ApiOkResponse({ type: RiskDetailDto })
  async get(@Param() { id, riskId }: RiskParamDto) {
    const risk = await this.db.getRepository(RiskEntity).findOneBy({ id: riskId, cycleId: id });
    if (!risk) throw new DomainError(ErrorCode.NotFound, 'risk not found');
    const assessments = await this.db.getRepository(RiskAssessmentEntity).find({ where: { riskId }, order: { id: 'ASC' } });
    return {
      ...this.strip(view(risk)),
      assessments: assessments.map((a) => ({ period: a.period, likelihood: a.likelihood, impact: a.impact, level: a.level, response: a.response, note: a.note, closed: a.closed, assessedBy: a.assessedBy, assessedAt: a.assessedAt.toISOString(), taskId: a.taskId })),
    };
  }

  @Post()
  @Roles([Role.Admin, Role.Contributor])
  @ApiIdempotencyKey()
  @ApiOperation({ summary: 'Raise a risk in the month now open: its level from likelihood × impact, its mitigation actions opened as tasks' })
  @ApiCreatedResponse({ type: RiskDto })
  async raise(@Param() { id }: CycleParamDto, @Body() body: RaiseRiskDto, @IdempotencyKey() key: string | undefined, @CurrentActor() actor: Actor) {
    await requireCycle(this.db, id);
    const month = await this.db.getRepository(PeriodReviewEntity).findOne({ where: { cycleId: id, status: Not('closed') }, order: { period: 'DESC' } });
    if (!month) throw new DomainError(ErrorCode.Conflict, 'no month of this cycle is open: risks are raised while the plan is in execution');
    let summary: { riskId: string };
    try {
      summary = await this.temporal.workflow.getHandle(month.workflowId).executeUpdate(raiseRiskUpdate, {
        args: [{ risk: body, actor }],
        ...(key ? { updateId: `risk.${actor.userId}.${key}` } : {}),
      });
    } catch (error) {
      return toDomainError(error, 'period', `the month ${month.period} was opened before the risk register; raise the risk next month`);
    }
    return this.strip(view(await this.db.getRepository(RiskEntity).findOneByOrFail({ id: summary.riskId })));
  }

  private strip<T extends { cycle?: unknown }>(row: T): Omit<T, 'cycle'> {
    const { cycle: _cycle, ...rest } = row;
    return rest;
  }

}
