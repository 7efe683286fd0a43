import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Request } from 'express';
import { DataSource, IsNull } from 'typeorm';
import { DomainError, ErrorCode, Role, hasAnyRole, type Actor } from '@rollplan/domain';
import { ApiTokenEntity, UserEntity } from '@rollplan/db';
import { ACCESS_RULE, type AccessRule } from './auth.decorators';
import { API_TOKEN_PREFIX, TokenService } from './token.service';

/**
 * The one global guard: authenticates the bearer token (access JWT or API token), loads the
 * user (a deactivated user is refused at once, whatever their token says), and applies the
 * route's access rule. A route without a rule is refused: fail closed.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_RULE, [context.getHandler(), context.getClass()]);
    if (rule?.kind === 'public') return true;

    const request = context.switchToHttp().getRequest<Request & { actor?: Actor }>();
    const bearer = /^Bearer (\S+)$/i.exec(request.header('authorization') ?? '')?.[1];
    if (!bearer) throw new DomainError(ErrorCode.Unauthenticated, 'a bearer token is required');

    const actor = bearer.startsWith(API_TOKEN_PREFIX) ? await this.apiTokenActor(bearer, rule) : await this.userActor(bearer);
    if (!rule) throw new DomainError(ErrorCode.Forbidden, 'this route has no access rule');
    // An auditor holding another role as well (from before roles were exclusive) still only reads.
    const readOnly = (roles: readonly Role[]) => actor.roles.includes(Role.Auditor) && !roles.includes(Role.Auditor);
    if (rule.kind === 'roles' && actor.via === 'user' && readOnly(rule.roles)) {
      throw new DomainError(ErrorCode.Forbidden, 'auditors read everything and change nothing');
    }
    if (rule.kind === 'roles' && actor.via === 'user' && !hasAnyRole(actor, rule.roles)) {
      throw new DomainError(ErrorCode.Forbidden, `requires one of the roles: ${rule.roles.join(', ')}`);
    }
    request.actor = actor;
    return true;
  }

  private async userActor(token: string): Promise<Actor> {
    let claims: { sub: string; iat?: number; iatMs?: number };
    try {
      claims = this.tokens.verifyAccessToken(token);
    } catch {
      throw new DomainError(ErrorCode.Unauthenticated, 'access token is invalid or expired');
    }
    const user = await this.db.getRepository(UserEntity).findOneBy({ id: claims.sub });
    // A token issued before a deactivation or a logout everywhere stays dead; one issued after it works,
    // even within the same second (iatMs; tokens signed before it existed fall back to iat's seconds).
    const issuedAt = claims.iatMs ?? (claims.iat ?? 0) * 1000;
    const revoked = user?.tokensValidAfter && issuedAt <= user.tokensValidAfter.getTime();
    if (!user?.active || revoked) throw new DomainError(ErrorCode.Unauthenticated, 'access token is invalid or expired');
    // Roles come from the database, not the token: a change of roles takes effect at once.
    return { userId: user.id, roles: user.roles, unitId: user.unitId, via: 'user' };
  }

  /** An API token acts for its user, but only on routes that admit one of its scopes. */
  private async apiTokenActor(token: string, rule: AccessRule | undefined): Promise<Actor> {
    const row = await this.db
      .getRepository(ApiTokenEntity)
      .findOne({ where: { tokenHash: this.tokens.hash(token), revokedAt: IsNull() }, relations: { user: true } });
    if (!row || row.expiresAt.getTime() <= Date.now() || !row.user?.active) {
      throw new DomainError(ErrorCode.Unauthenticated, 'API token is invalid, revoked or expired');
    }
    const scope = rule && rule.kind !== 'public' ? rule.apiScope : undefined;
    if (!scope || !row.scopes.includes(scope)) {
      throw new DomainError(ErrorCode.Forbidden, scope ? `this API token lacks the scope ${scope}` : 'API tokens may not call this route');
    }
    // Bookkeeping only: a failed write must not fail the request.
    await this.db.getRepository(ApiTokenEntity).update({ id: row.id }, { lastUsedAt: new Date() }).catch(() => undefined);
    return { userId: row.user.id, roles: row.user.roles, unitId: row.user.unitId, via: 'api_token' };
  }
}
