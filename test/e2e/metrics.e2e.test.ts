import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { freePort } from '@rollplan/devstack';
import { openAdhocRequest } from '../support/http-cycle';
import { DEMO, eventually, startTestSystem, type TestSystem } from '../support/system';
import { startWorkerProcess } from '../support/worker-process';

// Issue 20: the API's and the worker's Prometheus endpoints, scraped around a decision. The worker
// is the real process (apps/worker/dist/main.js) with WORKER_METRICS_PORT set, as deployed.

/** One sample's value from a Prometheus text exposition, or undefined when the series is absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const [series, value] = [line.slice(0, line.lastIndexOf(' ')), line.slice(line.lastIndexOf(' ') + 1)];
    if (Object.entries(labels).every(([k, v]) => series.includes(`${k}="${v}"`))) return Number(value);
  }
  return undefined;
}

describe('metrics for an operator', () => {
  let system: TestSystem;
  let worker: ChildProcess;
  let workerMetrics: string;

  beforeAll(async () => {
    system = await startTestSystem({}, { worker: false });
    const port = await freePort();
    // Failed webhook deliveries go to the dead-letter queue after one attempt.
    worker = startWorkerProcess(system, { env: { WORKER_METRICS_PORT: String(port), DELIVERY_ATTEMPTS: '1', DELIVERY_BACKOFF_MS: '10' } });
    workerMetrics = `http://127.0.0.1:${port}/metrics`;
  });
  afterAll(async () => {
    worker?.kill('SIGTERM');
    await system?.stop();
  });

  const scrapeWorker = () => fetch(workerMetrics).then((r) => (r.ok ? r.text() : ''), () => '');
  const scrapeApi = () => request(system.baseUrl).get('/metrics').then((r) => r.text);

  it('answers liveness without asking any service', async () => {
    const response = await request(system.baseUrl).get('/health/live').expect(200);
    expect(response.body).toEqual({ status: 'ok' });
  });

  it('shows a decision in the request histogram, the SDK metrics, the task and queue gauges', async () => {
    const admin = request.agent(system.baseUrl).auth(await system.tokenFor(DEMO.admin), { type: 'bearer' });
    // A webhook to a closed port: the task's opening is dead-lettered.
    const closed = await freePort();
    await admin.post('/webhooks').send({ url: `http://127.0.0.1:${closed}/hook`, events: ['task.opened'] }).expect(201);

    const open = (text: string) => sample(text, 'rollplan_tasks', { kind: 'adhoc.request', state: 'open' }) ?? 0;
    const before = await eventually(scrapeWorker, (text) => text.includes('rollplan_tasks'), 30_000);
    const openBefore = open(before);
    const deadBefore = sample(before, 'rollplan_queue_jobs', { queue: 'rollplan-dead-letters', state: 'waiting' }) ?? 0;

    const task = await openAdhocRequest(admin, 'Scrape me', system.userIds[DEMO.admin]);
    const whileOpen = await eventually(scrapeWorker, (text) => open(text) === openBefore + 1, 15_000);
    expect(open(whileOpen)).toBe(openBefore + 1);

    await admin.post(`/tasks/${task.id}/complete`).set('Idempotency-Key', `metrics-${task.id}`).send({ outcome: 'done' }).expect(200);

    // The API: the decision counted under its route template, not its concrete path.
    const api = await scrapeApi();
    expect(sample(api, 'http_request_duration_seconds_count', { method: 'POST', route: '/tasks/:id/complete', status: '200' })).toBe(1);
    expect(api).not.toContain(task.id);
    expect(sample(api, 'http_request_duration_seconds_count', { method: 'POST', route: '/tasks', status: '201' })).toBeGreaterThanOrEqual(1);
    expect(sample(api, 'http_requests_in_flight')).toBeGreaterThanOrEqual(0);
    expect(sample(api, 'process_resident_memory_bytes')).toBeGreaterThan(0);

    // The worker: the task closed, the failed delivery dead-lettered, the SDK's own metrics moved.
    const after = await eventually(
      scrapeWorker,
      (text) => open(text) === openBefore && (sample(text, 'rollplan_queue_jobs', { queue: 'rollplan-dead-letters', state: 'waiting' }) ?? 0) > deadBefore,
      30_000,
    );
    expect(open(after)).toBe(openBefore);
    expect(sample(after, 'rollplan_queue_jobs', { queue: 'rollplan-dead-letters', state: 'waiting' })).toBe(deadBefore + 1);
    expect(sample(after, 'rollplan_outbox_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(sample(after, 'temporal_workflow_task_execution_latency_count')).toBeGreaterThan(0);
    expect(sample(after, 'temporal_activity_execution_latency_count')).toBeGreaterThan(0);
    expect(sample(after, 'temporal_workflow_task_schedule_to_start_latency_count')).toBeGreaterThan(0);
    expect(sample(after, 'temporal_num_pollers', { poller_type: 'workflow_task' })).toBeGreaterThan(0);
    expect(after).toContain('temporal_sticky_cache_size');
  }, 120_000);

  it('has every metric the provisioned Grafana dashboard queries', async () => {
    const dashboard = JSON.parse(readFileSync(join(__dirname, '../../deploy/grafana/dashboards/rollplan.json'), 'utf8')) as { panels: { targets?: { expr: string }[] }[] };
    const queried = new Set(dashboard.panels.flatMap((p) => (p.targets ?? []).flatMap((t) => metricNames(t.expr))));
    expect(queried.size).toBeGreaterThanOrEqual(8);
    const exposed = (await scrapeApi()) + (await eventually(scrapeWorker, (text) => text.includes('temporal_'), 15_000));
    // A histogram is declared once (# TYPE name histogram) and queried as name_bucket / _count / _sum.
    const missing = [...queried].filter((name) => !new RegExp(`^# TYPE ${name.replace(/_(bucket|count|sum)$/, '')} `, 'm').test(exposed));
    expect(missing).toEqual([]);
  });
});

/** The metric names a PromQL expression reads (not its functions, labels, grouping or ranges). */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"[^"]*"/g, '')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\b(by|without)\s*\([^)]*\)/g, '')
    .replace(/\[[^\]]*\]/g, '');
  return [...bare.matchAll(/\b[a-zA-Z_:][a-zA-Z0-9_:]*\b(?!\s*\()/g)].map((m) => m[0]);
}
