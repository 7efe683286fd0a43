import request from 'supertest';
import { verifyWebhook } from '@rollplan/worker';
import { startSmtpSink, startWebhookReceiver } from '../support/receivers';
import { DEMO, eventually, startTestSystem, type TestSystem } from '../support/system';

// Notifications through the API, with the worker's pipeline running: in-app, e-mail, webhooks, dead letters.
describe('notifications over HTTP', () => {
  let system: TestSystem;
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  let healthy = false;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  const as = async (email: string) => request.agent(system.baseUrl).auth(await system.tokenFor(email), { type: 'bearer' });
  const dueIn = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

  beforeAll(async () => {
    smtp = await startSmtpSink();
    receiver = await startWebhookReceiver(() => (healthy ? 204 : 503));
    system = await startTestSystem({ SMTP_URL: smtp.url, DELIVERY_ATTEMPTS: '2' });
  });
  afterAll(async () => {
    await system?.stop();
    await smtp?.stop();
    await receiver?.stop();
  });

  it('tells the holder in the app and by e-mail when a task is opened, and marks it read', async () => {
    const admin = await as(DEMO.admin);
    await admin.post('/tasks').send({ kind: 'adhoc.request', title: 'Update the HR headcount plan', assignee: { type: 'user', userId: system.userIds['hr@rollplan.example'] }, dueAt: dueIn(5) }).expect(201);
    const hr = await as('hr@rollplan.example');
    const inbox = await eventually(() => hr.get('/notifications').query({ unread: 'true' }).then((r) => r.body.items), (items) => items.length > 0);
    expect(inbox[0]).toMatchObject({ event: 'task.opened', title: 'New task: Update the HR headcount plan', readAt: null });
    const mail = await eventually(async () => smtp.mails.find((m) => m.subject === '[rollplan] New task: Update the HR headcount plan'), Boolean);
    expect((mail!.to as { text: string }).text).toBe('hr@rollplan.example');

    await hr.post(`/notifications/${inbox[0].id}/read`).expect(204);
    expect((await hr.get('/notifications').query({ unread: 'true' }).expect(200)).body.items.map((n: { id: string }) => n.id)).not.toContain(inbox[0].id);
    await (await as(DEMO.finance)).post(`/notifications/${inbox[0].id}/read`).expect(404);
  });

  it('signs webhook deliveries with the secret shown once, dead-letters failures, and retries them on request', async () => {
    const admin = await as(DEMO.admin);
    const hook = (await admin.post('/webhooks').send({ url: receiver.url, events: ['task.opened'] }).expect(201)).body;
    expect(hook.secret).toMatch(/^whsec_/);
    expect(JSON.stringify((await admin.get('/webhooks').expect(200)).body)).not.toContain(hook.secret);

    await admin.post('/tasks').send({ kind: 'adhoc.request', title: 'Refresh the competitor scan', assignee: { type: 'user', userId: system.userIds[DEMO.strategy] }, dueAt: dueIn(5) }).expect(201);
    const letters = await eventually(() => admin.get('/dead-letters').then((r) => r.body.items as { id: string; failedReason: string; data: { body: { event: string } } }[]), (items) => items.length > 0, 20_000);
    expect(letters[0]).toMatchObject({ failedReason: 'webhook answered 503', data: { body: { event: 'task.opened' } } });
    expect(receiver.received).toHaveLength(2);

    healthy = true;
    await admin.post(`/dead-letters/${letters[0].id}/retry`).expect(200);
    const delivered = await eventually(async () => receiver.received.length, (n) => n === 3);
    expect(delivered).toBe(3);
    const last = receiver.received[2];
    expect(verifyWebhook(hook.secret, last.body, String(last.headers['x-rollplan-signature']), Math.floor(Date.now() / 1000))).toBe(true);
    expect((await admin.get('/dead-letters').expect(200)).body.items).toEqual([]);
  });

  it('refuses a webhook URL that is not http(s) and unknown events', async () => {
    const response = await (await as(DEMO.admin)).post('/webhooks').send({ url: 'ftp://x.example/', events: ['task.exploded'] }).expect(400);
    expect(response.body.details.map((d: { path: string }) => d.path).sort()).toEqual(['events.0', 'url']);
  });
});

// Webhooks go to public addresses only, unless WEBHOOK_ALLOWED_HOSTS names the target.
describe('webhook targets over HTTP', () => {
  const REFUSED = [
    'http://127.0.0.1:8080/hooks',
    'http://[::1]/hooks',
    'http://169.254.169.254/latest/meta-data/',
    'http://10.0.0.1/hooks',
    'http://[::ffff:127.0.0.1]/hooks',
    'http://[::ffff:a9fe:a9fe]/hooks', // 169.254.169.254, IPv4-mapped, written in hex
    'http://localhost:3000/hooks',
    'http://api.localhost/hooks',
    'http://0.0.0.0/hooks',
    'http://[::]/hooks',
    'http://2130706433/hooks', // 127.0.0.1 as one number
    'http://172.16.5.4/hooks',
    'http://192.168.1.1/hooks',
    'http://[fd00::1]/hooks',
    'http://[fe80::1]/hooks',
    'http://100.64.0.1/hooks',
  ];
  const create = async (system: TestSystem, url: string) =>
    request(system.baseUrl).post('/webhooks').auth(await system.tokenFor(DEMO.admin), { type: 'bearer' }).send({ url, events: ['task.opened'] });

  describe('in production, with no allow-list', () => {
    let system: TestSystem;
    beforeAll(async () => {
      system = await startTestSystem({ NODE_ENV: 'production', JWT_SECRET: 'a-production-secret-of-forty-characters!' }, { worker: false });
    });
    afterAll(async () => system?.stop());

    it.each(REFUSED)('refuses %s, naming url', async (url) => {
      const response = await create(system, url);
      expect(response.status).toBe(400);
      expect(response.body.details.map((d: { path: string }) => d.path)).toEqual(['url']);
      expect(response.body.details[0].message).toMatch(/not allowed/);
    });

    it('accepts a public address', async () => {
      expect((await create(system, 'https://93.184.215.14/hooks')).status).toBe(201);
      expect((await create(system, 'http://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]:8443/hooks')).status).toBe(201);
    });
  });

  describe('with an allow-list the admin set', () => {
    let system: TestSystem;
    beforeAll(async () => {
      system = await startTestSystem({ WEBHOOK_ALLOWED_HOSTS: '10.0.0.0/8, hooks.localhost:8443' }, { worker: false });
    });
    afterAll(async () => system?.stop());

    it('accepts what it names and nothing else, localhost included (it replaces the development default)', async () => {
      expect((await create(system, 'http://10.0.0.1/hooks')).status).toBe(201);
      expect((await create(system, 'http://hooks.localhost:8443/hooks')).status).toBe(201);
      for (const url of ['http://hooks.localhost:8444/hooks', 'http://127.0.0.1:9/hooks', 'http://localhost/hooks', 'http://192.168.1.1/hooks']) {
        const response = await create(system, url);
        expect([url, response.status]).toEqual([url, 400]);
        expect(response.body.details.map((d: { path: string }) => d.path)).toEqual(['url']);
      }
    });
  });
});
