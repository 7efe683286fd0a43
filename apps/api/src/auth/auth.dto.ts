import { createZodDto } from 'nestjs-zod';
import { loginSchema, logoutSchema, refreshSchema } from '@rollplan/domain';

export class LoginDto extends createZodDto(loginSchema) {}
export class RefreshDto extends createZodDto(refreshSchema) {}
export class LogoutDto extends createZodDto(logoutSchema) {}
