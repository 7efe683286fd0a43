import { z } from 'zod';
import { API_SCOPES } from '@rollplan/domain';
import { isoTime, responseDto } from '../common/openapi-types';

/** POST /auth/login and /auth/refresh. */
export class TokensDto extends responseDto(
  z.strictObject({
    accessToken: z.string().describe('a JWT: send it as `Authorization: Bearer …`'),
    tokenType: z.literal('Bearer'),
    expiresIn: z.number().int().min(1).describe('seconds the access token is valid'),
    refreshToken: z.string().optional().describe('absent for a browser (`X-Rollplan-Client: web`): it is in the httpOnly cookie instead'),
    refreshExpiresAt: isoTime(),
  }),
) {}

const apiTokenSchema = z.strictObject({
  id: z.uuid(),
  name: z.string(),
  userId: z.uuid().describe('the user the machine client acts for'),
  scopes: z.array(z.enum(API_SCOPES)),
  createdBy: z.uuid(),
  createdAt: isoTime(),
  expiresAt: isoTime(),
  revokedAt: isoTime().nullable(),
  lastUsedAt: isoTime().nullable(),
});
/** An API token as listed: never the token itself. */
export class ApiTokenDto extends responseDto(apiTokenSchema) {}
/** A new API token: the token is in this response only. */
export class CreatedApiTokenDto extends responseDto(apiTokenSchema.extend({ token: z.string().startsWith('rpat_').describe('the secret, shown once') })) {}
