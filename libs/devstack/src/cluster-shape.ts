import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Versions scripts/setup.mjs builds (plain Node before the build, hence a JSON file). */
const CLUSTER_TOOLS = JSON.parse(readFileSync(join(__dirname, '..', 'cluster-tools.json'), 'utf8')) as {
  temporalServer: string;
  temporalUi: string;
  goToolchain: string;
};

/**
 * The shape of the cluster profile (`npm start -- --cluster`), shared with docker-compose.yml
 * (the deploy tier checks that the two agree): Temporal's services as separate processes on
 * PostgreSQL, and rollplan's workers and API replicas behind a reverse proxy.
 */
export const CLUSTER_SHAPE = {
  /** The Temporal server built from the Go module proxy and run by the profile. */
  temporalVersion: CLUSTER_TOOLS.temporalServer,
  /** Its Web UI server, built the same way. */
  temporalUiVersion: CLUSTER_TOOLS.temporalUi,
  /** History shards of a new cluster (fixed for the cluster's life: see docs/scaling.md). */
  historyShards: 8,
  /** Temporal's services, each its own process (`temporal-server start --service …`). */
  temporalServices: ['frontend', 'history', 'matching', 'worker'] as const,
  /** rollplan workers polling the task queue. */
  workers: 2,
  /** API replicas behind the proxy. */
  apiReplicas: 2,
} as const;
