import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DomainError, ErrorCode, type Actor, type CreateApiTokenRequest } from '@rollplan/domain';
import { ApiTokenEntity, UserEntity, appendAudit } from '@rollplan/db';
import { API_TOKEN_PREFIX, TokenService } from './token.service';

export interface ApiTokenView {
  id: string;
  name: string;
  userId: string;
  scopes: string[];
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

/** Tokens for machine clients (KPI imports): scoped, revocable, shown once. */
@Injectable()
export class ApiTokensService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly tokens: TokenService,
  ) {}

  async create(request: CreateApiTokenRequest, actor: Actor): Promise<ApiTokenView & { token: string }> {
    const token = this.tokens.newOpaqueToken(API_TOKEN_PREFIX);
    const id = randomUUID();
    await this.db.transaction(async (manager) => {
      const user = await manager.getRepository(UserEntity).findOneBy({ id: request.userId });
      if (!user) throw new DomainError(ErrorCode.ValidationFailed, 'user not found', [{ path: 'userId', message: 'no such user' }]);
      if (!user.active) throw new DomainError(ErrorCode.Conflict, 'a deactivated user cannot hold an API token');
      await manager.getRepository(ApiTokenEntity).insert({
        id,
        name: request.name,
        userId: request.userId,
        tokenHash: this.tokens.hash(token),
        scopes: request.scopes,
        createdBy: actor.userId,
        expiresAt: new Date(Date.now() + request.expiresInDays * 86_400_000),
      });
      await appendAudit(manager, {
        actor,
        action: 'api_token.created',
        subjectType: 'api_token',
        subjectId: id,
        data: { name: request.name, userId: request.userId, scopes: request.scopes },
      });
    });
    return { ...(await this.get(id)), token };
  }

  async list(): Promise<ApiTokenView[]> {
    const rows = await this.db.getRepository(ApiTokenEntity).find({ order: { createdAt: 'DESC' } });
    return rows.map(toView);
  }

  async revoke(id: string, actor: Actor): Promise<ApiTokenView> {
    await this.db.transaction(async (manager) => {
      const row = await manager.getRepository(ApiTokenEntity).findOneBy({ id });
      if (!row) throw new DomainError(ErrorCode.NotFound, 'API token not found');
      if (row.revokedAt) return;
      await manager.getRepository(ApiTokenEntity).update({ id }, { revokedAt: new Date() });
      await appendAudit(manager, { actor, action: 'api_token.revoked', subjectType: 'api_token', subjectId: id });
    });
    return this.get(id);
  }

  private async get(id: string): Promise<ApiTokenView> {
    return toView(await this.db.getRepository(ApiTokenEntity).findOneByOrFail({ id }));
  }
}

function toView(row: ApiTokenEntity): ApiTokenView {
  return {
    id: row.id,
    name: row.name,
    userId: row.userId,
    scopes: row.scopes,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    revokedAt: row.revokedAt?.toISOString() ?? null,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  };
}
