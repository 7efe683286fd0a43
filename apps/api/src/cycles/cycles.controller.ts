import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiIdempotencyKey, IdempotencyKey } from '../common/idempotency-key.decorator';
import { CancelCycleDto, CycleIdParamDto, ListCyclesQueryDto, StartCycleDto } from './cycles.dto';
import { CyclesService, type CycleView } from './cycles.service';

@ApiTags('cycles')
@Controller('cycles')
export class CyclesController {
  constructor(private readonly cycles: CyclesService) {}

  @Post()
  @ApiIdempotencyKey()
  @ApiOperation({ summary: 'Start a three-year planning cycle (201; 200 when an Idempotency-Key repeats)' })
  async start(
    @Body() body: StartCycleDto,
    @IdempotencyKey() idempotencyKey: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<CycleView> {
    const { cycle, created } = await this.cycles.start(body, idempotencyKey);
    response.status(created ? 201 : 200).location(`/cycles/${cycle.id}`);
    return cycle;
  }

  @Get()
  @ApiOperation({ summary: 'List cycles, newest first' })
  list(@Query() query: ListCyclesQueryDto) {
    return this.cycles.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: "A cycle's phase, as its workflow reports it" })
  get(@Param() { id }: CycleIdParamDto): Promise<CycleView> {
    return this.cycles.get(id);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiIdempotencyKey()
  @ApiOperation({ summary: 'Cancel a cycle, with a reason' })
  cancel(
    @Param() { id }: CycleIdParamDto,
    @Body() body: CancelCycleDto,
    @IdempotencyKey() idempotencyKey: string | undefined,
  ): Promise<CycleView> {
    return this.cycles.cancel(id, body, idempotencyKey);
  }
}
