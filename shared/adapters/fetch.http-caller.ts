import type { HttpAnswer, HttpCall, HttpCaller, IdTokenSource } from '../ports/http-call.port.js';

/** Answers are kept for alerts and the report; a service's HTML error page is cut here. */
const ANSWER_LIMIT = 4_000;

/**
 * Calls a service with fetch, with a Google ID token for the call's audience
 * from `idTokens` (the metadata server in Cloud Run, a local token in the
 * local stack). The whole call, token included, is bounded by `timeoutMs`.
 */
export class FetchHttpCaller implements HttpCaller {
  constructor(private readonly idTokens: IdTokenSource) {}

  async call(request: HttpCall): Promise<HttpAnswer> {
    const signal = AbortSignal.timeout(request.timeoutMs);
    const token = request.audience ? await abortable(this.idTokens(request.audience), signal) : undefined;
    const response = await fetch(request.url, {
      method: request.method,
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...request.headers,
      },
      body: JSON.stringify(request.body),
      signal,
    }).catch((error: unknown) => {
      const reason = signal.aborted ? `no answer within ${request.timeoutMs} ms` : describe(error);
      throw new Error(`${request.method} ${request.url}: ${reason}`);
    });
    const text = await response.text().catch(() => '');
    return { status: response.status, body: text.slice(0, ANSWER_LIMIT) };
  }
}

function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error('no ID token within the call timeout'));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** fetch hides the reason (ECONNREFUSED, ENOTFOUND) in `cause`. */
function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
