import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiScope, Role, type Actor } from '@rollplan/domain';
import { CurrentActor, Roles } from '../auth/auth.decorators';
import { ApiIdempotencyKey, IdempotencyKey } from '../common/idempotency-key.decorator';
import {
  AdjustmentParamDto,
  CancelCycleDto,
  PeriodParamDto,
  CloseCycleDto,
  ContributionParamDto,
  CycleIdParamDto,
  ExtendContributionDto,
  ListCyclesQueryDto,
  ProposeChangeDto,
  StartCycleDto,
  SubmitDraftDto,
  WaiveContributionDto,
} from './cycles.dto';
import { ContributionStateDto, CyclePageDto, CycleViewDto, VersionSubmittedDto } from './cycles.responses';
import { CyclesService, type CycleView } from './cycles.service';

const EVERY_ROLE = Object.values(Role);

@ApiTags('cycles')
@Controller('cycles')
export class CyclesController {
  constructor(private readonly cycles: CyclesService) {}

  @Post()
  @Roles([Role.Admin])
  @ApiIdempotencyKey()
  @ApiOperation({ summary: 'Start a three-year planning cycle (201; 200 when an Idempotency-Key repeats)' })
  @ApiCreatedResponse({ type: CycleViewDto, description: 'started' })
  @ApiOkResponse({ type: CycleViewDto, description: 'the cycle a retried Idempotency-Key started' })
  async start(
    @Body() body: StartCycleDto,
    @IdempotencyKey() idempotencyKey: string | undefined,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) response: Response,
  ): Promise<CycleView> {
    const { cycle, created } = await this.cycles.start(body, actor, idempotencyKey);
    response.status(created ? 201 : 200).location(`/cycles/${cycle.id}`);
    return cycle;
  }

  @Get()
  @Roles(EVERY_ROLE, { apiScope: ApiScope.CyclesRead })
  @ApiOperation({ summary: 'List cycles, newest first' })
  @ApiOkResponse({ type: CyclePageDto })
  list(@Query() query: ListCyclesQueryDto) {
    return this.cycles.list(query);
  }

  @Get(':id')
  @Roles(EVERY_ROLE, { apiScope: ApiScope.CyclesRead })
  @ApiOperation({ summary: "A cycle's phase, as its workflow reports it" })
  @ApiOkResponse({ type: CycleViewDto })
  get(@Param() { id }: CycleIdParamDto): Promise<CycleView> {
    return this.cycles.get(id);
  }

  @Post(':id/cancel')
  @Roles([Role.Admin])
  @HttpCode(200)
  @ApiIdempotencyKey()
  @ApiOperation({ summary: 'Cancel a cycle, with a reason' })
  @ApiOkResponse({ type: CycleViewDto })
  cancel(
    @Param() { id }: CycleIdParamDto,
    @Body() body: CancelCycleDto,
    @IdempotencyKey() idempotencyKey: string | undefined,
    @CurrentActor() actor: Actor,
  ): Promise<CycleView> {
    return this.cycles.cancel(id, body, actor, idempotencyKey);
  }

  @Post(':id/drafts')
  @Roles([Role.Admin])
  @ApiIdempotencyKey()
  @ApiOperation({ summary: 'Submit a draft plan: checked in full (400 lists every problem), then an immutable new version goes to review' })
  @ApiCreatedResponse({ type: VersionSubmittedDto })
  submitDraft(
    @Param() { id }: CycleIdParamDto,
    @Body() body: SubmitDraftDto,
    @IdempotencyKey() idempotencyKey: string | undefined,
    @CurrentActor() actor: Actor,
  ) {
    return this.cycles.submitDraft(id, body, actor, idempotencyKey);
  }

  @Post(':id/close')
  @Roles([Role.Admin])
  @HttpCode(200)
  @ApiIdempotencyKey()
  @ApiOperation({ summary: 'Close a cycle in execution: 409 listing open corrective actions unless forced with a reason (they are cancelled with the running month)' })
  @ApiOkResponse({ type: CycleViewDto })
  close(@Param() { id }: CycleIdParamDto, @Body() body: CloseCycleDto, @IdempotencyKey() idempotencyKey: string | undefined, @CurrentActor() actor: Actor): Promise<CycleView> {
    return this.cycles.close(id, body, actor, idempotencyKey);
  }

  @Post(':id/changes')
  @Roles([Role.Admin])
  @ApiIdempotencyKey()
  @ApiOperation({ summary: 'Propose a change to the plan in force (or revise one the committee sent back): a new version, reviewed like a draft, effective from the next month' })
  @ApiCreatedResponse({ type: VersionSubmittedDto })
  proposeChange(
    @Param() { id }: CycleIdParamDto,
    @Body() body: ProposeChangeDto,
    @IdempotencyKey() idempotencyKey: string | undefined,
    @CurrentActor() actor: Actor,
  ) {
    return this.cycles.proposeChange(id, body, actor, idempotencyKey);
  }

  @Post(':id/adjustments')
  @Roles([Role.Admin])
  @HttpCode(200)
  @ApiOperation({ summary: 'Open the yearly rolling adjustment now (it also opens itself two months before each plan year); 409 when one is open' })
  @ApiOkResponse({ type: CycleViewDto })
  startAdjustment(@Param() { id }: CycleIdParamDto, @CurrentActor() actor: Actor): Promise<CycleView> {
    return this.cycles.startAdjustment(id, actor);
  }

  @Post(':id/adjustments/:year/plans')
  @Roles([Role.Admin])
  @ApiIdempotencyKey()
  @ApiOperation({ summary: 'Submit the rolled plan of the open rolling adjustment for :year (a plan for year … year + 2), or its revision: a new version the committee reviews like a draft' })
  @ApiCreatedResponse({ type: VersionSubmittedDto })
  submitRolledPlan(
    @Param() { id, year }: AdjustmentParamDto,
    @Body() body: SubmitDraftDto,
    @IdempotencyKey() idempotencyKey: string | undefined,
    @CurrentActor() actor: Actor,
  ) {
    return this.cycles.submitRolledPlan(id, year, body, actor, idempotencyKey);
  }

  @Post(':id/periods/:period/backfill')
  @Roles([Role.Admin])
  @HttpCode(200)
  @ApiOperation({ summary: 'Open a skipped past month now, with fresh due dates, so its actuals are entered late (409 unless the month was skipped)' })
  @ApiOkResponse({ type: CycleViewDto })
  backfill(@Param() { id, period }: PeriodParamDto, @CurrentActor() actor: Actor): Promise<CycleView> {
    return this.cycles.backfillPeriod(id, period, actor);
  }

  @Post(':id/contributions/:unitId/waive')
  @Roles([Role.Admin])
  @HttpCode(200)
  @ApiOperation({ summary: "Waive a unit's contribution, with the reason" })
  @ApiOkResponse({ type: ContributionStateDto })
  waive(@Param() { id, unitId }: ContributionParamDto, @Body() body: WaiveContributionDto, @CurrentActor() actor: Actor) {
    return this.cycles.changeContribution(id, unitId, { reason: body.reason }, actor);
  }

  @Post(':id/contributions/:unitId/extend')
  @Roles([Role.Admin])
  @HttpCode(200)
  @ApiOperation({ summary: "Move a unit's contribution due date, with the reason" })
  @ApiOkResponse({ type: ContributionStateDto })
  extend(@Param() { id, unitId }: ContributionParamDto, @Body() body: ExtendContributionDto, @CurrentActor() actor: Actor) {
    return this.cycles.changeContribution(id, unitId, { reason: body.reason, dueAt: new Date(body.dueAt).toISOString() }, actor);
  }
}
