import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { DEMO, startTestSystem, type TestSystem } from '../support/system';

// Input that once poisoned the system or answered 500 (issue 14, items 2 and 5): each is refused
// at the edge with a 4xx in the one error shape, naming the field where there is one.
describe('hostile input', () => {
  let system: TestSystem;
  let token: string;
  beforeAll(async () => {
    system = await startTestSystem();
    token = await system.tokenFor(DEMO.admin);
  });
  afterAll(() => system?.stop());
  const raw = (method: 'post' | 'patch' | 'get', path: string) => request(system.baseUrl)[method](path).auth(token, { type: 'bearer' });
  const json = (method: 'post' | 'patch', path: string, body: string) => raw(method, path).set('content-type', 'application/json').send(body);
  const TEXT_ERROR = 'must not contain a NUL character or an unpaired surrogate';

  it.each([
    ['a cycle title with a NUL', '/cycles', '{"title":"Plan\\u0000 2028","startYear":2028}', 'title'],
    ['a cycle title with a lone surrogate', '/cycles', '{"title":"Plan \\ud800","startYear":2028}', 'title'],
    ['a user name with a NUL', '/users', '{"email":"nul@rollplan.example","displayName":"A\\u0000B","password":"long enough passphrase","roles":["contributor"]}', 'displayName'],
    ['an org-unit name with a NUL', '/org-units', '{"code":"nul-unit","name":"Unit\\u0000","kind":"subsidiary"}', 'name'],
    ['a field name with a NUL', '/cycles', '{"title":"Plan","startYear":2028,"x\\u0000":1}', 'x\u0000'],
  ])('refuses %s with 400 naming the field, and stores nothing', async (_, path, body, field) => {
    const response = await json('post', path, body).expect(400);
    expect(response.body).toEqual({ error: 'validation_failed', message: `invalid request: ${field}`, details: [{ path: field, message: TEXT_ERROR }] });
  });

  it('refuses a NUL in a query filter and in a comment', async () => {
    expect((await raw('get', '/audit?action=task%00').expect(400)).body.details).toEqual([{ path: 'action', message: TEXT_ERROR }]);
    const { body: cycle } = await json('post', '/cycles', '{"title":"Plan with a task","startYear":2028}').expect(201);
    const comment = await json('post', `/tasks/00000000-0000-4000-8000-000000000000/comments`, '{"body":"note \\udc00"}').expect(400);
    expect(comment.body.details).toEqual([{ path: 'body', message: TEXT_ERROR }]);
    expect((await raw('get', `/cycles/${cycle.id}`).expect(200)).body.title).toBe('Plan with a task');
  });

  it('answers 415 to a body in another charset than UTF-8', async () => {
    const response = await raw('post', '/cycles').set('content-type', 'application/json; charset=latin1').send('{"title":"Plan","startYear":2028}').expect(415);
    expect(response.body.error).toBe('unsupported_media_type');
  });

  it('answers 400 to a body that says gzip but is not, and takes one that is', async () => {
    const plain = await raw('post', '/cycles').set('content-type', 'application/json').set('content-encoding', 'gzip').send('{"title":"Plan","startYear":2028}');
    expect([plain.status, plain.body.error]).toEqual([400, 'malformed_json']);
    const gzipped = await fetch(`${system.baseUrl}/cycles`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync('{"title":"Zipped plan","startYear":2028}'),
    });
    expect([gzipped.status, await gzipped.json()]).toEqual([201, expect.objectContaining({ title: 'Zipped plan' })]);
  });

  it('answers 400 to a payload nested 20,000 levels deep', async () => {
    const deep = `{"title":"Plan","startYear":2028,"x":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
    const response = await json('post', '/cycles', deep).expect(400);
    expect(response.body).toEqual({ error: 'validation_failed', message: 'request body is nested deeper than 32 levels', details: [] });
  });

  it('answers a request Node’s HTTP parser refuses with the JSON error shape', async () => {
    const { port } = new URL(system.baseUrl);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.write('POST /cycles HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n'));
      let text = '';
      socket.on('data', (chunk) => (text += chunk));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request/);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({ error: 'validation_failed', message: expect.stringMatching(/^malformed HTTP request/), details: [] });
  });
});
