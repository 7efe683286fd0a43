import { lookup as systemLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { checkWebhookHost, isAllowedWebhookAddress, webhookPort, type WebhookAllowList } from '@rollplan/domain';

/** Resolves a host name to every address it has (the system resolver by default; tests answer themselves). */
export type ResolveHost = (hostname: string) => Promise<LookupAddress[]>;

export const resolveWithSystem: ResolveHost = (hostname) =>
  new Promise((resolve, reject) => systemLookup(hostname, { all: true, verbatim: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))));

/** The target is not one webhooks may reach. The message says so and nothing about the network. */
export class WebhookTargetRefused extends Error {
  constructor() {
    super('webhook target not allowed: not a public address, and WEBHOOK_ALLOWED_HOSTS does not name it');
    this.name = 'WebhookTargetRefused';
  }
}

/** Any other failure to deliver, described without addresses or ports; `cause` keeps the detail for the worker's log. */
export class WebhookDeliveryFailed extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'WebhookDeliveryFailed';
  }
}

/**
 * A `lookup` for the request's socket: resolves once, refuses unless every address is allowed,
 * and hands the socket exactly the addresses it checked, so nothing resolved later (DNS
 * rebinding) is connected to.
 */
function checkingLookup(resolve: ResolveHost, allowed: (address: string) => boolean): LookupFunction {
  return (hostname: string, options: LookupOptions, callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void) => {
    resolve(hostname).then(
      (found) => {
        const addresses = options.family ? found.filter((a) => a.family === options.family) : found;
        if (addresses.length === 0) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '');
        if (!found.every((a) => allowed(a.address))) return callback(new WebhookTargetRefused(), '');
        if (options.all) callback(null, addresses);
        else callback(null, addresses[0].address, addresses[0].family);
      },
      (error: NodeJS.ErrnoException) => callback(error, ''),
    );
  };
}

export interface WebhookPost {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  allowList: WebhookAllowList;
  resolveHost?: ResolveHost;
}

/**
 * POSTs a webhook if its target is allowed (public, or named by WEBHOOK_ALLOWED_HOSTS) and
 * answers the receiver's status. No redirects are followed, no connection is pooled.
 * Throws WebhookTargetRefused before connecting anywhere not allowed, WebhookDeliveryFailed otherwise.
 */
export async function postWebhook({ url, headers, body, timeoutMs, allowList, resolveHost = resolveWithSystem }: WebhookPost): Promise<number> {
  let target: URL;
  try {
    target = new URL(url);
  } catch (error) {
    throw new WebhookDeliveryFailed('webhook URL does not parse', error);
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new WebhookDeliveryFailed('webhook URL is not http(s)');
  const port = webhookPort(target);
  const check = checkWebhookHost(target.hostname, port, allowList);
  if (check.kind === 'refused') throw new WebhookTargetRefused();
  // A literal address is connected to as it is (checked above); a name through the lookup below.
  const lookup = checkingLookup(resolveHost, (address) => check.kind === 'trusted' || isAllowedWebhookAddress(address, port, allowList));
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  try {
    return await new Promise<number>((resolve, reject) => {
      const request = send(
        target,
        {
          method: 'POST',
          headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
          lookup,
          agent: false,
          // A hanging receiver costs one timeout per try, never a workflow's time.
          signal: AbortSignal.timeout(timeoutMs),
        },
        (response: IncomingMessage) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  } catch (error) {
    if (error instanceof WebhookTargetRefused) throw error;
    throw new WebhookDeliveryFailed(describeFailure(error, timeoutMs), error);
  }
}

/** A failure in words that say what happened and nothing about where (no address, no port). */
function describeFailure(error: unknown, timeoutMs: number): string {
  const e = error as NodeJS.ErrnoException & { errors?: NodeJS.ErrnoException[] };
  if (e?.name === 'AbortError' || e?.name === 'TimeoutError') return `webhook timeout: no answer within ${timeoutMs} ms`;
  const code = e?.code ?? e?.errors?.[0]?.code ?? '';
  if (code === 'ECONNREFUSED') return 'webhook connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NODATA' || code === 'EAI_NONAME') return 'webhook host not found';
  if (code === 'ECONNRESET' || code === 'EPIPE' || e?.message === 'socket hang up') return 'webhook connection reset';
  if (code === 'ETIMEDOUT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'webhook host unreachable';
  if (/CERT|TLS|SSL|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code)) return 'webhook TLS handshake failed';
  return 'webhook delivery failed';
}

