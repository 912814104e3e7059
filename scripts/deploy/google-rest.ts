import { API_ROOTS, type GoogleApi, type RestRead } from '../../infra/google-resources.js';

/** A read that failed for a reason other than "it does not exist": never taken for "missing". */
export class GoogleReadError extends Error {
  constructor(
    readonly status: number,
    readonly what: string,
    readonly reason: string,
  ) {
    super(`reading ${what} answered HTTP ${status}: ${reason}`);
  }
}

export type ReadResult = { found: true; body: Record<string, unknown> } | { found: false };

/**
 * Reads Google resources over REST with the same access token and the same API roots gcloud uses
 * (`CLOUDSDK_API_ENDPOINT_OVERRIDES_<API>` included), so `--apply` sees what gcloud changes.
 */
export class GoogleRest {
  constructor(
    private readonly token: string,
    private readonly env: Record<string, string | undefined>,
  ) {}

  root(api: GoogleApi | 'cloudscheduler'): string {
    return this.env[`CLOUDSDK_API_ENDPOINT_OVERRIDES_${api.toUpperCase()}`] ?? API_ROOTS[api];
  }

  async read(request: RestRead, attempts = 4): Promise<ReadResult> {
    const url = new URL(request.path, this.root(request.api)).toString();
    for (let attempt = 1; ; attempt++) {
      const response = await fetch(url, {
        method: request.method ?? 'GET',
        headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
        ...(request.method === 'POST'
          ? { body: JSON.stringify({ options: { requestedPolicyVersion: 3 } }) }
          : {}),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await response.text();
      if (response.status === 404) return { found: false };
      if (response.ok) {
        const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
        if (!request.list) return { found: true, body };
        const item = ((body[request.list.key] ?? []) as Array<Record<string, unknown>>).find(
          request.list.where,
        );
        return item ? { found: true, body: item } : { found: false };
      }
      const transient = response.status === 429 || response.status >= 500;
      if (!transient || attempt >= attempts) {
        const reason = ((): string => {
          try {
            return (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text;
          } catch {
            return text;
          }
        })();
        throw new GoogleReadError(
          response.status,
          `${request.api} ${request.path.split('?')[0]}`,
          reason.slice(0, 300),
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
    }
  }
}
