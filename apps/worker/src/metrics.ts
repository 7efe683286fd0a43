// The worker's Prometheus endpoint (WORKER_METRICS_PORT): BullMQ queue depths, the outbox's lag,
// tasks open/overdue/escalated by kind, prom-client's process metrics, and the Temporal SDK's own
// runtime metrics (workflow task and activity latencies, schedule-to-start, sticky cache, pollers),
// which the SDK's Rust core exposes on a loopback port of its own and this endpoint passes on.
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { Queue, type ConnectionOptions } from 'bullmq';
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { DataSource } from 'typeorm';
import { QueueName } from '@rollplan/workflows';

export interface WorkerMetricsOptions {
  port: number;
  host?: string;
  dataSource: DataSource;
  redis: ConnectionOptions;
  /** BullMQ key prefix (QUEUE_PREFIX). */
  prefix: string;
  /** Where the SDK's Prometheus exporter listens (Runtime telemetryOptions.metrics.prometheus). */
  sdkMetricsUrl?: string;
}

export interface WorkerMetrics {
  port: number;
  registry: Registry;
  close(): Promise<void>;
}

/** Job states a queue is reported in: `waiting` is the backlog, `failed` what used up its retries. */
const JOB_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

export async function startWorkerMetrics(options: WorkerMetricsOptions): Promise<WorkerMetrics> {
  const registry = new Registry();
  registry.setDefaultLabels({ app: 'worker' });
  collectDefaultMetrics({ register: registry });
  const queues = Object.values(QueueName).map((name) => new Queue(name, { connection: options.redis, prefix: options.prefix }));
  const { dataSource } = options;

  // Read at scrape time, so the figures are as fresh as the scrape. Every worker reports the same
  // shared figures (queues, outbox, tasks): aggregate them with max(), not sum().
  new Gauge({
    name: 'rollplan_queue_jobs',
    help: 'BullMQ jobs by queue and state (rollplan-dead-letters: deliveries that used up their retries)',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      const counts = await Promise.all(queues.map((queue) => queue.getJobCounts(...JOB_STATES).then((c) => [queue.name, c] as const)));
      this.reset();
      for (const [queue, byState] of counts) for (const state of JOB_STATES) this.set({ queue, state }, byState[state] ?? 0);
    },
  });
  new Gauge({
    name: 'rollplan_outbox_lag_seconds',
    help: 'Age of the oldest event in the outbox not yet handed to the notification queue (0 when none waits)',
    registers: [registry],
    async collect() {
      const [row] = await dataSource.query(`SELECT coalesce(extract(epoch FROM now() - min(created_at)), 0)::float AS lag FROM outbox WHERE dispatched_at IS NULL`);
      this.set(Number(row.lag));
    },
  });
  new Gauge({
    name: 'rollplan_tasks',
    help: 'Human tasks not yet decided, by kind: open (incl. claimed), overdue (past due), escalated (at least one escalation step)',
    labelNames: ['kind', 'state'] as const,
    registers: [registry],
    async collect() {
      const rows: { kind: string; open: number; overdue: number; escalated: number }[] = await dataSource.query(
        `SELECT kind,
                count(*)::int AS open,
                (count(*) FILTER (WHERE due_at < now()))::int AS overdue,
                (count(*) FILTER (WHERE escalation_step > 0))::int AS escalated
           FROM tasks WHERE status IN ('open', 'claimed') GROUP BY kind`,
      );
      this.reset();
      for (const row of rows) for (const state of ['open', 'overdue', 'escalated'] as const) this.set({ kind: row.kind, state }, row[state]);
    },
  });

  const server: Server = createServer((request, response) => {
    if (request.url !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    void exposition(registry, options.sdkMetricsUrl).then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics unavailable: ${String(error)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    registry,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all(queues.map((queue) => queue.close()));
    },
  };
}

/** A loopback port free a moment ago, for the SDK's exporter (bound before the worker starts). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createTcpServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** rollplan's metrics, then the SDK's (distinct names: `temporal_…`). */
async function exposition(registry: Registry, sdkMetricsUrl?: string): Promise<string> {
  const own = await registry.metrics();
  if (!sdkMetricsUrl) return own;
  const sdk = await fetch(sdkMetricsUrl, { signal: AbortSignal.timeout(2000) }).then((r) => r.text());
  return `${own}\n${sdk}`;
}
