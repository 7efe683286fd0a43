import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import * as argon2 from '@node-rs/argon2';
import { DataSource, IsNull, type Repository } from 'typeorm';
import { DomainError, ErrorCode, type LoginRequest } from '@rollplan/domain';
import { RefreshTokenEntity, UserEntity, appendAudit } from '@rollplan/db';
import { API_CONFIG, type ApiConfig } from '../config';
import { AUDITED_FAILURES_PER_ADDRESS, LoginThrottle } from './login-throttle';
import { TokenService } from './token.service';

export interface TokenPair {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  refreshToken: string;
  refreshExpiresAt: string;
}

/** One message for every failed login: it must not tell whether the account exists. */
const BAD_CREDENTIALS = 'e-mail or password is wrong';

@Injectable()
export class AuthService {
  /** Verified against when the e-mail is unknown, so both paths take the same time. */
  private readonly decoyHash: Promise<string> = argon2.hash(randomUUID());

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly tokens: TokenService,
    private readonly throttle: LoginThrottle,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  async login({ email, password }: LoginRequest, address = 'unknown'): Promise<TokenPair> {
    await this.throttle.assertAllowed(email, address);
    const user = await this.db
      .getRepository(UserEntity)
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.email = :email', { email })
      .getOne();
    const passwordOk = await argon2.verify(user?.passwordHash ?? (await this.decoyHash), password);
    if (!user || !passwordOk || !user.active) {
      const failures = await this.throttle.recordFailure(email, address);
      // Bounded: the first few failures from an address one by one, then one record when its
      // throttle trips — nobody can grow the audit log without signing in.
      if (failures <= AUDITED_FAILURES_PER_ADDRESS) {
        await appendAudit(this.db.manager, { actor: null, action: 'auth.login_failed', subjectType: 'account', subjectId: email, data: { address } });
      } else if (failures === this.throttle.addressLimit) {
        await appendAudit(this.db.manager, { actor: null, action: 'auth.login_throttled', subjectType: 'address', subjectId: address, data: { failures, lastAccount: email } });
      }
      throw new DomainError(ErrorCode.Unauthenticated, BAD_CREDENTIALS);
    }
    await this.throttle.reset(email);
    return this.db.transaction(async (manager) => {
      // The audit record last: it takes the audit chain's lock, held until commit.
      const pair = await this.issue(manager.getRepository(RefreshTokenEntity), user, randomUUID());
      await appendAudit(manager, { actor: { userId: user.id, roles: user.roles }, action: 'auth.login', subjectType: 'user', subjectId: user.id });
      return pair;
    });
  }

  /**
   * Rotates a refresh token: the old one is spent and a new one of the same family issued.
   * A spent token presented again means it leaked: the whole family is revoked.
   */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const hash = this.tokens.hash(refreshToken);
    return this.db.transaction(async (manager) => {
      const tokens = manager.getRepository(RefreshTokenEntity);
      // Row lock: two concurrent refreshes with one token must not both succeed.
      const current = await tokens.findOne({ where: { tokenHash: hash }, lock: { mode: 'pessimistic_write' } });
      if (!current || current.revokedAt || current.expiresAt.getTime() <= Date.now()) {
        throw new DomainError(ErrorCode.Unauthenticated, 'refresh token is invalid or expired');
      }
      if (current.usedAt) {
        await tokens.update({ familyId: current.familyId, revokedAt: IsNull() }, { revokedAt: new Date() });
        await appendAudit(manager, {
          actor: null,
          action: 'auth.refresh_reuse_detected',
          subjectType: 'user',
          subjectId: current.userId,
          data: { familyId: current.familyId },
        });
        return null;
      }
      const user = await manager.getRepository(UserEntity).findOneBy({ id: current.userId });
      if (!user?.active) throw new DomainError(ErrorCode.Unauthenticated, 'refresh token is invalid or expired');
      await tokens.update({ id: current.id }, { usedAt: new Date() });
      return this.issue(tokens, user, current.familyId);
    }).then((pair) => {
      // Thrown after the transaction committed the revocation.
      if (!pair) throw new DomainError(ErrorCode.Unauthenticated, 'refresh token was already used; every session of this login is revoked');
      return pair;
    });
  }

  /** Ends the login the refresh token belongs to (its whole family). Unknown tokens are ignored. */
  async logout(refreshToken: string, actorId: string): Promise<void> {
    await this.db.transaction(async (manager) => {
      const tokens = manager.getRepository(RefreshTokenEntity);
      const current = await tokens.findOneBy({ tokenHash: this.tokens.hash(refreshToken), userId: actorId });
      if (!current) return;
      await tokens.update({ familyId: current.familyId, revokedAt: IsNull() }, { revokedAt: new Date() });
      await appendAudit(manager, { actor: { userId: actorId, roles: [] }, action: 'auth.logout', subjectType: 'user', subjectId: actorId });
    });
  }

  /** Ends every login of the user (logout everywhere): all refresh tokens and access tokens revoked. */
  async logoutEverywhere(userId: string): Promise<void> {
    await this.db.transaction(async (manager) => {
      const now = new Date();
      await manager.getRepository(RefreshTokenEntity).update({ userId, revokedAt: IsNull() }, { revokedAt: now });
      // Access tokens already handed out die too (the guard checks their issue time).
      await manager.getRepository(UserEntity).update({ id: userId }, { tokensValidAfter: now });
      await appendAudit(manager, { actor: { userId, roles: [] }, action: 'auth.logout_everywhere', subjectType: 'user', subjectId: userId });
    });
  }

  private async issue(tokens: Repository<RefreshTokenEntity>, user: UserEntity, familyId: string): Promise<TokenPair> {
    const refreshToken = this.tokens.newOpaqueToken();
    const refreshExpiresAt = new Date(Date.now() + this.config.REFRESH_TOKEN_TTL_DAYS * 86_400_000);
    await tokens.insert({
      id: randomUUID(),
      userId: user.id,
      familyId,
      tokenHash: this.tokens.hash(refreshToken),
      expiresAt: refreshExpiresAt,
    });
    const access = this.tokens.signAccessToken({ sub: user.id, roles: user.roles });
    return {
      accessToken: access.token,
      tokenType: 'Bearer',
      expiresIn: access.expiresIn,
      refreshToken,
      refreshExpiresAt: refreshExpiresAt.toISOString(),
    };
  }
}
