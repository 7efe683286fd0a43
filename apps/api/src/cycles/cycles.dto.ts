import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { cancelCycleSchema, listCyclesQuerySchema, startCycleSchema } from '@rollplan/domain';

export class StartCycleDto extends createZodDto(startCycleSchema) {}
export class CancelCycleDto extends createZodDto(cancelCycleSchema) {}
export class ListCyclesQueryDto extends createZodDto(listCyclesQuerySchema) {}
export class CycleIdParamDto extends createZodDto(z.strictObject({ id: z.uuid('must be a UUID') })) {}
