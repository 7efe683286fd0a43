import type { ChildProcess } from 'node:child_process';
import request from 'supertest';
import { DEMO_PASSWORD, seedDemoOrganization } from '@rollplan/api';
import { freePort } from '@rollplan/devstack';
import { startApiProcess } from '../support/api-process';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startOtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver';
import { startWebhookReceiver } from '../support/receivers';
import { openAdhocRequest } from '../support/http-cycle';
import { DEMO, eventually } from '../support/system';
import { Client, Connection } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { harnessEnv } from '../support/harness-env';
import { quietRuntime, uniqueTaskQueue } from '../support/temporal';
import { startWorkerProcess } from '../support/worker-process';
import { workflowSinks } from '@rollplan/worker';

// Issue 20: one decision traced from the HTTP request through the Temporal client, the workflow's
// update handler and its activity, to the notification job and the webhook it posts. The API and
// the worker are the real processes with OTEL_EXPORTER_OTLP_ENDPOINT set, exporting to a receiver
// in this process, as they would to a collector.
describe('a decision, traced end to end', () => {
  const taskQueue = uniqueTaskQueue('trace');
  let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
  let hooks: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let db: TestDatabase;
  let worker: ChildProcess;
  let api: { child: ChildProcess; baseUrl: string };
  const apiLog: string[] = [];

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    hooks = await startWebhookReceiver();
    db = await createTestDatabase();
    await seedDemoOrganization(db.dataSource);
    // Spans leave each process in batches; a short delay keeps the test quick.
    const tracing = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_BSP_SCHEDULE_DELAY: '100' };
    worker = startWorkerProcess({ taskQueue, db }, { env: tracing });
    api = await startApiProcess({ taskQueue, db }, { env: { ...tracing, LOG_LEVEL: 'info' }, onLog: (line) => apiLog.push(line) });
  });
  afterAll(async () => {
    worker?.kill('SIGTERM');
    api?.child.kill('SIGTERM');
    await receiver?.stop();
    await hooks?.stop();
    await db?.drop();
  });

  it('is one trace from the request to the activity, the notification job and the webhook', async () => {
    const login = await request(api.baseUrl).post('/auth/login').send({ email: DEMO.admin, password: DEMO_PASSWORD }).expect(200);
    const admin = request.agent(api.baseUrl).auth(login.body.accessToken, { type: 'bearer' });
    const me = (await admin.get('/auth/me').expect(200)).body as { id: string };
    await request(api.baseUrl).get('/docs/openapi.json').expect(200);
    await admin.post('/webhooks').send({ url: hooks.url, events: ['task.decided'] }).expect(201);
    const task = await openAdhocRequest(admin, 'Trace me', me.id);
    await admin.post(`/tasks/${task.id}/complete`).set('Idempotency-Key', `trace-${task.id}`).send({ outcome: 'done' }).expect(200);

    // The request's span, named after its route, is the root of the decision's trace.
    const root = await eventually(
      async () => receiver.spans.find((s) => s.service === 'rollplan-api' && s.name === 'POST /tasks/:id/complete'),
      Boolean,
      15_000,
    );
    if (!root) throw new Error(`no span for the decision's request; received: ${[...new Set(receiver.spans.map((s) => `${s.service} ${s.name}`))].join(', ')}`);
    expect(root.parentSpanId).toBe('');
    const inTrace = () => receiver.spans.filter((s) => s.traceId === root.traceId);
    const named = (spans: ReceivedSpan[], service: string, name: string | RegExp) =>
      spans.filter((s) => s.service === service && (typeof name === 'string' ? s.name === name : name.test(s.name)));
    // The webhook's delivery is the last link; wait for its span.
    const spans = await eventually(async () => inTrace(), (found) => named(found, 'rollplan-worker', /^POST/).length > 0, 30_000);

    // API: the Temporal client's update, a child of the request.
    const update = named(spans, 'rollplan-api', 'StartWorkflowUpdate:completeTask');
    expect(update).toHaveLength(1);
    // Worker: the workflow's update handler and the activity that records the decision.
    const handler = named(spans, 'rollplan-worker', 'HandleUpdate:completeTask');
    expect(handler).toHaveLength(1);
    const activity = named(spans, 'rollplan-worker', 'RunActivity:recordTaskDecision');
    expect(activity.length).toBeGreaterThanOrEqual(1);
    // ...whose database statements are in the trace too.
    expect(spans.some((s) => s.parentSpanId === activity[0].spanId && s.service === 'rollplan-worker' && /^pg\./.test(s.name))).toBe(true);
    // The notification jobs, through the outbox: the fan-out and the webhook delivery, then its POST.
    expect(named(spans, 'rollplan-worker', /process rollplan-notifications/)).not.toHaveLength(0);
    expect(named(spans, 'rollplan-worker', /process rollplan-webhooks/)).not.toHaveLength(0);

    // One tree: every span's parent is in the trace, the request's span is the only root.
    const ids = new Set(spans.map((s) => s.spanId));
    expect(spans.filter((s) => s.parentSpanId === '').map((s) => s.name)).toEqual([root.name]);
    expect(spans.filter((s) => s.parentSpanId !== '' && !ids.has(s.parentSpanId)).map((s) => `${s.service} ${s.name}`)).toEqual([]);
    // The update's span leads to the handler's, the handler's to the activity's.
    const ancestors = (span: ReceivedSpan) => {
      const chain: string[] = [];
      for (let s: ReceivedSpan | undefined = span; s; s = spans.find((p) => p.spanId === s!.parentSpanId)) chain.push(s.name);
      return chain;
    };
    expect(ancestors(activity[0])).toEqual(expect.arrayContaining(['HandleUpdate:completeTask', 'StartWorkflowUpdate:completeTask', root.name]));

    // The webhook's receiver is handed the trace too (W3C traceparent).
    const hook = hooks.received.find((h) => h.headers['x-rollplan-event'] === 'task.decided');
    expect(String(hook?.headers.traceparent)).toContain(root.traceId);
    // The API's log line for the request carries the trace id.
    const logged = apiLog.map((line) => JSON.parse(line) as { trace_id?: string; req?: { url?: string } }).filter((l) => l.trace_id === root.traceId);
    expect(logged.some((l) => l.req?.url === `/tasks/${task.id}/complete`)).toBe(true);
    // The traced execution's history carries the trace in its activity's header, and replays.
    const connection = await Connection.connect({ address: harnessEnv().ROLLPLAN_TEST_TEMPORAL_ADDRESS });
    try {
      const temporal = new Client({ connection });
      // The worker's sink labels each workflow span with its execution.
      const workflowId = String(handler[0].attributes.workflowId);
      const history = await temporal.workflow.getHandle(workflowId).fetchHistory();
      expect(JSON.stringify(history)).toContain('_tracer-data');
      quietRuntime();
      for await (const { error } of Worker.runReplayHistories({ workflowBundle: { codePath: harnessEnv().ROLLPLAN_TEST_WORKFLOW_BUNDLE }, replayName: 'traced', sinks: workflowSinks() }, [{ workflowId, history }])) {
        expect(error).toBeUndefined();
      }
    } finally {
      await connection.close();
    }
    // Neither probes (the readiness loop polled /health/live) nor the documentation page are traced.
    const targets = receiver.spans.map((s) => String(s.attributes['http.target'] ?? s.attributes['url.path'] ?? ''));
    expect(targets).toContain(`/tasks/${task.id}/complete`);
    expect(targets.filter((target) => /^\/(health|docs|metrics)/.test(target))).toEqual([]);
  });

  it('keeps answering while the collector is down: only the traces are lost', async () => {
    const closed = await freePort();
    const apiWithoutCollector = await startApiProcess({ taskQueue, db }, { env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${closed}`, OTEL_BSP_SCHEDULE_DELAY: '100' } });
    try {
      const login = await request(apiWithoutCollector.baseUrl).post('/auth/login').send({ email: DEMO.admin, password: DEMO_PASSWORD }).expect(200);
      const admin = request.agent(apiWithoutCollector.baseUrl).auth(login.body.accessToken, { type: 'bearer' });
      // Requests go on past several failed exports (a batch every 100 ms).
      for (let i = 0; i < 5; i++) {
        await admin.get('/tasks').expect(200);
        await new Promise((r) => setTimeout(r, 150));
      }
      await admin.post('/tasks').send({ kind: 'adhoc.request', title: 'Untraced', assignee: { type: 'user', userId: (await admin.get('/auth/me')).body.id }, dueAt: new Date(Date.now() + 86_400_000).toISOString() }).expect(201);
      expect(apiWithoutCollector.child.exitCode).toBeNull();
    } finally {
      apiWithoutCollector.child.kill('SIGTERM');
    }
  });
});
