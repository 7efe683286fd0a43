import { createZodDto } from 'nestjs-zod';
import { loginSchema, refreshSchema } from '@rollplan/domain';

export class LoginDto extends createZodDto(loginSchema) {}
export class RefreshDto extends createZodDto(refreshSchema) {}
