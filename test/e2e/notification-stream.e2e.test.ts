import request from 'supertest';
import { DEMO, startTestSystem, type TestSystem } from '../support/system';

/** Reads server-sent events from a stream until `done` says enough, or the stream ends. */
async function readEvents(response: Response, done: (events: { id: string; event: string; data: Record<string, unknown> }[]) => boolean) {
  const events: { id: string; event: string; data: Record<string, unknown> }[] = [];
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  while (!done(events)) {
    const { value, done: ended } = await reader.read();
    if (ended) break;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const field = (name: string) => block.split('\n').find((line) => line.startsWith(`${name}: `))?.slice(name.length + 2);
      if (field('event')) events.push({ id: field('id')!, event: field('event')!, data: JSON.parse(field('data')!) });
    }
  }
  await reader.cancel();
  return events;
}

// Live updates for the web app (issue 15): a new task shows up in its holder's stream without a
// reload, and a reconnecting client gets what it missed from its Last-Event-ID.
describe('the notification stream', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem();
  });
  afterAll(() => system?.stop());

  it('delivers a new task’s notification as it happens, and what was missed after a reconnect', async () => {
    const finance = await system.tokenFor(DEMO.finance);
    const stream = await fetch(`${system.baseUrl}/notifications/stream?maxSeconds=30`, { headers: { authorization: `Bearer ${finance}` } });
    expect([stream.status, stream.headers.get('content-type')]).toEqual([200, 'text/event-stream; charset=utf-8']);
    const admin = request.agent(system.baseUrl).auth(await system.tokenFor(DEMO.admin), { type: 'bearer' });
    const started = Date.now();
    await admin.post('/tasks').send({ kind: 'adhoc.request', title: 'Send the Q4 forecast', assignee: { type: 'user', userId: system.userIds[DEMO.finance] }, dueAt: new Date(Date.now() + 7 * 86_400_000).toISOString() }).expect(201);
    const [live] = await readEvents(stream, (events) => events.length > 0);
    expect(live).toMatchObject({ event: 'notification', data: { event: 'task.opened', title: expect.stringContaining('Send the Q4 forecast') } });
    console.log(`notification stream: task opened → event in ${Date.now() - started} ms`);

    // Reconnecting from before it: the missed notification comes first; the stream ends on time.
    const resumed = await fetch(`${system.baseUrl}/notifications/stream?maxSeconds=1`, { headers: { authorization: `Bearer ${finance}`, 'last-event-id': '0-start' } });
    const missed = await readEvents(resumed, () => false);
    expect(missed.map((e) => e.data.id)).toContain(live.data.id);
    // Others' notifications never show.
    const strategy = await fetch(`${system.baseUrl}/notifications/stream?maxSeconds=1`, { headers: { authorization: `Bearer ${await system.tokenFor(DEMO.strategy)}`, 'last-event-id': '0-start' } });
    expect(await readEvents(strategy, () => false)).toEqual([]);
    await request(system.baseUrl).get('/notifications/stream').expect(401);
  });
});
