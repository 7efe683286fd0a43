import { SetMetadata, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import { applyDecorators } from '@nestjs/common';
import type { Actor, ApiScope, Role } from '@rollplan/domain';

export const ACCESS_RULE = 'rollplan:access';

/**
 * Every route declares who may call it; the guard refuses a route that declares nothing
 * (fail closed), and the route-table test fails the suite for it.
 */
export type AccessRule =
  | { kind: 'public' }
  | { kind: 'roles'; roles: readonly Role[]; apiScope?: ApiScope }
  | { kind: 'authenticated'; apiScope?: ApiScope };

/** No token needed (health, login). */
export const Public = () => SetMetadata(ACCESS_RULE, { kind: 'public' } satisfies AccessRule);

/** A signed-in user holding one of `roles`; `apiScope` also admits API tokens holding that scope. */
export const Roles = (roles: readonly Role[], options: { apiScope?: ApiScope } = {}) =>
  applyDecorators(SetMetadata(ACCESS_RULE, { kind: 'roles', roles, apiScope: options.apiScope } satisfies AccessRule), ApiBearerAuth());

/** Any signed-in user, whatever their role. */
export const Authenticated = (options: { apiScope?: ApiScope } = {}) =>
  applyDecorators(SetMetadata(ACCESS_RULE, { kind: 'authenticated', apiScope: options.apiScope } satisfies AccessRule), ApiBearerAuth());

/** The actor the guard authenticated (never taken from the request body). */
export const CurrentActor = createParamDecorator((_: unknown, context: ExecutionContext): Actor => {
  const actor = context.switchToHttp().getRequest<{ actor?: Actor }>().actor;
  if (!actor) throw new Error('CurrentActor used on a route without authentication');
  return actor;
});
