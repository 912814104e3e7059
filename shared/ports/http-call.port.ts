/**
 * Calls to the pipeline's own HTTP services (the prediction coordinator, the
 * analytics service) on Cloud Run. The caller attaches a Google ID token for
 * `audience`, so the service's invoker check passes.
 */
export type HttpMethod = 'POST' | 'PUT';

export interface HttpCall {
  /** the configured service's name (`prediction_coordinator`), for logs and the replay report */
  target: string;
  method: HttpMethod;
  url: string;
  /** sent as JSON */
  body: unknown;
  /** ID-token audience; without one no Authorization header is sent */
  audience?: string;
  headers?: Record<string, string>;
  /** the call is abandoned (and throws) after this long */
  timeoutMs: number;
}

/** Whatever the service answered, 2xx or not. */
export interface HttpAnswer {
  status: number;
  /** the answer's text, cut to a few kilobytes */
  body: string;
}

export interface HttpCaller {
  /** Resolves with any answer the service gave; throws when there was none (network error, timeout). */
  call(request: HttpCall): Promise<HttpAnswer>;
}

/** Mints or fetches an ID token for one audience. */
export type IdTokenSource = (audience: string) => Promise<string>;
