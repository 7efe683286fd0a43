import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { ROLES, createOrgUnitSchema, createUserSchema, pagingSchema, updateOrgUnitSchema, updateUserSchema } from '@rollplan/domain';

export class CreateUserDto extends createZodDto(createUserSchema) {}
export class UpdateUserDto extends createZodDto(updateUserSchema) {}
export class CreateOrgUnitDto extends createZodDto(createOrgUnitSchema) {}
export class UpdateOrgUnitDto extends createZodDto(updateOrgUnitSchema) {}
export class IdParamDto extends createZodDto(z.strictObject({ id: z.uuid('must be a UUID') })) {}
export class UserIdParamDto extends createZodDto(z.strictObject({ userId: z.uuid('must be a UUID') })) {}
export class ListUsersQueryDto extends createZodDto(
  pagingSchema.extend({
    role: z.enum(ROLES).optional(),
    unitId: z.uuid('must be a UUID').optional(),
    active: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  }),
) {}
