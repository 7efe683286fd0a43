import { z } from 'zod';
import { responseDto } from '../common/openapi-types';

const calendarDaySchema = z.strictObject({
  date: z.string().describe('YYYY-MM-DD, local to the organization'),
  kind: z.enum(['holiday', 'workday']).describe('holiday: a day off; workday: a make-up working day (调休)'),
  name: z.string(),
  source: z.enum(['package', 'office']).describe("package: the maintained data package; office: the planning office's entry"),
});

export class CalendarEntryDto extends responseDto(calendarDaySchema) {}

export class CalendarYearDto extends responseDto(
  z.strictObject({
    year: z.number().int(),
    timeZone: z.string().describe("the organization's time zone (ORG_TIME_ZONE)"),
    known: z.boolean().describe('false: neither the package nor the office has said what the holidays are: only weekends count'),
    packagedYears: z.strictObject({ from: z.number().int(), to: z.number().int() }),
    days: z.array(calendarDaySchema),
  }),
) {}
