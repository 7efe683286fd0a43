import { createHmac, randomUUID } from 'node:crypto';
import request from 'supertest';
import jwt from 'jsonwebtoken';
import { DEMO_PASSWORD } from '@rollplan/api';
import { AuditLogEntity } from '@rollplan/db';
import { DEMO, startTestSystem, type TestSystem } from '../support/system';

// The API's development secret (apps/api/src/config.ts): the test system runs with it.
const DEV_SECRET = 'rollplan-development-secret-not-for-production';

describe('authentication', () => {
  let system: TestSystem;
  let http: ReturnType<typeof request>;
  beforeAll(async () => {
    system = await startTestSystem();
    http = request(system.baseUrl);
  });
  afterAll(() => system?.stop());

  const login = (email: string, password = DEMO_PASSWORD) => http.post('/auth/login').send({ email, password });

  it('logs in with e-mail (any case) and password, and the token says who you are', async () => {
    const response = await login('Finance@RollPlan.example').expect(200);
    expect(response.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, accessToken: expect.any(String), refreshToken: expect.any(String) });
    const me = await http.get('/auth/me').auth(response.body.accessToken, { type: 'bearer' }).expect(200);
    expect(me.body).toMatchObject({ email: 'finance@rollplan.example', roles: ['contributor'], active: true });
  });

  it('answers a wrong password and an unknown account alike', async () => {
    const wrong = await login(DEMO.chair, 'not the password').expect(401);
    const unknown = await login('nobody@rollplan.example', 'not the password').expect(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body).toEqual({ error: 'unauthenticated', message: 'e-mail or password is wrong', details: [] });
  });

  it('refuses requests without a token, with a forged, expired or alg:none token', async () => {
    const claims = { sub: system.userIds[DEMO.admin], roles: ['admin'] };
    const options = { issuer: 'rollplan', audience: 'rollplan-api' };
    const forged = jwt.sign(claims, 'some-other-secret-of-enough-length!!', { ...options, expiresIn: 600 });
    const expired = jwt.sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 60 }, DEV_SECRET, options);
    const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, iss: 'rollplan', aud: 'rollplan-api', iat: now, exp: now + 600 })}.`;
    // Right secret, wrong algorithm family: HS512 must not pass for HS256.
    const header = b64({ alg: 'HS512', typ: 'JWT' });
    const body = b64({ ...claims, iss: 'rollplan', aud: 'rollplan-api', iat: now, exp: now + 600 });
    const otherAlg = `${header}.${body}.${createHmac('sha512', DEV_SECRET).update(`${header}.${body}`).digest('base64url')}`;

    expect((await http.get('/cycles').expect(401)).body.error).toBe('unauthenticated');
    for (const token of [forged, expired, unsigned, otherAlg, 'garbage']) {
      const response = await http.get('/cycles').auth(token, { type: 'bearer' });
      expect([token.slice(0, 12), response.status]).toEqual([token.slice(0, 12), 401]);
    }
    const good = jwt.sign(claims, DEV_SECRET, { ...options, expiresIn: 600 });
    await http.get('/cycles').auth(good, { type: 'bearer' }).expect(200);
  });

  it('rotates refresh tokens, and reusing a spent one revokes the whole login', async () => {
    const first = (await login(DEMO.reviewer).expect(200)).body;
    const second = (await http.post('/auth/refresh').send({ refreshToken: first.refreshToken }).expect(200)).body;
    expect(second.refreshToken).not.toBe(first.refreshToken);
    const third = (await http.post('/auth/refresh').send({ refreshToken: second.refreshToken }).expect(200)).body;

    // The spent first token comes back: someone copied it. Every token of this login dies.
    const reuse = await http.post('/auth/refresh').send({ refreshToken: first.refreshToken }).expect(401);
    expect(reuse.body.message).toMatch(/already used/);
    await http.post('/auth/refresh').send({ refreshToken: third.refreshToken }).expect(401);

    // Another login of the same person is untouched.
    const other = (await login(DEMO.reviewer).expect(200)).body;
    await http.post('/auth/refresh').send({ refreshToken: other.refreshToken }).expect(200);
    const audit = await system.db.dataSource.getRepository(AuditLogEntity).findBy({ action: 'auth.refresh_reuse_detected' });
    expect(audit.map((a) => a.subjectId)).toContain(system.userIds[DEMO.reviewer]);
  });

  it('ends a login on logout', async () => {
    const pair = (await login(DEMO.auditor).expect(200)).body;
    await http.post('/auth/logout').auth(pair.accessToken, { type: 'bearer' }).send({ refreshToken: pair.refreshToken }).expect(204);
    await http.post('/auth/refresh').send({ refreshToken: pair.refreshToken }).expect(401);
  });

  it('refuses unknown fields on login', async () => {
    const response = await http.post('/auth/login').send({ email: DEMO.admin, password: 'x', remember: true }).expect(400);
    expect(response.body.details).toEqual([{ path: 'remember', message: 'unknown field' }]);
  });
});

describe('login throttling across API replicas', () => {
  let a: TestSystem;
  let b: TestSystem;
  beforeAll(async () => {
    [a, b] = await Promise.all([startTestSystem(), startTestSystem()]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('answers 429 after five failed logins in a minute, counted on both replicas together', async () => {
    // Both replicas share the harness's Redis; the account name is unique to this run.
    const email = `throttle-${randomUUID().slice(0, 8)}@rollplan.example`;
    const attempt = (system: TestSystem) => request(system.baseUrl).post('/auth/login').send({ email, password: 'wrong password' });
    const statuses = [];
    for (const system of [a, b, a, b, a, b]) statuses.push((await attempt(system)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    const limited = await attempt(a).expect(429);
    expect(limited.body.error).toBe('rate_limited');
  });
});

describe('people and tokens', () => {
  let system: TestSystem;
  let admin: ReturnType<typeof request.agent>;
  beforeAll(async () => {
    system = await startTestSystem();
    admin = request.agent(system.baseUrl).auth(await system.tokenFor(DEMO.admin), { type: 'bearer' });
  });
  afterAll(() => system?.stop());

  async function newUser(roles: string[] = ['contributor']) {
    const email = `person-${randomUUID().slice(0, 8)}@rollplan.example`;
    const { body } = await admin.post('/users').send({ email, displayName: 'New person', password: 'a long enough passphrase', roles }).expect(201);
    return { ...body, password: 'a long enough passphrase' };
  }

  it('cuts off a deactivated user at once: no login, no token, audited', async () => {
    const user = await newUser();
    const pair = (await request(system.baseUrl).post('/auth/login').send({ email: user.email, password: user.password }).expect(200)).body;
    await request(system.baseUrl).get('/auth/me').auth(pair.accessToken, { type: 'bearer' }).expect(200);

    await admin.post(`/users/${user.id}/deactivate`).expect(200);
    await request(system.baseUrl).get('/auth/me').auth(pair.accessToken, { type: 'bearer' }).expect(401);
    await request(system.baseUrl).post('/auth/refresh').send({ refreshToken: pair.refreshToken }).expect(401);
    const relogin = await request(system.baseUrl).post('/auth/login').send({ email: user.email, password: user.password }).expect(401);
    expect(relogin.body.message).toBe('e-mail or password is wrong');

    const audit = await system.db.dataSource.getRepository(AuditLogEntity).findOneByOrFail({ action: 'user.deactivated', subjectId: user.id });
    expect(audit.actorId).toBe(system.userIds[DEMO.admin]);
    expect(audit.actorRoles).toEqual(['admin']);
  });

  it('keeps an access token issued before a deactivation dead after the reactivation', async () => {
    const user = await newUser();
    const before = (await request(system.baseUrl).post('/auth/login').send({ email: user.email, password: user.password }).expect(200)).body;
    await admin.post(`/users/${user.id}/deactivate`).expect(200);
    // Past the second of the deactivation: tokens carry their issue time in seconds.
    await new Promise((r) => setTimeout(r, 1100));
    await admin.post(`/users/${user.id}/reactivate`).expect(200);
    await request(system.baseUrl).get('/auth/me').auth(before.accessToken, { type: 'bearer' }).expect(401);
    const after = (await request(system.baseUrl).post('/auth/login').send({ email: user.email, password: user.password }).expect(200)).body;
    await request(system.baseUrl).get('/auth/me').auth(after.accessToken, { type: 'bearer' }).expect(200);
  });

  it('lets a scoped API token read cycles and nothing else, until revoked', async () => {
    const created = await admin
      .post('/api-tokens')
      .send({ name: 'KPI import', userId: system.userIds[DEMO.finance], scopes: ['cycles:read'] })
      .expect(201);
    const token: string = created.body.token;
    expect(token).toMatch(/^rpat_/);
    const listed = await admin.get('/api-tokens').expect(200);
    expect(JSON.stringify(listed.body)).not.toContain(token);

    const machine = () => request(system.baseUrl);
    await machine().get('/cycles').auth(token, { type: 'bearer' }).expect(200);
    const forbidden = await machine().post('/cycles').auth(token, { type: 'bearer' }).send({ title: 'x', startYear: 2027 }).expect(403);
    expect(forbidden.body.error).toBe('forbidden');
    await machine().get('/users').auth(token, { type: 'bearer' }).expect(403);

    await admin.post(`/api-tokens/${created.body.id}/revoke`).expect(200);
    await machine().get('/cycles').auth(token, { type: 'bearer' }).expect(401);
  });

  it('stores names shaped like SQL or HTML verbatim and returns them as they were', async () => {
    const displayName = `Robert'); DROP TABLE users;-- <script>alert("x")</script>`;
    const user = await newUser();
    const updated = await admin.patch(`/users/${user.id}`).send({ displayName }).expect(200);
    expect(updated.body.displayName).toBe(displayName);
    expect((await admin.get(`/users/${user.id}`).expect(200)).body.displayName).toBe(displayName);
  });

  it('refuses a duplicate e-mail with 409, a weak password and unknown fields with 400', async () => {
    const user = await newUser();
    const duplicate = await admin.post('/users').send({ email: user.email.toUpperCase(), displayName: 'Twin', password: 'another long passphrase', roles: ['auditor'] }).expect(409);
    expect(duplicate.body.details).toEqual([{ path: 'email', message: 'already taken' }]);
    const weak = await admin.post('/users').send({ email: 'weak@rollplan.example', displayName: 'W', password: 'short', roles: ['admin'], isRoot: true }).expect(400);
    expect(weak.body.details.map((d: { path: string }) => d.path).sort()).toEqual(['isRoot', 'password']);
  });

  it('manages the committee idempotently', async () => {
    const user = await newUser(['reviewer']);
    await admin.put(`/committee/members/${user.id}`).expect(200);
    const again = await admin.put(`/committee/members/${user.id}`).expect(200);
    expect(again.body.filter((m: { id: string }) => m.id === user.id)).toHaveLength(1);
    const added = await system.db.dataSource.getRepository(AuditLogEntity).countBy({ action: 'committee.member_added', subjectId: user.id });
    expect(added).toBe(1);
    await admin.delete(`/committee/members/${user.id}`).expect(204);
    await admin.delete(`/committee/members/${user.id}`).expect(404);
  });

  it('keeps the audit log append-only in the database itself, for everyone', async () => {
    const [row] = await system.db.dataSource.getRepository(AuditLogEntity).find({ take: 1 });
    await expect(system.db.dataSource.query(`UPDATE audit_log SET action = 'x' WHERE id = $1`, [row.id])).rejects.toThrow(/append-only/);
    await expect(system.db.dataSource.query(`DELETE FROM audit_log WHERE id = $1`, [row.id])).rejects.toThrow(/append-only/);
    await expect(system.db.dataSource.query(`TRUNCATE audit_log`)).rejects.toThrow(/append-only/);
  });
});

// Failed logins throttled per client address too, and audited in bounded form (issue 14, item 6).
describe('failed logins from one address', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem({ TRUST_PROXY: 'loopback', LOGIN_MAX_FAILURES_PER_ADDRESS_PER_MINUTE: '10' });
  });
  afterAll(() => system?.stop());

  it('answers 429 after the address’s limit whatever the accounts, keeps the audit bounded, and spares other addresses', async () => {
    const from = (address: string) => request(system.baseUrl).post('/auth/login').set('X-Forwarded-For', address);
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) statuses.push((await from('203.0.113.7').send({ email: `nobody-${i}@rollplan.example`, password: 'wrong password' })).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(new Set(statuses.slice(10))).toEqual(new Set([429]));
    const refused = await from('203.0.113.7').send({ email: DEMO.admin, password: DEMO_PASSWORD }).expect(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);

    const records = await system.db.dataSource.getRepository(AuditLogEntity).find({ where: [{ action: 'auth.login_failed' }, { action: 'auth.login_throttled' }] });
    expect(records.map((r) => r.action).sort()).toEqual(['auth.login_failed', 'auth.login_failed', 'auth.login_failed', 'auth.login_throttled']);
    expect(records.find((r) => r.action === 'auth.login_throttled')).toMatchObject({ subjectId: '203.0.113.7', data: { failures: 10 } });

    await from('198.51.100.9').send({ email: DEMO.admin, password: DEMO_PASSWORD }).expect(200);
  });
});

// The browser's sign-in (issue 15): the refresh token in an httpOnly, SameSite=Strict cookie
// scoped to /auth; using it needs the CSRF header; logout everywhere ends every login.
describe('browser sign-in with the refresh cookie', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem();
  });
  afterAll(() => system?.stop());
  const cookieOf = (response: request.Response) => (response.headers['set-cookie'] as unknown as string[] | undefined)?.find((c) => c.startsWith('rollplan_refresh=')) ?? '';

  it('keeps the refresh token out of the page, refreshes with the cookie and the CSRF header, and logs out everywhere', async () => {
    const login = await request(system.baseUrl).post('/auth/login').set('X-Rollplan-Client', 'web').send({ email: DEMO.finance, password: DEMO_PASSWORD }).expect(200);
    expect(login.body.refreshToken).toBeUndefined();
    expect(login.body.accessToken).toEqual(expect.any(String));
    const cookie = cookieOf(login);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\/auth/);
    const jar = cookie.split(';')[0];

    // Without the CSRF header the cookie is not enough (a cross-site form cannot set the header).
    expect((await request(system.baseUrl).post('/auth/refresh').set('Cookie', jar).send({}).expect(403)).body.message).toMatch(/x-rollplan-csrf/);
    const refreshed = await request(system.baseUrl).post('/auth/refresh').set('Cookie', jar).set('X-Rollplan-CSRF', '1').send({}).expect(200);
    expect(refreshed.body.refreshToken).toBeUndefined();
    const rotated = cookieOf(refreshed).split(';')[0];
    expect(rotated).not.toBe(jar);
    // The spent cookie again: reuse detected, the login revoked.
    await request(system.baseUrl).post('/auth/refresh').set('Cookie', jar).set('X-Rollplan-CSRF', '1').send({}).expect(401);

    // Two logins (browser and API client); logout everywhere ends both, access tokens included.
    const browser = await request(system.baseUrl).post('/auth/login').set('X-Rollplan-Client', 'web').send({ email: DEMO.finance, password: DEMO_PASSWORD }).expect(200);
    const api = (await request(system.baseUrl).post('/auth/login').send({ email: DEMO.finance, password: DEMO_PASSWORD }).expect(200)).body;
    const out = await request(system.baseUrl).post('/auth/logout').auth(browser.body.accessToken, { type: 'bearer' }).set('Cookie', cookieOf(browser).split(';')[0]).set('X-Rollplan-CSRF', '1').send({ everywhere: true }).expect(204);
    expect(cookieOf(out)).toMatch(/rollplan_refresh=;/);
    await request(system.baseUrl).post('/auth/refresh').send({ refreshToken: api.refreshToken }).expect(401);
    await request(system.baseUrl).get('/auth/me').auth(api.accessToken, { type: 'bearer' }).expect(401);
    // Signing in again at once works: revocation compares issue times to the millisecond.
    const again = (await request(system.baseUrl).post('/auth/login').send({ email: DEMO.finance, password: DEMO_PASSWORD }).expect(200)).body;
    await request(system.baseUrl).get('/auth/me').auth(again.accessToken, { type: 'bearer' }).expect(200);
  });
});
