import { lookup } from 'node:dns';
import { checkWebhookHost, isAllowedWebhookAddress, normalizeHost, webhookPort, webhookRefusal, type WebhookAllowList } from '@rollplan/domain';

/** Resolves a host name to every address it has. */
export type ResolveHost = (hostname: string) => Promise<{ address: string; family: number }[]>;

const resolveWithSystem: ResolveHost = (hostname) =>
  new Promise((resolve, reject) => lookup(hostname, { all: true, verbatim: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))));

/**
 * Why a webhook URL may not be subscribed, or undefined if it may: its host must be public (a
 * name: every address it resolves to now) unless WEBHOOK_ALLOWED_HOSTS names it. A name that
 * does not resolve (yet), or not within `timeoutMs`, is accepted: the worker checks every
 * delivery again right before connecting, which is the check that counts.
 */
export async function webhookTargetProblem(url: string, allowList: WebhookAllowList, resolveHost: ResolveHost = resolveWithSystem, timeoutMs = 3000): Promise<string | undefined> {
  const target = new URL(url);
  const host = normalizeHost(target.hostname);
  const port = webhookPort(target);
  const check = checkWebhookHost(target.hostname, port, allowList);
  if (check.kind === 'refused') return webhookRefusal(host, check.scope);
  if (check.kind !== 'resolve') return undefined;
  let timer: NodeJS.Timeout | undefined;
  const addresses = await Promise.race([
    resolveHost(host).catch(() => undefined),
    new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), timeoutMs))),
  ]).finally(() => clearTimeout(timer));
  if (addresses?.some((a) => !isAllowedWebhookAddress(a.address, port, allowList))) return webhookRefusal(host, 'resolved');
  return undefined;
}
