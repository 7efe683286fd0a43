import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { Role } from '@rollplan/domain';
import { API_CONFIG, type ApiConfig } from '../config';

export const JWT_ISSUER = 'rollplan';
export const JWT_AUDIENCE = 'rollplan-api';
/** Prefix of API tokens: tells them from JWTs at a glance, and lets secret scanners find leaks. */
export const API_TOKEN_PREFIX = 'rpat_';

export interface AccessClaims {
  sub: string;
  roles: Role[];
  /**
   * Issue time in milliseconds. JWT's `iat` has whole seconds: a login in the same second as a
   * "log out everywhere" would otherwise be refused (or, rounded the other way, an older token kept).
   */
  iatMs?: number;
}

/** Signs and checks access tokens; makes and hashes opaque refresh and API tokens. */
@Injectable()
export class TokenService {
  constructor(
    private readonly jwt: JwtService,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  signAccessToken(claims: AccessClaims): { token: string; expiresIn: number } {
    const expiresIn = this.config.ACCESS_TOKEN_TTL_SECONDS;
    const token = this.jwt.sign({ ...claims, iatMs: Date.now() }, {
      secret: this.config.JWT_SECRET,
      algorithm: 'HS256',
      expiresIn,
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
      jwtid: randomUUID(),
    });
    return { token, expiresIn };
  }

  /** Throws on a bad signature, an expired token, another algorithm (`none` included), issuer or audience. */
  verifyAccessToken(token: string): AccessClaims {
    return this.jwt.verify<AccessClaims>(token, {
      secret: this.config.JWT_SECRET,
      algorithms: ['HS256'],
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
    });
  }

  /** 256 random bits, URL-safe. */
  newOpaqueToken(prefix = ''): string {
    return `${prefix}${randomBytes(32).toString('base64url')}`;
  }

  /** Tokens are stored as SHA-256: high-entropy secrets need no slow hash, and a leaked table reveals none. */
  hash(token: string): string {
    return createHash('sha256').update(token).digest('hex');
  }
}
