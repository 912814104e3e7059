import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tokenClaims } from '../../shared/adapters/local.id-token.js';
import type { Clock } from '../../shared/ports/clock.port.js';

/** One request a stand-in received and what it answered. */
export interface StandInRequest {
  at: string;
  method: string;
  path: string;
  /** the JSON body, or the raw text when it was not JSON */
  body: unknown;
  /** the `aud` claim of the bearer token, when there was one */
  audience: string | null;
  idempotency_key: string | null;
  status: number;
  answer: unknown;
}

export interface StandInAnswer {
  status: number;
  body: unknown;
}

/** What a route sees: the parsed body (undefined when absent or not JSON), the raw text, the clock. */
export interface RouteRequest {
  body: unknown;
  text: string;
  contentType: string;
  authorization: string;
  now: Date;
}

export type Route = (request: RouteRequest) => StandInAnswer;

/**
 * A loopback HTTP server standing in for one of the incumbent's Cloud Run
 * services. In front of its routes it does what Cloud Run's invoker check
 * does: a bearer ID token whose audience is the service URL, or 401. Every
 * request is kept in `requests` with its answer; `failNext` / `failAlways`
 * make it answer an error (503 by default) without acting, for tests.
 */
export class ServiceStandIn {
  readonly requests: StandInRequest[] = [];
  private failures = 0;
  private failStatus = 503;
  private server: Server | undefined;
  url = '';

  constructor(
    readonly name: string,
    private readonly routes: Record<string, Route>,
    private readonly clock: Clock,
  ) {}

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      void this.answer(request).then(({ status, body }) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(body));
      });
    });
    this.url = await new Promise<string>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(0, '127.0.0.1', () => {
        const address = this.server!.address();
        if (typeof address === 'object' && address) resolve(`http://127.0.0.1:${address.port}`);
        else reject(new Error(`${this.name}: no port`));
      });
    });
    return this;
  }

  /** The next `times` requests are answered `status` and not acted on. */
  failNext(times: number, status = 503): void {
    this.failures = times;
    this.failStatus = status;
  }

  /** Every request from now on is answered `status` (a service that is down for good). */
  failAlways(status = 503): void {
    this.failNext(Number.POSITIVE_INFINITY, status);
  }

  recover(): void {
    this.failures = 0;
  }

  /** Requests to one path that the route accepted (2xx). */
  accepted(path: string): StandInRequest[] {
    return this.requests.filter((request) => request.path === path && request.status < 300);
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  private async answer(request: IncomingMessage): Promise<StandInAnswer> {
    const text = await readText(request);
    const path = new URL(request.url ?? '/', this.url).pathname;
    const contentType = String(request.headers['content-type'] ?? '');
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    const authorization = String(request.headers.authorization ?? '');
    const bearer = authorization.startsWith('Bearer ') ? authorization.slice('Bearer '.length) : '';
    const claims = bearer ? tokenClaims(bearer) : undefined;
    const audience = typeof claims?.aud === 'string' ? claims.aud : null;
    const answer = this.route(request.method ?? 'GET', path, audience, {
      body,
      text,
      contentType,
      authorization,
      now: this.clock.now(),
    });
    this.requests.push({
      at: this.clock.now().toISOString(),
      method: request.method ?? 'GET',
      path,
      body: body ?? (text || null),
      audience,
      idempotency_key: firstHeader(request.headers['idempotency-key']),
      status: answer.status,
      answer: answer.body,
    });
    return answer;
  }

  private route(method: string, path: string, audience: string | null, request: RouteRequest): StandInAnswer {
    // Cloud Run's invoker check runs before the service: no token, or one minted for another audience, is 401.
    if (audience === null)
      return { status: 401, body: { error: 'Unauthorized: no bearer ID token (Cloud Run invoker check)' } };
    if (audience !== this.url)
      return {
        status: 401,
        body: { error: `Unauthorized: token audience ${audience} is not this service (${this.url})` },
      };
    if (this.failures > 0) {
      this.failures -= 1;
      return { status: this.failStatus, body: { error: `${this.name} unavailable (injected for a test)` } };
    }
    const route = this.routes[path];
    if (!route) return { status: 404, body: { error: `no route ${path}` } };
    if (method !== 'POST') return { status: 405, body: { error: `${path} takes POST` } };
    return route(request);
  }
}

function firstHeader(value: string | string[] | undefined): string | null {
  if (Array.isArray(value)) return value[0] ?? null;
  return value ?? null;
}

function readText(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** YYYY-MM-DD that is a real calendar date (what Python's `strptime(value, '%Y-%m-%d')` accepts, zero-padded). */
export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const parsed = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(value);
}
