import request from 'supertest';
import { AUDIT_GENESIS_HASH } from '@rollplan/db';
import { DEMO, startTestSystem, type TestSystem } from '../support/system';

// GET /audit/verify over HTTP: the hash chain of the system's own audit log.
describe('audit chain verification over HTTP', () => {
  let system: TestSystem;
  let auditor: ReturnType<typeof request.agent>;

  beforeAll(async () => {
    system = await startTestSystem();
    auditor = request.agent(system.baseUrl).auth(await system.tokenFor(DEMO.auditor), { type: 'bearer' });
    await system.tokenFor(DEMO.admin);
    await system.tokenFor(DEMO.finance);
  });
  afterAll(() => system?.stop());

  it('tells an auditor the chain is intact, with its head', async () => {
    const { body } = await auditor.get('/audit/verify').expect(200);
    const records = (await auditor.get('/audit?limit=100').expect(200)).body;
    const head = { id: expect.any(Number), hash: expect.stringMatching(/^[0-9a-f]{64}$/) };
    expect(body).toEqual({ ok: true, checked: records.total, head, firstBroken: null, chains: expect.arrayContaining([{ chain: expect.any(Number), checked: expect.any(Number), head }]) });
    expect(records.total).toBeGreaterThanOrEqual(4); // the demo seed and three logins
    // GET /audit shows the links (and still not the dedupe key): each record follows the one before it in its chain.
    const items = records.items as { id: number; chain: number; prevHash: string; hash: string }[];
    const last = new Map<number, string>();
    for (const item of items) {
      expect(item.prevHash).toBe(last.get(item.chain) ?? AUDIT_GENESIS_HASH);
      last.set(item.chain, item.hash);
    }
    expect(items.at(-1)).toMatchObject({ id: body.head.id, hash: body.head.hash });
    // The chains' heads are their last records, and their counts add up.
    for (const chain of body.chains) expect(items.filter((item) => item.chain === chain.chain).at(-1)).toMatchObject({ id: chain.head.id, hash: chain.head.hash });
    expect(body.chains.reduce((sum: number, chain: { checked: number }) => sum + chain.checked, 0)).toBe(records.total);
    expect(items.every((item) => !('dedupeKey' in item))).toBe(true);
  });

  it('is for auditors and admins only', async () => {
    const as = async (email: string) => request(system.baseUrl).get('/audit/verify').auth(await system.tokenFor(email), { type: 'bearer' });
    expect((await as(DEMO.admin)).status).toBe(200);
    expect((await as(DEMO.finance)).status).toBe(403);
    expect((await as(DEMO.chair)).status).toBe(403);
    expect((await request(system.baseUrl).get('/audit/verify')).status).toBe(401);
  });

  it('is described in the OpenAPI document', async () => {
    const { body } = await auditor.get('/docs/openapi.json').expect(200);
    expect(body.paths['/audit/verify'].get.summary).toMatch(/hash chain/);
  });

  it('names the record a superuser changed in the database', async () => {
    const items = (await auditor.get('/audit?limit=100').expect(200)).body.items as { id: number; hash: string }[];
    const target = items[1];
    await system.db.dataSource.transaction(async (manager) => {
      await manager.query(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`);
      await manager.query(`UPDATE audit_log SET data = data || '{"rewritten": true}' WHERE id = $1`, [target.id]);
      await manager.query(`ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`);
    });
    // Appends after the change chain on as usual; the break stays where it was made.
    await system.tokenFor(DEMO.strategy);

    const { body } = await auditor.get('/audit/verify').expect(200);
    expect(body.ok).toBe(false);
    expect(body.firstBroken).toEqual({ id: target.id, reason: 'hash_mismatch', expected: expect.stringMatching(/^[0-9a-f]{64}$/), found: target.hash });
    expect(body.checked).toBe((await auditor.get('/audit?limit=1').expect(200)).body.total);
  });
});
