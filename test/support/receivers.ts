import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

/** A local SMTP server that keeps every mail it receives. */
export async function startSmtpSink(): Promise<{ url: string; mails: ParsedMail[]; stop(): Promise<void> }> {
  const mails: ParsedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, _session, callback) {
      simpleParser(stream).then((mail) => {
        mails.push(mail);
        callback();
      }, callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = (server.server as Server).address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, mails, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}

export interface ReceivedHook {
  at: number;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A local webhook receiver; `respond` decides each answer: a status, or 'hang' to never answer. */
export async function startWebhookReceiver(respond: (hook: ReceivedHook) => number | 'hang' = () => 200) {
  const received: ReceivedHook[] = [];
  const hanging: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const hook = { at: Date.now(), headers: req.headers, body };
      received.push(hook);
      const answer = respond(hook);
      if (answer === 'hang') hanging.push(req);
      else res.writeHead(answer).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
