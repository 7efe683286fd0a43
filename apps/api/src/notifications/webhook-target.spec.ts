import { webhookAllowList } from '@rollplan/domain';
import { webhookTargetProblem } from './webhook-target';

const NONE = webhookAllowList('none', 'production');
const dns: Record<string, string[]> = {
  'hooks.example.com': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
  'metadata.internal': ['169.254.169.254'],
  'mixed.example.com': ['93.184.215.14', '10.0.0.7'],
  'mapped.example.com': ['::ffff:127.0.0.1'],
};
const resolve = async (host: string) => {
  if (host === 'slow.example.com') return new Promise<never>(() => undefined);
  const addresses = dns[host];
  if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

describe('webhookTargetProblem', () => {
  it('accepts a name that resolves to public addresses only', async () => {
    expect(await webhookTargetProblem('https://hooks.example.com/rollplan', NONE, resolve)).toBeUndefined();
  });

  it.each(['http://metadata.internal/latest/', 'https://mixed.example.com/', 'https://mapped.example.com/'])('refuses %s, which resolves to a non-public address', async (url) => {
    expect(await webhookTargetProblem(url, NONE, resolve)).toMatch(/^not allowed: [\w.]+ resolves to a non-public address/);
  });

  it('names the kind of a refused literal address', async () => {
    expect(await webhookTargetProblem('http://[::ffff:a9fe:a9fe]/', NONE, resolve)).toMatch(/^not allowed: ::ffff:a9fe:a9fe is a link-local address/);
    expect(await webhookTargetProblem('http://localhost:3000/', NONE, resolve)).toMatch(/^not allowed: localhost is a loopback address/);
  });

  it('leaves a name that does not resolve, or not in time, to the check at delivery', async () => {
    expect(await webhookTargetProblem('https://not-yet.example.com/', NONE, resolve)).toBeUndefined();
    expect(await webhookTargetProblem('https://slow.example.com/', NONE, resolve, 50)).toBeUndefined();
  });

  it('accepts what the allow-list names, and does not resolve a named host', async () => {
    const allowed = webhookAllowList('metadata.internal, 10.0.0.0/8', 'production');
    const never = () => Promise.reject(new Error('resolved a trusted name'));
    expect(await webhookTargetProblem('http://metadata.internal/latest/', allowed, never)).toBeUndefined();
    expect(await webhookTargetProblem('https://mixed.example.com/', allowed, resolve)).toBeUndefined();
    expect(await webhookTargetProblem('http://127.0.0.1/', allowed, resolve)).toMatch(/not allowed/);
  });
});
