import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import {
  cancelCycleSchema,
  closeCycleSchema,
  extendContributionSchema,
  listCyclesQuerySchema,
  planContentSchema,
  proposeChangeSchema,
  startCycleSchema,
  waiveContributionSchema,
} from '@rollplan/domain';

export class StartCycleDto extends createZodDto(startCycleSchema) {}
export class CancelCycleDto extends createZodDto(cancelCycleSchema) {}
export class ListCyclesQueryDto extends createZodDto(listCyclesQuerySchema) {}
export class CycleIdParamDto extends createZodDto(z.strictObject({ id: z.uuid('must be a UUID') })) {}
export class SubmitDraftDto extends createZodDto(planContentSchema) {}
export class WaiveContributionDto extends createZodDto(waiveContributionSchema) {}
export class ExtendContributionDto extends createZodDto(extendContributionSchema) {}
export class ContributionParamDto extends createZodDto(z.strictObject({ id: z.uuid('must be a UUID'), unitId: z.uuid('must be a UUID') })) {}
export class ProposeChangeDto extends createZodDto(proposeChangeSchema) {}
export class CloseCycleDto extends createZodDto(closeCycleSchema) {}
export class AdjustmentParamDto extends createZodDto(z.strictObject({ id: z.uuid('must be a UUID'), year: z.coerce.number().int().min(2000).max(2200) })) {}
export class PeriodParamDto extends createZodDto(z.strictObject({ id: z.uuid('must be a UUID'), period: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month, YYYY-MM') })) {}
