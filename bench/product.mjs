// rollplan's product path as a reviewer's client calls it over HTTP, for the benchmarks
// (bench/run.mjs, bench/cluster.mjs): an ad-hoc request opened and decided, cycles started.
import { randomUUID } from 'node:crypto';

export const PASSWORD = 'rollplan-demo-2027';
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function until(probe, done, what, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined && done(value)) return value;
    if (Date.now() > deadline) throw new Error(`never: ${what}`);
    await sleep(20);
  }
}

/**
 * A client of the API at `base` that signs in as the demo people and waits out back-pressure
 * (503) as a polite client would; `client` (a Temporal client) sees when a request is open.
 */
export async function productClient(base, client) {
  // Access tokens expire (15 minutes) and a full run takes longer: each person logs in again every 5.
  const session = (email) => {
    let headers;
    let at = 0;
    return async () => {
      if (Date.now() - at > 5 * 60_000) {
        const login = await (await fetch(`${base}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) })).json();
        headers = { authorization: `Bearer ${login.accessToken}`, 'content-type': 'application/json' };
        at = Date.now();
      }
      return headers;
    };
  };
  const admin = session('admin@rollplan.example');
  const finance = session('finance@rollplan.example');
  const me = await (await fetch(`${base}/auth/me`, { headers: await admin() })).json();
  const state = { refused: 0 };
  /** POST that waits out back-pressure (503 with Retry-After). */
  const post = async (path, body, extra = {}) => {
    for (;;) {
      const response = await fetch(`${base}${path}`, { method: 'POST', headers: { ...(await admin()), ...extra }, body: JSON.stringify(body) });
      if (response.status === 503) {
        state.refused += 1;
        await sleep(500);
        continue;
      }
      if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
      return response.json();
    }
  };
  /** Opens an ad-hoc request to the admin and waits until its task is open. */
  const open = async () => {
    const { requestId } = await post('/tasks', { kind: 'adhoc.request', title: `Bench ${randomUUID()}`, assignee: { type: 'user', userId: me.id }, dueAt: new Date(Date.now() + 7 * 86_400_000).toISOString() });
    const tasks = await until(() => client.workflow.getHandle(requestId).query('tasks'), (t) => t.length > 0 && t[0].status === 'open', 'the request open');
    return { requestId, taskId: tasks[0].id };
  };
  const decide = ({ taskId }) => post(`/tasks/${taskId}/complete`, { outcome: 'done' }, { 'idempotency-key': randomUUID() });
  return { admin, finance, me, post, open, decide, state };
}

/** Lifecycles (open, then decide) per second with `concurrency` clients at once. */
export async function lifecyclesPerSecond(product, count, concurrency) {
  let next = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < count) await product.decide(await product.open());
    }),
  );
  return count / ((Date.now() - started) / 1000);
}
