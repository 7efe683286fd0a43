// Which hosts a webhook may be delivered to. Pure: the apps parse URLs and resolve names, and
// ask these functions about what they found (at subscription time and again right before
// connecting, so a name that resolves elsewhere by then is caught too).
import { z } from 'zod';

/** An IP address as its bytes: 4 for IPv4, 16 for IPv6. */
export interface IpAddress {
  family: 4 | 6;
  bytes: number[];
}

/** Why an address is not public (or that it is). */
export type AddressScope = 'public' | 'unspecified' | 'loopback' | 'private' | 'link-local' | 'multicast' | 'reserved';

/** Dotted-decimal IPv4 (no leading zeros), or IPv6 in any RFC 4291 text form without a zone. */
export function parseIp(text: string): IpAddress | undefined {
  const v4 = parseIPv4(text);
  if (v4) return { family: 4, bytes: v4 };
  const v6 = parseIPv6(text);
  return v6 ? { family: 6, bytes: v6 } : undefined;
}

function parseIPv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p))) return undefined;
  const bytes = parts.map(Number);
  return bytes.every((b) => b <= 255) ? bytes : undefined;
}

function parseIPv6(text: string): number[] | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || !text.includes(':')) return undefined;
  let head = text;
  let tail: number[] = [];
  if (text.includes('.')) {
    // An embedded IPv4 address ends the text (`::ffff:127.0.0.1`).
    const at = text.lastIndexOf(':');
    const v4 = parseIPv4(text.slice(at + 1));
    if (!v4) return undefined;
    tail = [(v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]];
    head = text.slice(0, at + 1);
    if (!head.endsWith('::')) head = head.slice(0, -1);
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string) => (part === '' ? [] : part.split(':').map((g) => (/^[0-9a-fA-F]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)));
  const before = groups(halves[0]);
  const after = halves.length === 2 ? groups(halves[1]) : [];
  if ([...before, ...after].some(Number.isNaN)) return undefined;
  const given = before.length + after.length + tail.length;
  let words: number[];
  if (halves.length === 1) {
    if (given !== 8) return undefined;
    words = [...before, ...tail];
  } else {
    if (given > 7) return undefined;
    words = [...before, ...new Array<number>(8 - given).fill(0), ...after, ...tail];
  }
  return words.flatMap((w) => [w >> 8, w & 0xff]);
}

/** `::ffff:a.b.c.d` (IPv4-mapped IPv6) as the IPv4 address it reaches; any other address as it is. */
export function unmapIp(ip: IpAddress): IpAddress {
  if (ip.family === 6 && ip.bytes.slice(0, 10).every((b) => b === 0) && ip.bytes[10] === 0xff && ip.bytes[11] === 0xff) {
    return { family: 4, bytes: ip.bytes.slice(12) };
  }
  return ip;
}

function inPrefix(ip: IpAddress, range: IpAddress, prefix: number): boolean {
  if (ip.family !== range.family) return false;
  for (let bit = 0; bit < prefix; bit += 8) {
    const bits = Math.min(8, prefix - bit);
    const mask = (0xff << (8 - bits)) & 0xff;
    if ((ip.bytes[bit / 8] & mask) !== (range.bytes[bit / 8] & mask)) return false;
  }
  return true;
}

function cidr(text: string): [IpAddress, number] {
  const [address, prefix] = text.split('/');
  return [parseIp(address)!, Number(prefix)];
}

// IANA's special-purpose address registries, as far as they matter to an outgoing request.
const V4_SCOPES: [IpAddress, number, AddressScope][] = (
  [
    ['0.0.0.0/8', 'unspecified'], // "this network"; connecting to 0.0.0.0 reaches the host itself
    ['10.0.0.0/8', 'private'],
    ['100.64.0.0/10', 'private'], // carrier-grade NAT (shared address space)
    ['127.0.0.0/8', 'loopback'],
    ['169.254.0.0/16', 'link-local'], // cloud metadata services live here
    ['172.16.0.0/12', 'private'],
    ['192.0.0.0/24', 'reserved'], // IETF protocol assignments
    ['192.0.2.0/24', 'reserved'], // documentation
    ['192.88.99.0/24', 'reserved'], // 6to4 relays (deprecated)
    ['192.168.0.0/16', 'private'],
    ['198.18.0.0/15', 'reserved'], // benchmarking
    ['198.51.100.0/24', 'reserved'], // documentation
    ['203.0.113.0/24', 'reserved'], // documentation
    ['224.0.0.0/4', 'multicast'],
    ['240.0.0.0/4', 'reserved'], // includes the broadcast address
  ] as const
).map(([range, scope]): [IpAddress, number, AddressScope] => [...cidr(range), scope]);

const V6_SCOPES: [IpAddress, number, AddressScope][] = (
  [
    ['::/128', 'unspecified'],
    ['::1/128', 'loopback'],
    ['fc00::/7', 'private'], // unique local
    ['fec0::/10', 'private'], // site-local (deprecated)
    ['fe80::/10', 'link-local'],
    ['ff00::/8', 'multicast'],
    ['2001::/23', 'reserved'], // IETF protocol assignments, Teredo included
    ['2001:db8::/32', 'reserved'], // documentation
    ['3fff::/20', 'reserved'], // documentation
  ] as const
).map(([range, scope]): [IpAddress, number, AddressScope] => [...cidr(range), scope]);

const [NAT64, NAT64_PREFIX] = cidr('64:ff9b::/96');
const [SIX_TO_FOUR, SIX_TO_FOUR_PREFIX] = cidr('2002::/16');
const [GLOBAL_UNICAST, GLOBAL_UNICAST_PREFIX] = cidr('2000::/3');

/**
 * Whether an address is public, or what it is instead. IPv6 forms that carry an IPv4 address
 * (IPv4-mapped, NAT64, 6to4) take that address's scope; IPv6 outside global unicast is reserved.
 */
export function addressScope(address: IpAddress | string): AddressScope {
  const parsed = typeof address === 'string' ? parseIp(address) : address;
  if (!parsed) return 'reserved';
  const ip = unmapIp(parsed);
  if (ip.family === 4) return V4_SCOPES.find(([range, prefix]) => inPrefix(ip, range, prefix))?.[2] ?? 'public';
  if (inPrefix(ip, NAT64, NAT64_PREFIX)) return addressScope({ family: 4, bytes: ip.bytes.slice(12) });
  if (inPrefix(ip, SIX_TO_FOUR, SIX_TO_FOUR_PREFIX)) return addressScope({ family: 4, bytes: ip.bytes.slice(2, 6) });
  const special = V6_SCOPES.find(([range, prefix]) => inPrefix(ip, range, prefix))?.[2];
  if (special) return special;
  return inPrefix(ip, GLOBAL_UNICAST, GLOBAL_UNICAST_PREFIX) ? 'public' : 'reserved';
}

/** One entry of WEBHOOK_ALLOWED_HOSTS. */
export type WebhookAllowEntry =
  | { kind: 'host'; host: string; port?: number }
  | { kind: 'address'; ip: IpAddress; port?: number }
  | { kind: 'range'; ip: IpAddress; prefix: number };

/** Non-public targets the admin allows webhooks to reach. */
export interface WebhookAllowList {
  entries: WebhookAllowEntry[];
}

/** What development and test allow when WEBHOOK_ALLOWED_HOSTS is unset: this machine. */
export const DEV_WEBHOOK_ALLOWED_HOSTS = 'localhost,127.0.0.0/8,::1';

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

function parsePort(text: string): number | undefined {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  return port >= 1 && port <= 65535 ? port : undefined;
}

function parseEntry(raw: string): WebhookAllowEntry | string {
  const text = raw.toLowerCase();
  if (text.includes('/')) {
    const [address, prefixText, ...rest] = text.split('/');
    const ip = parseIp(address);
    const prefix = /^\d{1,3}$/.test(prefixText ?? '') ? Number(prefixText) : NaN;
    if (!ip || rest.length > 0 || !(prefix <= (ip.family === 4 ? 32 : 128))) return `"${raw}" is not a CIDR range`;
    // `::ffff:10.0.0.0/104` is the IPv4 range it maps.
    const unmapped = unmapIp(ip);
    if (unmapped.family === 4 && ip.family === 6) return prefix >= 96 ? { kind: 'range', ip: unmapped, prefix: prefix - 96 } : `"${raw}" is not a CIDR range`;
    return { kind: 'range', ip, prefix };
  }
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) {
    const ip = parseIp(bracketed[1]);
    const port = bracketed[2] === undefined ? undefined : parsePort(bracketed[2]);
    if (!ip || ip.family !== 6 || (bracketed[2] !== undefined && port === undefined)) return `"${raw}" is not [IPv6 address]:port`;
    return { kind: 'address', ip: unmapIp(ip), port };
  }
  const bare = parseIp(text);
  if (bare) return { kind: 'address', ip: unmapIp(bare) };
  const withPort = /^([^:]+):(\d+)$/.exec(text);
  const [name, portText] = withPort ? [withPort[1], withPort[2]] : [text, undefined];
  const port = portText === undefined ? undefined : parsePort(portText);
  if (portText !== undefined && port === undefined) return `"${raw}" has a bad port`;
  const ip = parseIp(name);
  if (ip) return { kind: 'address', ip, port };
  const host = name.replace(/\.$/, '');
  if (!HOST_NAME.test(host)) return `"${raw}" is not a host, host:port, IP address or CIDR range`;
  return { kind: 'host', host, port };
}

/**
 * Parses WEBHOOK_ALLOWED_HOSTS: comma-separated `host`, `host:port`, an IP address (`10.1.2.3`,
 * `10.1.2.3:8080`, `::1`, `[fd00::5]:8443`) or a CIDR range (`10.0.0.0/8`, `fd00::/8`); `none`
 * alone allows nothing. A named host is trusted whatever it resolves to.
 */
export function parseWebhookAllowList(setting: string): { list: WebhookAllowList; problems: string[] } {
  const items = setting.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 1 && items[0].toLowerCase() === 'none') return { list: { entries: [] }, problems: [] };
  const problems: string[] = [];
  const entries: WebhookAllowEntry[] = [];
  for (const item of items) {
    const entry = item.toLowerCase() === 'none' ? '"none" must stand alone' : parseEntry(item);
    if (typeof entry === 'string') problems.push(entry);
    else entries.push(entry);
  }
  if (items.length === 0) problems.push('names no host (use "none" to allow no private target)');
  return { list: { entries }, problems };
}

/** WEBHOOK_ALLOWED_HOSTS in the apps' validated configs: the raw setting, checked to parse. */
export const webhookAllowedHostsSetting = z
  .string()
  .optional()
  .superRefine((value, ctx) => {
    const problems = value === undefined ? [] : parseWebhookAllowList(value).problems;
    if (problems.length > 0) ctx.addIssue({ code: 'custom', message: problems.join('; ') });
  });

/**
 * The allow-list in force: WEBHOOK_ALLOWED_HOSTS when set (it replaces the default), else
 * localhost in development and test and nothing in production.
 */
export function webhookAllowList(setting: string | undefined, nodeEnv: string | undefined): WebhookAllowList {
  const text = setting?.trim() ? setting : nodeEnv === 'production' ? 'none' : DEV_WEBHOOK_ALLOWED_HOSTS;
  const { list, problems } = parseWebhookAllowList(text);
  if (problems.length > 0) throw new Error(`WEBHOOK_ALLOWED_HOSTS: ${problems.join('; ')}`);
  return list;
}

/** The host of a URL (`URL.hostname`: IPv6 in brackets) as the allow-list compares it. */
export function normalizeHost(hostname: string): string {
  return hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
}

function portMatches(entry: { port?: number }, port: number): boolean {
  return entry.port === undefined || entry.port === port;
}

function addressListed(ip: IpAddress, port: number, list: WebhookAllowList): boolean {
  const address = unmapIp(ip);
  return list.entries.some((entry) => {
    if (entry.kind === 'address') return portMatches(entry, port) && entry.ip.family === address.family && entry.ip.bytes.every((b, i) => b === address.bytes[i]);
    if (entry.kind === 'range') return inPrefix(address, entry.ip, entry.prefix);
    return false;
  });
}

/** A resolved (or literal) address a webhook may connect to: public, or named by the allow-list. */
export function isAllowedWebhookAddress(address: string, port: number, list: WebhookAllowList): boolean {
  const ip = parseIp(address);
  return Boolean(ip) && (addressScope(ip!) === 'public' || addressListed(ip!, port, list));
}

/**
 * What to do before connecting to a webhook's host:
 * - `trusted`: the allow-list names the host: resolve it and connect, no address checks;
 * - `address`: an IP address that is allowed: connect to it;
 * - `resolve`: a name: resolve it and connect only if every address is allowed
 *   (isAllowedWebhookAddress), to the address checked;
 * - `refused`: do not connect; `scope` says why.
 */
export type WebhookHostCheck =
  | { kind: 'trusted' }
  | { kind: 'address' }
  | { kind: 'resolve' }
  | { kind: 'refused'; scope: Exclude<AddressScope, 'public'> };

/** `hostname` as `URL.hostname` gives it; `port` the URL's, or its scheme's default. */
export function checkWebhookHost(hostname: string, port: number, list: WebhookAllowList): WebhookHostCheck {
  const host = normalizeHost(hostname);
  if (list.entries.some((entry) => entry.kind === 'host' && entry.host === host && portMatches(entry, port))) return { kind: 'trusted' };
  const ip = parseIp(host);
  if (ip) {
    const scope = addressScope(ip);
    if (scope === 'public' || addressListed(ip, port, list)) return { kind: 'address' };
    return { kind: 'refused', scope };
  }
  // RFC 6761: localhost names are loopback whatever a resolver says.
  if (host === 'localhost' || host.endsWith('.localhost')) return { kind: 'refused', scope: 'loopback' };
  return { kind: 'resolve' };
}

/** The URL parts the checks need (a WHATWG `URL` has them). */
export interface WebhookUrlParts {
  protocol: string;
  hostname: string;
  port: string;
}

/** The port a webhook URL connects to. */
export function webhookPort(url: WebhookUrlParts): number {
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

const SCOPE_NAMES: Record<Exclude<AddressScope, 'public'>, string> = {
  unspecified: 'an unspecified address',
  loopback: 'a loopback address',
  private: 'a private address',
  'link-local': 'a link-local address',
  multicast: 'a multicast address',
  reserved: 'a reserved address',
};

/** Why a webhook target is refused, for the admin who asked for it. */
export function webhookRefusal(host: string, scope: Exclude<AddressScope, 'public'> | 'resolved'): string {
  const what = scope === 'resolved' ? `${host} resolves to a non-public address` : `${host} is ${SCOPE_NAMES[scope]}`;
  return `not allowed: ${what}; webhooks go to public addresses unless WEBHOOK_ALLOWED_HOSTS names the target`;
}
