// The cluster tier (issue 19), one file so that its parts run in order on the one cluster:
// 1. the e2e journeys of the four procedures, unchanged, with Temporal's services as separate
//    processes on PostgreSQL with 8 history shards instead of the dev server;
// 2. the profile as deployed (two workers, two API replicas behind nginx) driven over HTTP while
//    a worker, an API replica and the history service are killed with -9.
import './on-cluster-temporal';
import '../e2e/seed-000.e2e.test';
import '../e2e/drafting.e2e.test';
import '../e2e/monthly.e2e.test';
import '../e2e/operating-controls.e2e.test';
import '../e2e/cycles.e2e.test';
import '../e2e/tasks.e2e.test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import { DataSource } from 'typeorm';
import { DEMO_PASSWORD, reconcile } from '@rollplan/api';
import { dataSourceOptions } from '@rollplan/db';
import { CLUSTER_SHAPE, isAlive } from '@rollplan/devstack';
import { contributionFor, samplePlan } from '../support/plans';
import { DEMO, eventually } from '../support/system';

const REVIEWER2 = 'reviewer2@rollplan.example';

interface ProcessTable {
  profile: string;
  processes: Record<string, { pid: number; port?: number }>;
}

describe('the cluster profile: two workers, two API replicas, Temporal as separate services', () => {
  const env = process.env;
  const baseUrl = env.ROLLPLAN_TEST_CLUSTER_URL!;
  const processTable = () => JSON.parse(readFileSync(join(env.ROLLPLAN_TEST_CLUSTER_DATA_DIR!, 'processes.json'), 'utf8')) as ProcessTable;
  let db: PgClient;
  let connection: Connection;
  let temporal: Client;

  beforeAll(async () => {
    db = new PgClient({ connectionString: env.ROLLPLAN_TEST_CLUSTER_DATABASE_URL });
    await db.connect();
    connection = await Connection.connect({ address: env.ROLLPLAN_TEST_CLUSTER_TEMPORAL_ADDRESS! });
    temporal = new Client({ connection, namespace: 'default' });
  });
  afterAll(async () => {
    await db?.end();
    await connection?.close();
  });

  /** A JSON request through the proxy (or straight to one replica with `at`). */
  async function call(method: string, path: string, { token, body, key, at = baseUrl, forwardedFor }: { token?: string; body?: unknown; key?: string; at?: string; forwardedFor?: string } = {}) {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (key) headers['idempotency-key'] = key;
    if (forwardedFor) headers['x-forwarded-for'] = forwardedFor;
    try {
      const response = await fetch(`${at}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    } catch (error) {
      // The replica died with the connection open: like a 502 from the proxy, nothing acknowledged.
      return { status: 0, body: { error: String(error) } };
    }
  }
  const tokens = new Map<string, string>();
  async function tokenFor(email: string): Promise<string> {
    if (!tokens.has(email)) {
      const login = await eventually(() => call('POST', '/auth/login', { body: { email, password: DEMO_PASSWORD } }), (r) => r.status === 200, 30_000);
      expect(login.status).toBe(200);
      tokens.set(email, login.body.accessToken);
    }
    return tokens.get(email)!;
  }
  const units = async () => Object.fromEntries((await db.query('SELECT code, id FROM org_units')).rows.map((r: { code: string; id: string }) => [r.code, r.id]));

  it('runs every part as its own process: four Temporal services, two workers, two API replicas and the proxy', async () => {
    const { profile, processes } = processTable();
    expect(profile).toBe('cluster');
    const expected = [
      ...CLUSTER_SHAPE.temporalServices.map((s) => `temporal-${s}`),
      ...Array.from({ length: CLUSTER_SHAPE.workers }, (_, i) => `worker-${i + 1}`),
      ...Array.from({ length: CLUSTER_SHAPE.apiReplicas }, (_, i) => `api-${i + 1}`),
      'proxy',
    ];
    expect(Object.keys(processes)).toEqual(expect.arrayContaining(expected));
    const pids = expected.map((name) => processes[name].pid);
    expect(new Set(pids).size).toBe(expected.length);
    expect(pids.filter((pid) => !isAlive(pid))).toEqual([]);
    const info = await connection.workflowService.getClusterInfo({});
    expect(info.serverVersion).toBe(CLUSTER_SHAPE.temporalVersion);
    expect(info.historyShardCount).toBe(CLUSTER_SHAPE.historyShards);
    // Both workers poll rollplan's task queue.
    const pollers = await eventually(
      () => connection.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: 'rollplan' }, taskQueueType: 1 }).then((r) => r.pollers ?? []),
      (list) => new Set(list.map((p) => p.identity)).size >= CLUSTER_SHAPE.workers,
      30_000,
    );
    expect(new Set(pollers.map((p) => p.identity)).size).toBeGreaterThanOrEqual(CLUSTER_SHAPE.workers);
  });

  it('keeps an Idempotency-Key across API replicas: the same start sent to each replica makes one cycle', async () => {
    const { processes } = processTable();
    const admin = await tokenFor(DEMO.admin);
    const body = { title: 'One plan, two replicas', startYear: 2029 };
    const [first, second] = [
      await call('POST', '/cycles', { token: admin, body, key: 'cluster-one-start', at: `http://127.0.0.1:${processes['api-1'].port}` }),
      await call('POST', '/cycles', { token: admin, body, key: 'cluster-one-start', at: `http://127.0.0.1:${processes['api-2'].port}` }),
    ];
    expect(first.status).toBe(201);
    expect(second.body.id).toBe(first.body.id);
    // The read model is written by the workflow: wait for it, then count.
    const count = () => db.query('SELECT count(*)::int AS n FROM cycles WHERE title = $1', [body.title]).then((r) => r.rows[0].n as number);
    await eventually(count, (n) => n > 0, 15_000);
    expect(await count()).toBe(1);
  });

  it('counts failed logins of one account across both replicas', async () => {
    const { processes } = processTable();
    const replicas = [processes['api-1'].port, processes['api-2'].port].map((port) => `http://127.0.0.1:${port}`);
    const statuses: number[] = [];
    // The account limit (5 a minute by default), alternating replicas, from different addresses.
    for (let i = 0; i < 6; i++) {
      const response = await call('POST', '/auth/login', { at: replicas[i % 2], forwardedFor: `198.51.100.${i + 1}`, body: { email: DEMO.auditor, password: 'not-the-password' } });
      statuses.push(response.status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    // Refused on the other replica too, even with the right password.
    const refused = await call('POST', '/auth/login', { at: replicas[0], forwardedFor: '198.51.100.99', body: { email: DEMO.auditor, password: DEMO_PASSWORD } });
    expect(refused.status).toBe(429);
  });

  it('loses no acknowledged decision and doubles none while a worker, an API replica and the history service are killed', async () => {
    const unitIds = await units();
    const admin = await tokenFor(DEMO.admin);
    const killed: { name: string; pid: number }[] = [];
    /** kill -9 of a process of the profile; its supervisor starts it again. */
    const kill = (name: string) => {
      const { pid } = processTable().processes[name];
      process.kill(pid, 'SIGKILL');
      killed.push({ name, pid });
    };
    // One kill after each of these acknowledged requests (the 2nd, 5th, …), in this order, landing
    // 20 ms into the next request: a decision in flight on a replica that dies is answered 502
    // by the proxy and sent again with its key.
    const plan = new Map([[2, 'worker-1'], [5, 'api-1'], [8, 'temporal-history'], [11, 'worker-2'], [14, 'api-2'], [17, 'temporal-history']]);
    const acknowledged: { key: string; taskId?: string }[] = [];
    let retries = 0;
    let nextVictim: string | undefined;

    /** Sends until a 2xx; an answer of 0/5xx is retried with the same Idempotency-Key. */
    async function send(method: string, path: string, token: string, key: string, body?: unknown, taskId?: string) {
      for (let attempt = 0; attempt < 120; attempt++) {
        if (nextVictim) {
          const victim = nextVictim;
          setTimeout(() => kill(victim), 20);
          nextVictim = undefined;
        }
        const response = await call(method, path, { token, body, key });
        if (response.status >= 200 && response.status < 300) {
          acknowledged.push({ key, taskId });
          nextVictim = plan.get(acknowledged.length);
          return response;
        }
        if (response.status !== 0 && response.status < 500) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(response.body)}`);
        retries += 1;
        await new Promise((r) => setTimeout(r, 500));
      }
      throw new Error(`${method} ${path} never went through`);
    }
    async function decide(email: string, cycleId: string, kind: string, outcome: string, payload?: object) {
      const token = await tokenFor(email);
      const listed = await eventually(() => call('GET', `/tasks?cycleId=${cycleId}&kind=${kind}`, { token }), (r) => r.status === 200 && r.body.items.length > 0, 60_000);
      const [task] = listed.body.items;
      await send('POST', `/tasks/${task.id}/complete`, token, `${task.id}:${outcome}`, { outcome, ...(payload ? { payload } : {}) }, task.id);
    }

    const cycleIds: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { body } = await send('POST', '/cycles', admin, `cluster-failover-${i}`, { title: `Failover plan ${i}`, startYear: 2028, contributingUnitIds: [unitIds['finance']] });
      cycleIds.push(body.id);
    }
    for (const id of cycleIds) {
      await decide(DEMO.finance, id, 'plan.contribution', 'submitted', contributionFor('finance'));
      await send('POST', `/cycles/${id}/drafts`, admin, `draft-${id}`, samplePlan({ finance: unitIds['finance'], customer: unitIds['customer'] }, 2028));
      await decide(DEMO.reviewer, id, 'plan.review', 'approve');
      await decide(REVIEWER2, id, 'plan.review', 'approve');
      await decide(DEMO.chair, id, 'plan.final_approval', 'approve');
    }
    console.log(`cluster failover: killed ${killed.map((k) => k.name).join(', ')}; ${acknowledged.length} acknowledged requests, ${retries} retried answers (502/503 or a dropped connection)`);
    expect(killed.map((k) => k.name)).toEqual([...plan.values()]);

    // Each killed process was started again by the profile's supervisor.
    for (const { name, pid } of killed) {
      const now = await eventually(async () => processTable().processes[name].pid, (current) => current !== pid && isAlive(current), 60_000);
      expect(isAlive(now)).toBe(true);
    }
    // Every cycle goes on to execution with its plan in force.
    for (const id of cycleIds) {
      const cycle = await eventually(() => call('GET', `/cycles/${id}`, { token: admin }), (r) => r.body?.phase === 'execution', 90_000);
      expect(cycle.body).toMatchObject({ phase: 'execution', effectiveVersion: 1, versions: [1] });
    }
    // Every acknowledged decision exactly once: a completed row and one audit record each.
    const decided = acknowledged.filter((a) => a.taskId).map((a) => a.taskId!);
    expect(decided).toHaveLength(12);
    expect(new Set(decided).size).toBe(decided.length);
    const rows = await db.query('SELECT id, status FROM tasks WHERE id = ANY($1)', [decided]);
    expect(rows.rows.filter((t: { status: string }) => t.status !== 'completed')).toEqual([]);
    const audit = await db.query(`SELECT subject_id FROM audit_log WHERE action = 'task.completed' AND subject_id = ANY($1)`, [decided]);
    expect(audit.rows.map((r: { subject_id: string }) => r.subject_id).sort()).toEqual([...decided].sort());
    // One cycle per start key, one draft version per cycle, no notification twice.
    expect((await db.query(`SELECT count(*)::int AS n FROM cycles WHERE title LIKE 'Failover plan %'`)).rows[0].n).toBe(3);
    const doubled = await db.query('SELECT user_id, source_id, count(*) FROM notifications GROUP BY user_id, source_id HAVING count(*) > 1');
    expect(doubled.rows).toEqual([]);
    // The read models match the workflows.
    const dataSource = await new DataSource(dataSourceOptions(env.ROLLPLAN_TEST_CLUSTER_DATABASE_URL!)).initialize();
    try {
      expect(await eventually(() => reconcile(dataSource, temporal, { cycleIds }), (m) => m.length === 0, 30_000)).toEqual([]);
    } finally {
      await dataSource.destroy();
    }
  }, 420_000);
});
