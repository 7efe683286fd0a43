import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';
import type { ApiScope, CenterArea, Role, UnitKind } from '@rollplan/domain';

@Entity({ name: 'org_units' })
@Unique('org_units_code_key', ['code'])
@Check('org_units_kind_check', `kind IN ('planning_office', 'functional_center', 'subsidiary', 'decision_committee')`)
export class OrgUnitEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') code!: string;
  @Column('text') name!: string;
  @Column('text') kind!: UnitKind;
  @Column('text', { nullable: true }) area!: CenterArea | null;
  @Column('uuid', { name: 'head_user_id', nullable: true }) headUserId!: string | null;
  @ManyToOne(() => UserEntity, { createForeignKeyConstraints: true })
  @JoinColumn({ name: 'head_user_id', foreignKeyConstraintName: 'org_units_head_fk' })
  head?: UserEntity | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

@Entity({ name: 'users' })
@Unique('users_email_key', ['email'])
export class UserEntity {
  @PrimaryColumn('uuid') id!: string;
  /** Stored lower-cased: logins are case-insensitive. */
  @Column('text') email!: string;
  @Column('text', { name: 'display_name' }) displayName!: string;
  @Column('text', { name: 'password_hash', select: false }) passwordHash!: string;
  @Column('text', { array: true }) roles!: Role[];
  @Column('uuid', { name: 'unit_id', nullable: true }) unitId!: string | null;
  @ManyToOne(() => OrgUnitEntity)
  @JoinColumn({ name: 'unit_id', foreignKeyConstraintName: 'users_unit_fk' })
  unit?: OrgUnitEntity | null;
  @Column('boolean', { default: true }) active!: boolean;
  @Column('timestamptz', { name: 'deactivated_at', nullable: true }) deactivatedAt!: Date | null;
  /** Access tokens issued before it are refused, even after a reactivation (set on deactivation). */
  @Column('timestamptz', { name: 'tokens_valid_after', nullable: true }) tokensValidAfter!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

@Entity({ name: 'committee_members' })
export class CommitteeMemberEntity {
  @PrimaryColumn('uuid', { name: 'user_id' }) userId!: string;
  @ManyToOne(() => UserEntity)
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'committee_members_user_fk' })
  user?: UserEntity;
  @CreateDateColumn({ name: 'joined_at', type: 'timestamptz' }) joinedAt!: Date;
}

/** One refresh token of a login's rotation family; only its SHA-256 is kept. */
@Entity({ name: 'refresh_tokens' })
@Unique('refresh_tokens_hash_key', ['tokenHash'])
@Index('refresh_tokens_family_idx', ['familyId'])
export class RefreshTokenEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'user_id' }) userId!: string;
  @ManyToOne(() => UserEntity)
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'refresh_tokens_user_fk' })
  user?: UserEntity;
  @Column('uuid', { name: 'family_id' }) familyId!: string;
  @Column('text', { name: 'token_hash' }) tokenHash!: string;
  @Column('timestamptz', { name: 'expires_at' }) expiresAt!: Date;
  @Column('timestamptz', { name: 'used_at', nullable: true }) usedAt!: Date | null;
  @Column('timestamptz', { name: 'revoked_at', nullable: true }) revokedAt!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

/** A machine client's token; only its SHA-256 is kept (the token is shown once). */
@Entity({ name: 'api_tokens' })
@Unique('api_tokens_hash_key', ['tokenHash'])
export class ApiTokenEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') name!: string;
  @Column('uuid', { name: 'user_id' }) userId!: string;
  @ManyToOne(() => UserEntity)
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'api_tokens_user_fk' })
  user?: UserEntity;
  @Column('text', { name: 'token_hash', select: false }) tokenHash!: string;
  @Column('text', { array: true }) scopes!: ApiScope[];
  @Column('uuid', { name: 'created_by' }) createdBy!: string;
  @ManyToOne(() => UserEntity)
  @JoinColumn({ name: 'created_by', foreignKeyConstraintName: 'api_tokens_created_by_fk' })
  creator?: UserEntity;
  @Column('timestamptz', { name: 'expires_at' }) expiresAt!: Date;
  @Column('timestamptz', { name: 'revoked_at', nullable: true }) revokedAt!: Date | null;
  @Column('timestamptz', { name: 'last_used_at', nullable: true }) lastUsedAt!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

/**
 * Append-only: the database refuses UPDATE, DELETE and TRUNCATE (see the Identity migration).
 * Hash-chained: each record carries the hash of the one before it (audit-chain.ts, the AuditChain migration).
 * Written only through `appendAudit`.
 */
@Entity({ name: 'audit_log' })
@Index('audit_log_subject_idx', ['subjectType', 'subjectId'])
@Index('audit_log_actor_idx', ['actorId'])
@Unique('audit_log_dedupe_key', ['dedupeKey'])
@Unique('audit_log_chain_prev_hash_key', ['chain', 'prevHash'])
@Index('audit_log_chain_id_idx', ['chain', 'id'])
export class AuditLogEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' }) id!: string;
  @Column('timestamptz', { default: () => 'now()' }) at!: Date;
  @Column('uuid', { name: 'actor_id', nullable: true }) actorId!: string | null;
  @Column('text', { name: 'actor_roles', array: true, default: () => "'{}'" }) actorRoles!: string[];
  @Column('text') action!: string;
  @Column('text', { name: 'subject_type' }) subjectType!: string;
  @Column('text', { name: 'subject_id' }) subjectId!: string;
  @Column('jsonb', { default: () => "'{}'" }) data!: Record<string, unknown>;
  /** Set by writers that may retry (activities): the same key is recorded once. */
  @Column('text', { name: 'dedupe_key', nullable: true }) dedupeKey!: string | null;
  /** Which of the log's chains it continues (audit-chain.ts); records from before v0.11 are chain 0. */
  @Column('smallint', { default: 0 }) chain!: number;
  /** The previous record's hash (by id, in its chain); 64 zeros for the first record of a chain. */
  @Column('text', { name: 'prev_hash' }) prevHash!: string;
  /** Hex SHA-256 of this record's canonical form, `prevHash` included. */
  @Column('text') hash!: string;
}
