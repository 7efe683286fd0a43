import { z } from 'zod';
import { API_SCOPES, CENTER_AREAS, ROLES, Role, UNIT_KINDS, UnitKind } from './identity';

// Request bodies of the identity routes (users, org units, tokens, login).

const email = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email('must be an e-mail address').max(254));
const name = z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters');
/** Long passphrases welcome; the floor keeps out the guessable. */
const password = z.string().min(12, 'must be at least 12 characters').max(256, 'must be at most 256 characters');
const roles = z
  .array(z.enum(ROLES))
  .min(1, 'must hold at least one role')
  .max(ROLES.length)
  // Separation of duties: whoever audits the work does none of it.
  .refine((held) => !held.includes(Role.Auditor) || held.length === 1, 'an auditor holds no other role');

export const loginSchema = z.strictObject({
  email,
  password: z.string().min(1, 'must not be empty').max(256),
});
export type LoginRequest = z.infer<typeof loginSchema>;

/** `POST /auth/refresh`: the token in the body (API clients), or none when the browser's cookie carries it. */
export const refreshSchema = z.strictObject({
  refreshToken: z.string().min(20).max(200).optional(),
});
export type RefreshRequest = z.infer<typeof refreshSchema>;

/** `POST /auth/logout`: this login (body token or cookie), or `everywhere`: every login of the user. */
export const logoutSchema = refreshSchema.extend({ everywhere: z.boolean().default(false) });

export const createUserSchema = z.strictObject({
  email,
  displayName: name,
  password,
  roles,
  unitId: z.uuid('must be a UUID').nullable().default(null),
});
export type CreateUserRequest = z.infer<typeof createUserSchema>;

export const updateUserSchema = z
  .strictObject({
    displayName: name.optional(),
    roles: roles.optional(),
    unitId: z.uuid('must be a UUID').nullable().optional(),
    password: password.optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'must change at least one field' });
export type UpdateUserRequest = z.infer<typeof updateUserSchema>;

const unitCode = z
  .string()
  .trim()
  .regex(/^[a-z][a-z0-9-]{1,62}$/, 'must be lowercase letters, digits and dashes, 2 to 63 characters');

export const createOrgUnitSchema = z
  .strictObject({
    code: unitCode,
    name,
    kind: z.enum(UNIT_KINDS),
    area: z.enum(CENTER_AREAS).nullable().default(null),
    headUserId: z.uuid('must be a UUID').nullable().default(null),
  })
  .superRefine((unit, ctx) => {
    if (unit.kind === UnitKind.FunctionalCenter && !unit.area) {
      ctx.addIssue({ code: 'custom', path: ['area'], message: 'a functional center must name its area' });
    }
    if (unit.kind !== UnitKind.FunctionalCenter && unit.area) {
      ctx.addIssue({ code: 'custom', path: ['area'], message: 'only a functional center has an area' });
    }
  });
export type CreateOrgUnitRequest = z.infer<typeof createOrgUnitSchema>;

export const updateOrgUnitSchema = z
  .strictObject({
    name: name.optional(),
    headUserId: z.uuid('must be a UUID').nullable().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'must change at least one field' });
export type UpdateOrgUnitRequest = z.infer<typeof updateOrgUnitSchema>;

export const createApiTokenSchema = z.strictObject({
  name,
  /** The user the machine client acts for: its actions are recorded under this user. */
  userId: z.uuid('must be a UUID'),
  scopes: z.array(z.enum(API_SCOPES)).min(1, 'must hold at least one scope'),
  expiresInDays: z.number().int().min(1).max(730).default(365),
});
export type CreateApiTokenRequest = z.infer<typeof createApiTokenSchema>;

export const pagingSchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
