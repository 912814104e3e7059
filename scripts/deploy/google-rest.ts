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

export interface RestWrite {
  api: GoogleApi;
  path: string;
  method: 'POST' | 'PUT' | 'PATCH';
  body: unknown;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Reads Google resources over REST with the same access token and the same API roots gcloud uses
 * (`CLOUDSDK_API_ENDPOINT_OVERRIDES_<API>` included), so `--apply` sees what gcloud changes.
 * A list read (`RestRead.list`) fetches the whole collection once, every page, and answers every
 * resource of that kind from it until something changes the project (`changed()`), so a run
 * reads what exists with one list per kind instead of one read per resource.
 */
export class GoogleRest {
  /** API calls made, for the deploy's summary */
  calls = 0;
  private readonly lists = new Map<string, Promise<Array<Record<string, unknown>> | undefined>>();

  constructor(
    private readonly token: string,
    private readonly env: Record<string, string | undefined>,
  ) {}

  root(api: GoogleApi | 'cloudscheduler'): string {
    return this.env[`CLOUDSDK_API_ENDPOINT_OVERRIDES_${api.toUpperCase()}`] ?? API_ROOTS[api];
  }

  /** Something was created or changed: lists read before are stale. */
  changed(): void {
    this.lists.clear();
  }

  async read(request: RestRead, attempts = 4): Promise<ReadResult> {
    if (request.list) {
      const items = await this.listAll(request, attempts);
      const item = items?.find(request.list.where);
      return item ? { found: true, body: item } : { found: false };
    }
    const answer = await this.call(request.method ?? 'GET', request.api, request.path, undefined, attempts);
    return answer === undefined ? { found: false } : { found: true, body: answer };
  }

  /** A write (an IAM policy, a dataset's access list): transient answers are retried, others thrown. */
  async write(request: RestWrite, attempts = 4): Promise<Record<string, unknown>> {
    const answer = await this.call(request.method, request.api, request.path, request.body, attempts);
    this.changed();
    if (answer === undefined) throw new GoogleReadError(404, `${request.api} ${request.path}`, 'not found');
    return answer;
  }

  private listAll(request: RestRead, attempts: number) {
    const key = `${request.api} ${request.path}`;
    const cached = this.lists.get(key);
    if (cached) return cached;
    const fetching = (async () => {
      const items: Array<Record<string, unknown>> = [];
      let pageToken: string | undefined;
      do {
        const url = new URL(request.path, 'https://x/');
        if (pageToken) url.searchParams.set('pageToken', pageToken);
        const page = await this.call(
          'GET',
          request.api,
          `${url.pathname.slice(1)}${url.search}`,
          undefined,
          attempts,
        );
        if (page === undefined) return undefined;
        items.push(...((page[request.list!.key] ?? []) as Array<Record<string, unknown>>));
        pageToken = page.nextPageToken as string | undefined;
      } while (pageToken);
      return items;
    })();
    this.lists.set(key, fetching);
    fetching.catch(() => {
      if (this.lists.get(key) === fetching) this.lists.delete(key);
    });
    return fetching;
  }

  private async call(
    method: string,
    api: GoogleApi,
    path: string,
    body: unknown,
    attempts: number,
  ): Promise<Record<string, unknown> | undefined> {
    const url = new URL(path, this.root(api)).toString();
    for (let attempt = 1; ; attempt++) {
      this.calls += 1;
      const response = await fetch(url, {
        method,
        headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
        ...(body !== undefined
          ? { body: JSON.stringify(body) }
          : method === 'POST'
            ? { body: JSON.stringify({ options: { requestedPolicyVersion: 3 } }) }
            : {}),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await response.text();
      if (response.status === 404) return undefined;
      if (response.ok) return (text ? JSON.parse(text) : {}) as Record<string, unknown>;
      const transient = response.status === 429 || response.status >= 500;
      if (!transient || attempt >= attempts) {
        const reason = ((): string => {
          try {
            return (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text;
          } catch {
            return text;
          }
        })();
        throw new GoogleReadError(response.status, `${api} ${path.split('?')[0]}`, reason.slice(0, 300));
      }
      await sleep(250 * 2 ** attempt);
    }
  }
}
