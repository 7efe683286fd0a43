import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import * as argon2 from '@node-rs/argon2';
import { DataSource, IsNull, QueryFailedError, type EntityManager } from 'typeorm';
import {
  DomainError,
  ErrorCode,
  type Actor,
  type CreateOrgUnitRequest,
  type CreateUserRequest,
  type Role,
  type UpdateOrgUnitRequest,
  type UpdateUserRequest,
} from '@rollplan/domain';
import { ApiTokenEntity, CommitteeMemberEntity, OrgUnitEntity, RefreshTokenEntity, UserEntity, appendAudit } from '@rollplan/db';
import { USER_DEACTIVATED_HANDLERS, type UserDeactivatedHandler } from './user-deactivation';

export interface UserView {
  id: string;
  email: string;
  displayName: string;
  roles: Role[];
  unitId: string | null;
  committeeMember: boolean;
  active: boolean;
  deactivatedAt: string | null;
  createdAt: string;
}

/** Users, org units and the decision committee. Every change is audited in its own transaction. */
@Injectable()
export class PeopleService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Optional() @Inject(USER_DEACTIVATED_HANDLERS) private readonly deactivationHandlers: UserDeactivatedHandler[] = [],
  ) {}

  // ---- users

  async listUsers(query: { limit: number; offset: number; role?: Role; unitId?: string; active?: boolean }) {
    const qb = this.db.getRepository(UserEntity).createQueryBuilder('u').orderBy('u.email', 'ASC').take(query.limit).skip(query.offset);
    if (query.role) qb.andWhere(':role = ANY(u.roles)', { role: query.role });
    if (query.unitId) qb.andWhere('u.unitId = :unitId', { unitId: query.unitId });
    if (query.active !== undefined) qb.andWhere('u.active = :active', { active: query.active });
    const [rows, total] = await qb.getManyAndCount();
    const members = await this.committeeIds();
    return { items: rows.map((u) => toUserView(u, members)), total, limit: query.limit, offset: query.offset };
  }

  async getUser(id: string): Promise<UserView> {
    const user = await this.db.getRepository(UserEntity).findOneBy({ id });
    if (!user) throw new DomainError(ErrorCode.NotFound, 'user not found');
    return toUserView(user, await this.committeeIds());
  }

  async createUser(request: CreateUserRequest, actor: Actor): Promise<UserView> {
    const id = randomUUID();
    const passwordHash = await argon2.hash(request.password);
    await this.db.transaction(async (manager) => {
      if (request.unitId) await this.requireUnit(manager, request.unitId, 'unitId');
      await manager.getRepository(UserEntity).insert({
        id,
        email: request.email,
        displayName: request.displayName,
        passwordHash,
        roles: request.roles,
        unitId: request.unitId,
      }).catch(uniqueViolation('email', 'a user with this e-mail exists'));
      await appendAudit(manager, {
        actor,
        action: 'user.created',
        subjectType: 'user',
        subjectId: id,
        data: { email: request.email, roles: request.roles, unitId: request.unitId },
      });
    });
    return this.getUser(id);
  }

  async updateUser(id: string, request: UpdateUserRequest, actor: Actor): Promise<UserView> {
    const { password, ...fields } = request;
    const passwordHash = password ? await argon2.hash(password) : undefined;
    await this.db.transaction(async (manager) => {
      await this.requireUser(manager, id);
      if (fields.unitId) await this.requireUnit(manager, fields.unitId, 'unitId');
      await manager.getRepository(UserEntity).update({ id }, { ...fields, ...(passwordHash ? { passwordHash } : {}) });
      if (passwordHash) await revokeSessions(manager, id);
      await appendAudit(manager, {
        actor,
        action: 'user.updated',
        subjectType: 'user',
        subjectId: id,
        data: { ...fields, ...(password ? { passwordChanged: true } : {}) },
      });
    });
    return this.getUser(id);
  }

  /** Refuses login and every token of the user at once; open work goes to the deactivation handlers. */
  async deactivateUser(id: string, actor: Actor): Promise<UserView> {
    if (id === actor.userId) throw new DomainError(ErrorCode.Conflict, 'you cannot deactivate yourself');
    const changed = await this.db.transaction(async (manager) => {
      const user = await this.requireUser(manager, id);
      if (!user.active) return false;
      const now = new Date();
      // Tokens issued until now stay dead, even once the user is reactivated.
      await manager.getRepository(UserEntity).update({ id }, { active: false, deactivatedAt: now, tokensValidAfter: now });
      await revokeSessions(manager, id);
      await manager.getRepository(ApiTokenEntity).update({ userId: id, revokedAt: IsNull() }, { revokedAt: new Date() });
      await appendAudit(manager, { actor, action: 'user.deactivated', subjectType: 'user', subjectId: id });
      return true;
    });
    if (changed) for (const handler of this.deactivationHandlers) await handler.onUserDeactivated(id, actor);
    return this.getUser(id);
  }

  async reactivateUser(id: string, actor: Actor): Promise<UserView> {
    await this.db.transaction(async (manager) => {
      const user = await this.requireUser(manager, id);
      if (user.active) return;
      await manager.getRepository(UserEntity).update({ id }, { active: true, deactivatedAt: null });
      await appendAudit(manager, { actor, action: 'user.reactivated', subjectType: 'user', subjectId: id });
    });
    return this.getUser(id);
  }

  // ---- org units

  listUnits() {
    return this.db.getRepository(OrgUnitEntity).find({ order: { kind: 'ASC', code: 'ASC' } });
  }

  async createUnit(request: CreateOrgUnitRequest, actor: Actor): Promise<OrgUnitEntity> {
    const id = randomUUID();
    await this.db.transaction(async (manager) => {
      if (request.headUserId) await this.requireUser(manager, request.headUserId, 'headUserId');
      await manager.getRepository(OrgUnitEntity).insert({ id, ...request }).catch(uniqueViolation('code', 'an org unit with this code exists'));
      await appendAudit(manager, { actor, action: 'org_unit.created', subjectType: 'org_unit', subjectId: id, data: { ...request } });
    });
    return this.db.getRepository(OrgUnitEntity).findOneByOrFail({ id });
  }

  async updateUnit(id: string, request: UpdateOrgUnitRequest, actor: Actor): Promise<OrgUnitEntity> {
    await this.db.transaction(async (manager) => {
      await this.requireUnit(manager, id);
      if (request.headUserId) await this.requireUser(manager, request.headUserId, 'headUserId');
      await manager.getRepository(OrgUnitEntity).update({ id }, request);
      await appendAudit(manager, { actor, action: 'org_unit.updated', subjectType: 'org_unit', subjectId: id, data: { ...request } });
    });
    return this.db.getRepository(OrgUnitEntity).findOneByOrFail({ id });
  }

  // ---- the decision committee

  async listCommittee(): Promise<UserView[]> {
    const members = await this.db.getRepository(CommitteeMemberEntity).find({ relations: { user: true }, order: { joinedAt: 'ASC' } });
    const ids = new Set(members.map((m) => m.userId));
    return members.map((m) => toUserView(m.user!, ids));
  }

  /** Idempotent: adding a member twice changes nothing. */
  async addCommitteeMember(userId: string, actor: Actor): Promise<UserView[]> {
    await this.db.transaction(async (manager) => {
      const user = await this.requireUser(manager, userId);
      if (!user.active) throw new DomainError(ErrorCode.Conflict, 'a deactivated user cannot join the committee');
      const inserted = await manager.createQueryBuilder().insert().into(CommitteeMemberEntity).values({ userId }).orIgnore().execute();
      // ON CONFLICT DO NOTHING returns no row when the user already sat on the committee.
      if (inserted.raw.length > 0) {
        await appendAudit(manager, { actor, action: 'committee.member_added', subjectType: 'user', subjectId: userId });
      }
    });
    return this.listCommittee();
  }

  async removeCommitteeMember(userId: string, actor: Actor): Promise<void> {
    await this.db.transaction(async (manager) => {
      const removed = await manager.getRepository(CommitteeMemberEntity).delete({ userId });
      if (!removed.affected) throw new DomainError(ErrorCode.NotFound, 'not a committee member');
      await appendAudit(manager, { actor, action: 'committee.member_removed', subjectType: 'user', subjectId: userId });
    });
  }

  private async committeeIds(): Promise<Set<string>> {
    const rows = await this.db.getRepository(CommitteeMemberEntity).find({ select: { userId: true } });
    return new Set(rows.map((r) => r.userId));
  }

  private async requireUser(manager: EntityManager, id: string, field?: string): Promise<UserEntity> {
    const user = await manager.getRepository(UserEntity).findOneBy({ id });
    if (!user) throw notFound('user', field);
    return user;
  }

  private async requireUnit(manager: EntityManager, id: string, field?: string): Promise<OrgUnitEntity> {
    const unit = await manager.getRepository(OrgUnitEntity).findOneBy({ id });
    if (!unit) throw notFound('org unit', field);
    return unit;
  }
}

/** A reference in a body to something missing is a bad request; a missing path subject is 404. */
function notFound(what: string, field?: string): DomainError {
  return field
    ? new DomainError(ErrorCode.ValidationFailed, `${what} not found`, [{ path: field, message: `no such ${what}` }])
    : new DomainError(ErrorCode.NotFound, `${what} not found`);
}

function uniqueViolation(field: string, message: string) {
  return (error: unknown): never => {
    if (error instanceof QueryFailedError && (error as QueryFailedError & { code?: string }).code === '23505') {
      throw new DomainError(ErrorCode.Conflict, message, [{ path: field, message: 'already taken' }]);
    }
    throw error;
  };
}

async function revokeSessions(manager: EntityManager, userId: string): Promise<void> {
  await manager.getRepository(RefreshTokenEntity).update({ userId, revokedAt: IsNull() }, { revokedAt: new Date() });
}

function toUserView(user: UserEntity, committee: Set<string>): UserView {
  return {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    roles: user.roles,
    unitId: user.unitId,
    committeeMember: committee.has(user.id),
    active: user.active,
    deactivatedAt: user.deactivatedAt?.toISOString() ?? null,
    createdAt: user.createdAt.toISOString(),
  };
}
