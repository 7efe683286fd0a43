import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Put } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { createZodDto } from 'nestjs-zod';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { DomainError, ErrorCode, Role, type Actor } from '@rollplan/domain';
import { CalendarEntryEntity, PACKAGED_YEARS, appendAudit, calendarDays, calendarKnown } from '@rollplan/db';
import { Authenticated, CurrentActor, Roles } from '../auth/auth.decorators';
import { API_CONFIG, type ApiConfig } from '../config';
import { CalendarEntryDto, CalendarYearDto } from './calendar.responses';

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'not a calendar date');

class YearParamDto extends createZodDto(z.strictObject({ year: z.coerce.number().int().min(2000).max(2200) })) {}
class DateParamDto extends createZodDto(z.strictObject({ date: isoDate })) {}
class CalendarEntryBodyDto extends createZodDto(
  z.strictObject({
    /** holiday: a day off (even on a weekday); workday: a make-up working day (even on a weekend). */
    kind: z.enum(['holiday', 'workday']),
    name: z.string().trim().min(1, 'must not be empty').max(100),
  }),
) {}

/**
 * The business calendar (docs/calendar.md): mainland China's public holidays and make-up
 * working days from the data package, and the planning office's own entries for what the
 * package does not know yet. A month's due dates are fixed when it opens, from the calendar as
 * it is then: an edit moves only due dates not fixed yet.
 */
@ApiTags('calendar')
@Controller('calendar')
export class CalendarController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  @Get(':year')
  @Authenticated()
  @ApiOperation({ summary: "A year's holidays and make-up working days, and whether anyone has said what they are" })
  @ApiOkResponse({ type: CalendarYearDto })
  async year(@Param() { year }: YearParamDto) {
    return {
      year,
      timeZone: this.config.ORG_TIME_ZONE,
      known: await calendarKnown(this.db.manager, year),
      packagedYears: { from: PACKAGED_YEARS[0], to: PACKAGED_YEARS[PACKAGED_YEARS.length - 1] },
      days: await calendarDays(this.db.manager, year),
    };
  }

  @Put('entries/:date')
  @Roles([Role.Admin])
  @ApiOperation({ summary: 'Mark a date a holiday or a make-up working day (over what the data package says)' })
  @ApiOkResponse({ type: CalendarEntryDto })
  async put(@Param() { date }: DateParamDto, @Body() body: CalendarEntryBodyDto, @CurrentActor() actor: Actor) {
    return this.db.transaction(async (manager) => {
      await manager.upsert(CalendarEntryEntity, { date, kind: body.kind, name: body.name, createdBy: actor.userId, updatedAt: new Date() }, ['date']);
      await appendAudit(manager, { actor, action: 'calendar.entry_set', subjectType: 'calendar', subjectId: date, data: { kind: body.kind, name: body.name } });
      return { date, kind: body.kind, name: body.name, source: 'office' as const };
    });
  }

  @Delete('entries/:date')
  @Roles([Role.Admin])
  @HttpCode(204)
  @ApiOperation({ summary: "Remove the office's entry for a date (the data package's word stands again)" })
  @ApiNoContentResponse()
  async remove(@Param() { date }: DateParamDto, @CurrentActor() actor: Actor) {
    await this.db.transaction(async (manager) => {
      const removed = await manager.delete(CalendarEntryEntity, { date });
      if (!removed.affected) throw new DomainError(ErrorCode.NotFound, `no entry of the office for ${date}`);
      await appendAudit(manager, { actor, action: 'calendar.entry_removed', subjectType: 'calendar', subjectId: date });
    });
  }
}
