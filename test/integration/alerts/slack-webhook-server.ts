import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlackWebhookServer {
  url: string;
  /** messages the server accepted (answered 200), as Slack would show them */
  accepted: Array<{ text: string }>;
  /** every request, accepted or not */
  requests: number;
  /** the status the next requests get (200 by default) */
  answerWith(status: number): void;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 standing in for a Slack incoming webhook. */
export async function startSlackWebhookServer(): Promise<SlackWebhookServer> {
  let status = 200;
  const accepted: Array<{ text: string }> = [];
  const state = { requests: 0 };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      state.requests += 1;
      if (status === 200) accepted.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      response.writeHead(status, { 'content-type': 'text/plain' });
      response.end(status === 200 ? 'ok' : 'internal_error');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/services/T000/B000/secret-token-xyz`,
    accepted,
    get requests() {
      return state.requests;
    },
    answerWith(next) {
      status = next;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
