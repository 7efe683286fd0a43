import { randomUUID } from 'node:crypto';
import * as argon2 from '@node-rs/argon2';
import type { DataSource } from 'typeorm';
import { CenterArea, Role, UnitKind } from '@rollplan/domain';
import { CommitteeMemberEntity, OrgUnitEntity, UserEntity, appendAudit } from '@rollplan/db';

/** Shared by every demo login; printed by `npm start`. Never used in production (the seed refuses). */
export const DEMO_PASSWORD = 'rollplan-demo-2027';

export interface DemoLogin {
  email: string;
  roles: Role[];
  unit: string;
}

const UNITS = [
  { code: 'planning-office', name: 'Planning office', kind: UnitKind.PlanningOffice, area: null },
  { code: 'strategy-rd', name: 'Strategy & R&D planning center', kind: UnitKind.FunctionalCenter, area: CenterArea.StrategyRd },
  { code: 'finance', name: 'Finance center', kind: UnitKind.FunctionalCenter, area: CenterArea.Finance },
  { code: 'hr', name: 'Human resources center', kind: UnitKind.FunctionalCenter, area: CenterArea.Hr },
  { code: 'project-operations', name: 'Project operations center', kind: UnitKind.FunctionalCenter, area: CenterArea.ProjectOperations },
  { code: 'customer', name: 'Customer center', kind: UnitKind.FunctionalCenter, area: CenterArea.Customer },
  { code: 'decision-committee', name: 'Decision committee', kind: UnitKind.DecisionCommittee, area: null },
] as const;

const PEOPLE: { email: string; name: string; roles: Role[]; unit: (typeof UNITS)[number]['code']; head?: boolean; committee?: boolean }[] = [
  { email: 'admin@rollplan.example', name: 'Planning office admin', roles: [Role.Admin], unit: 'planning-office', head: true },
  { email: 'strategy@rollplan.example', name: 'Head of strategy & R&D', roles: [Role.Contributor], unit: 'strategy-rd', head: true },
  { email: 'finance@rollplan.example', name: 'Head of finance', roles: [Role.Contributor], unit: 'finance', head: true },
  { email: 'hr@rollplan.example', name: 'Head of HR', roles: [Role.Contributor], unit: 'hr', head: true },
  { email: 'projects@rollplan.example', name: 'Head of project operations', roles: [Role.Contributor], unit: 'project-operations', head: true },
  { email: 'customer@rollplan.example', name: 'Head of customer', roles: [Role.Contributor], unit: 'customer', head: true },
  { email: 'chair@rollplan.example', name: 'Committee chair', roles: [Role.Reviewer, Role.Chair], unit: 'decision-committee', head: true, committee: true },
  { email: 'reviewer1@rollplan.example', name: 'Committee member 1', roles: [Role.Reviewer], unit: 'decision-committee', committee: true },
  { email: 'reviewer2@rollplan.example', name: 'Committee member 2', roles: [Role.Reviewer], unit: 'decision-committee', committee: true },
  { email: 'auditor@rollplan.example', name: 'Auditor', roles: [Role.Auditor], unit: 'planning-office' },
];

/**
 * Seeds a demo group — one admin, a head per functional center, a three-member committee
 * with its chair, an auditor — when there are no users yet. Returns the logins it made
 * (none when people already exist).
 */
export async function seedDemoOrganization(dataSource: DataSource): Promise<DemoLogin[]> {
  const passwordHash = await argon2.hash(DEMO_PASSWORD);
  return dataSource.transaction(async (manager) => {
    // Serialises concurrent seeds (two starts at once) on one lock.
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext('rollplan:demo-seed'))`);
    if ((await manager.getRepository(UserEntity).count()) > 0) return [];
    const unitIds = new Map<string, string>();
    for (const unit of UNITS) {
      const id = randomUUID();
      unitIds.set(unit.code, id);
      await manager.getRepository(OrgUnitEntity).insert({ id, ...unit });
    }
    for (const person of PEOPLE) {
      const id = randomUUID();
      const unitId = unitIds.get(person.unit)!;
      await manager.getRepository(UserEntity).insert({ id, email: person.email, displayName: person.name, passwordHash, roles: person.roles, unitId });
      if (person.head) await manager.getRepository(OrgUnitEntity).update({ id: unitId }, { headUserId: id });
      if (person.committee) await manager.getRepository(CommitteeMemberEntity).insert({ userId: id });
    }
    await appendAudit(manager, { actor: null, action: 'demo.seeded', subjectType: 'organization', subjectId: 'demo', data: { users: PEOPLE.length } });
    return PEOPLE.map((p) => ({ email: p.email, roles: p.roles, unit: p.unit }));
  });
}
