// The cluster profile's reverse proxy: Debian's nginx in the foreground, balancing the API replicas.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isListening, waitUntil } from './net';
import { startProcess, type ManagedProcess } from './process';

export interface ProxyOptions {
  dir: string;
  logFile: string;
  port: number;
  /** Ports of the API replicas on 127.0.0.1. */
  upstreamPorts: number[];
}

export const NGINX = '/usr/sbin/nginx';

/**
 * Starts nginx on `port` in front of the replicas. A replica that refuses connections (killed,
 * restarting) is skipped for 5 s and the request goes to the next one; a request already sent
 * is not sent twice unless it is idempotent (nginx's default for POST), so a decision is never
 * doubled by the proxy. Server-sent events pass unbuffered.
 */
export async function startProxy(options: ProxyOptions): Promise<ManagedProcess> {
  if (!existsSync(NGINX)) throw new Error(`nginx not found at ${NGINX}: run \`node scripts/setup.mjs --cluster\` (Debian's nginx package)`);
  mkdirSync(join(options.dir, 'temp'), { recursive: true });
  const config = join(options.dir, 'nginx.conf');
  writeFileSync(config, nginxConfig(options));
  const proxy = startProcess('proxy', NGINX, ['-p', options.dir, '-c', config], { logFile: options.logFile });
  let exitCode: number | string | undefined;
  void proxy.exited.then((code) => (exitCode = code));
  await waitUntil('the reverse proxy', async () => {
    if (exitCode !== undefined) throw new Error(`nginx exited (${exitCode}); see ${options.logFile}`);
    return isListening(options.port);
  }, 15_000, 100);
  return proxy;
}

function nginxConfig({ dir, logFile, port, upstreamPorts }: ProxyOptions): string {
  const temp = join(dir, 'temp');
  return `# Written by the cluster profile (libs/devstack/src/proxy.ts) at each start.
daemon off;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${logFile} warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${temp}/body;
  proxy_temp_path ${temp}/proxy;
  fastcgi_temp_path ${temp}/fastcgi;
  uwsgi_temp_path ${temp}/uwsgi;
  scgi_temp_path ${temp}/scgi;
  client_max_body_size 1m;
  upstream api {
${upstreamPorts.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=5s;`).join('\n')}
    keepalive 32;
  }
  server {
    listen 127.0.0.1:${port};
    # Prometheus scrapes each replica on its own port (processes.json); not through the proxy.
    location = /metrics { return 404; }
    location / {
      proxy_pass http://api;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_next_upstream error timeout;
      proxy_connect_timeout 2s;
      # Server-sent events (/notifications/stream): unbuffered and long-lived.
      proxy_buffering off;
      proxy_read_timeout 1h;
    }
  }
}
`;
}
