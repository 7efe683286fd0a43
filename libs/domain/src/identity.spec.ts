import { hasAnyRole, mayActOnTasks } from './identity';
import { createApiTokenSchema, createOrgUnitSchema, createUserSchema, loginSchema, updateUserSchema } from './identity.schema';

describe('identity schemas', () => {
  it('normalises e-mail addresses for case-insensitive login', () => {
    expect(loginSchema.parse({ email: '  Chair@RollPlan.Example ', password: 'x' }).email).toBe('chair@rollplan.example');
  });

  it('requires a passphrase of at least 12 characters and at least one role', () => {
    const result = createUserSchema.safeParse({ email: 'a@b.example', displayName: 'A', password: 'short', roles: [] });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['password', 'roles']);
  });

  it('rejects unknown roles', () => {
    expect(createUserSchema.safeParse({ email: 'a@b.example', displayName: 'A', password: 'long enough pass', roles: ['root'] }).success).toBe(false);
  });

  it('refuses an empty update', () => {
    expect(updateUserSchema.safeParse({}).success).toBe(false);
    expect(updateUserSchema.safeParse({ displayName: 'B' }).success).toBe(true);
  });

  it('makes a functional center name its area, and only a functional center', () => {
    const base = { code: 'finance', name: 'Finance center' };
    expect(createOrgUnitSchema.safeParse({ ...base, kind: 'functional_center' }).error?.issues[0].path).toEqual(['area']);
    expect(createOrgUnitSchema.safeParse({ ...base, kind: 'subsidiary', area: 'finance' }).error?.issues[0].path).toEqual(['area']);
    expect(createOrgUnitSchema.parse({ ...base, kind: 'functional_center', area: 'finance' }).area).toBe('finance');
  });

  it.each(['Finance', 'f', '-x', 'a b'])('rejects the unit code %j', (code) => {
    expect(createOrgUnitSchema.safeParse({ code, name: 'X', kind: 'subsidiary' }).success).toBe(false);
  });

  it('bounds API tokens to known scopes and a year or two', () => {
    const userId = '6f1d4a53-2f0b-4a8e-9a55-2c1f3f3b9d11';
    expect(createApiTokenSchema.parse({ name: 'import', userId, scopes: ['actuals:write'] }).expiresInDays).toBe(365);
    expect(createApiTokenSchema.safeParse({ name: 'import', userId, scopes: ['admin'] }).success).toBe(false);
    expect(createApiTokenSchema.safeParse({ name: 'import', userId, scopes: ['cycles:read'], expiresInDays: 3650 }).success).toBe(false);
  });

  it('checks roles', () => {
    expect(hasAnyRole({ roles: ['reviewer', 'chair'] }, ['chair'])).toBe(true);
    expect(hasAnyRole({ roles: ['contributor'] }, ['admin', 'auditor'])).toBe(false);
  });
});

describe('who acts on tasks', () => {
  it('lets admins, contributors, reviewers and the chair act, never an auditor', () => {
    expect(mayActOnTasks(['contributor'])).toBe(true);
    expect(mayActOnTasks(['admin'])).toBe(true);
    expect(mayActOnTasks(['reviewer', 'chair'])).toBe(true);
    expect(mayActOnTasks(['auditor'])).toBe(false);
    expect(mayActOnTasks(['auditor', 'admin'])).toBe(false);
  });

  it('keeps the auditor role apart from every other', () => {
    const result = createUserSchema.safeParse({ email: 'a@b.example', displayName: 'A', password: 'long enough passphrase', roles: ['auditor', 'admin'] });
    expect(result.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['roles', 'an auditor holds no other role']]);
  });
});
