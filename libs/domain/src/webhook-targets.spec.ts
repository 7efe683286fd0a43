import {
  addressScope,
  checkWebhookHost,
  isAllowedWebhookAddress,
  parseIp,
  parseWebhookAllowList,
  webhookAllowList,
  webhookRefusal,
} from './webhook-targets';

const NONE = { entries: [] };
const list = (setting: string) => {
  const { list: parsed, problems } = parseWebhookAllowList(setting);
  expect(problems).toEqual([]);
  return parsed;
};

describe('parseIp', () => {
  it.each([
    ['127.0.0.1', [127, 0, 0, 1]],
    ['0.0.0.0', [0, 0, 0, 0]],
    ['::1', [...new Array(15).fill(0), 1]],
    ['::', new Array(16).fill(0)],
    ['::ffff:127.0.0.1', [...new Array(10).fill(0), 0xff, 0xff, 127, 0, 0, 1]],
    ['::ffff:7f00:1', [...new Array(10).fill(0), 0xff, 0xff, 127, 0, 0, 1]],
    ['fe80::1', [0xfe, 0x80, ...new Array(13).fill(0), 1]],
    ['2001:DB8:0:0:0:0:0:1', [0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 1]],
    ['1::', [0, 1, ...new Array(14).fill(0)]],
  ])('reads %s', (text, bytes) => {
    expect(parseIp(text)?.bytes).toEqual(bytes);
  });

  it.each(['', '1.2.3', '1.2.3.4.5', '256.0.0.1', '01.2.3.4', '0x7f.0.0.1', '2130706433', '1:2:3', ':1::', '1::2::3', '1:2:3:4:5:6:7:8:9', '::1%eth0', 'fe80::g', 'localhost', '[::1]', '1:2:3:4:5:6:7:1.2.3.4'])(
    'refuses %j',
    (text) => {
      expect(parseIp(text)).toBeUndefined();
    },
  );
});

describe('addressScope', () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['93.184.215.14', 'public'],
    ['172.32.0.1', 'public'],
    ['100.128.0.1', 'public'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['::ffff:8.8.8.8', 'public'],
    ['::127.0.0.1', 'reserved'], // IPv4-compatible (deprecated)
    ['64:ff9b::7f00:1', 'loopback'], // NAT64 of 127.0.0.1
    ['64:ff9b::808:808', 'public'],
    ['2002:7f00:1::1', 'loopback'], // 6to4 of 127.0.0.1
    ['2002:c0a8:101::1', 'private'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['fe80::1', 'link-local'],
    ['febf::1', 'link-local'],
    ['fec0::1', 'private'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'reserved'],
    ['2001::1', 'reserved'], // Teredo
    ['100::1', 'reserved'],
    ['2606:4700:4700::1111', 'public'],
    ['2a00:1450:4001:80e::200e', 'public'],
    ['not an address', 'reserved'],
  ])('%s is %s', (address, scope) => {
    expect(addressScope(address)).toBe(scope);
  });
});

describe('parseWebhookAllowList', () => {
  it('reads hosts, ports, addresses and ranges', () => {
    expect(list(' Hooks.Corp.example , hooks.corp.example:8443, 10.1.2.3, 10.1.2.3:8080, ::1, [fd00::5]:9000, 10.0.0.0/8, fd00::/8, ::ffff:192.168.0.0/112 ').entries).toEqual([
      { kind: 'host', host: 'hooks.corp.example', port: undefined },
      { kind: 'host', host: 'hooks.corp.example', port: 8443 },
      { kind: 'address', ip: { family: 4, bytes: [10, 1, 2, 3] } },
      { kind: 'address', ip: { family: 4, bytes: [10, 1, 2, 3] }, port: 8080 },
      { kind: 'address', ip: { family: 6, bytes: [...new Array(15).fill(0), 1] } },
      { kind: 'address', ip: { family: 6, bytes: [0xfd, ...new Array(14).fill(0), 5] }, port: 9000 },
      { kind: 'range', ip: { family: 4, bytes: [10, 0, 0, 0] }, prefix: 8 },
      { kind: 'range', ip: { family: 6, bytes: [0xfd, ...new Array(15).fill(0)] }, prefix: 8 },
      { kind: 'range', ip: { family: 4, bytes: [192, 168, 0, 0] }, prefix: 16 },
    ]);
    expect(list('none').entries).toEqual([]);
  });

  it.each(['10.0.0.0/33', '10.0.0.0/x', 'fd00::/129', 'host:0', 'host:70000', 'bad host', 'a..b', '[10.0.0.1]:80', '[::1', 'none,localhost', ' , '])('refuses %j', (setting) => {
    expect(parseWebhookAllowList(setting).problems).not.toEqual([]);
  });
});

describe('webhookAllowList', () => {
  it('allows this machine in development and test, nothing in production, and what is set anywhere', () => {
    for (const env of ['development', 'test', undefined]) {
      expect(checkWebhookHost('localhost', 3000, webhookAllowList(undefined, env)).kind).toBe('trusted');
      expect(checkWebhookHost('127.0.0.1', 9, webhookAllowList('', env)).kind).toBe('address');
      expect(checkWebhookHost('[::1]', 9, webhookAllowList(undefined, env)).kind).toBe('address');
      expect(checkWebhookHost('10.0.0.1', 80, webhookAllowList(undefined, env)).kind).toBe('refused');
    }
    expect(checkWebhookHost('localhost', 3000, webhookAllowList(undefined, 'production')).kind).toBe('refused');
    expect(checkWebhookHost('127.0.0.1', 3000, webhookAllowList(undefined, 'production')).kind).toBe('refused');
    // A setting replaces the development default.
    expect(checkWebhookHost('127.0.0.1', 3000, webhookAllowList('none', 'test')).kind).toBe('refused');
    expect(checkWebhookHost('10.0.0.1', 80, webhookAllowList('10.0.0.0/8', 'production')).kind).toBe('address');
    expect(() => webhookAllowList('10.0.0.0/99', 'production')).toThrow(/WEBHOOK_ALLOWED_HOSTS/);
  });
});

describe('checkWebhookHost', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['[::1]', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['10.0.0.1', 'private'],
    ['[::ffff:7f00:1]', 'loopback'],
    ['[::]', 'unspecified'],
    ['0.0.0.0', 'unspecified'],
    ['[fe80::1]', 'link-local'],
    ['localhost', 'loopback'],
    ['LOCALHOST.', 'loopback'],
    ['api.localhost', 'loopback'],
  ])('refuses %s (%s) with no allow-list', (host, scope) => {
    expect(checkWebhookHost(host, 80, NONE)).toEqual({ kind: 'refused', scope });
  });

  it('connects to public addresses and resolves names', () => {
    expect(checkWebhookHost('93.184.215.14', 443, NONE).kind).toBe('address');
    expect(checkWebhookHost('[2606:4700:4700::1111]', 443, NONE).kind).toBe('address');
    expect(checkWebhookHost('hooks.example.com', 443, NONE).kind).toBe('resolve');
  });

  it('lets the allow-list name hosts, addresses and ranges, with or without a port', () => {
    const allowed = list('hooks.corp:8443, ci.localhost, 10.1.2.3:8080, 192.168.0.0/16, fd00::/8, [::1]:9');
    expect(checkWebhookHost('hooks.corp', 8443, allowed).kind).toBe('trusted');
    expect(checkWebhookHost('HOOKS.CORP', 8443, allowed).kind).toBe('trusted');
    expect(checkWebhookHost('hooks.corp', 443, allowed).kind).toBe('resolve');
    expect(checkWebhookHost('ci.localhost', 80, allowed).kind).toBe('trusted');
    expect(checkWebhookHost('10.1.2.3', 8080, allowed).kind).toBe('address');
    expect(checkWebhookHost('10.1.2.3', 8081, allowed)).toEqual({ kind: 'refused', scope: 'private' });
    expect(checkWebhookHost('192.168.7.7', 1, allowed).kind).toBe('address');
    expect(checkWebhookHost('[::ffff:c0a8:707]', 1, allowed).kind).toBe('address'); // 192.168.7.7, mapped
    expect(checkWebhookHost('[fd00::7]', 1, allowed).kind).toBe('address');
    expect(checkWebhookHost('[::1]', 9, allowed).kind).toBe('address');
    expect(checkWebhookHost('[::1]', 10, allowed).kind).toBe('refused');
    expect(checkWebhookHost('127.0.0.1', 9, allowed).kind).toBe('refused');
  });
});

describe('isAllowedWebhookAddress', () => {
  it('allows public and allow-listed resolved addresses only', () => {
    const allowed = list('10.1.2.3:8080, 172.16.0.0/12');
    expect(isAllowedWebhookAddress('93.184.215.14', 80, NONE)).toBe(true);
    expect(isAllowedWebhookAddress('2606:4700:4700::1111', 80, NONE)).toBe(true);
    expect(isAllowedWebhookAddress('127.0.0.1', 80, NONE)).toBe(false);
    expect(isAllowedWebhookAddress('::ffff:169.254.169.254', 80, NONE)).toBe(false);
    expect(isAllowedWebhookAddress('10.1.2.3', 8080, allowed)).toBe(true);
    expect(isAllowedWebhookAddress('::ffff:10.1.2.3', 8080, allowed)).toBe(true);
    expect(isAllowedWebhookAddress('10.1.2.3', 80, allowed)).toBe(false);
    expect(isAllowedWebhookAddress('172.20.0.5', 6379, allowed)).toBe(true);
    expect(isAllowedWebhookAddress('garbage', 80, allowed)).toBe(false);
  });
});

describe('webhookRefusal', () => {
  it('says the target is not allowed and why', () => {
    expect(webhookRefusal('10.0.0.1', 'private')).toMatch(/^not allowed: 10\.0\.0\.1 is a private address; .*WEBHOOK_ALLOWED_HOSTS/);
    expect(webhookRefusal('hooks.example', 'resolved')).toMatch(/^not allowed: hooks\.example resolves to a non-public address/);
  });
});
