import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import { alreadyExists, badRequest, GoogleError, notFound, permissionDenied } from './google-error.js';
import { PolicyStore } from './iam-policy.js';

/**
 * The BigQuery discovery document of the Cloud SDK whose `bq` is on PATH (bq otherwise fetches
 * one from the endpoint it talks to, which the fake does not serve).
 */
function bqDiscoveryFile(): string {
  for (const directory of (process.env.PATH ?? '').split(delimiter)) {
    const bq = join(directory, 'bq');
    if (!existsSync(bq)) continue;
    const file = join(dirname(realpathSync(bq)), '..', 'platform', 'bq', 'discovery_next', 'bigquery.json');
    if (existsSync(file)) return file;
  }
  throw new Error('no Cloud SDK bq on PATH: the deploy creates BigQuery tables with it');
}

/**
 * A local stand-in for the Google Cloud REST APIs the deploy uses, good enough for the real
 * gcloud CLI and the Cloud Scheduler Node client: it keeps resources and IAM policies, answers
 * 404 / 409 / 403 / long-running operations the way Google does, and simulates what takes time
 * to propagate in a real project (new service accounts, new log-based metrics). Each API lives
 * under its own path prefix (`/pubsub/`, `/iam/`, ...), which is what the endpoint overrides name.
 */
export interface FakeGcpOptions {
  project: string;
  projectNumber?: string;
  /** ms a new service account cannot be named in a policy (Google: up to ~60 s; default 60 s) */
  serviceAccountDelayMs?: number;
  /** ms a new log metric is unknown to Cloud Monitoring (Google: up to ~10 min; default 10 min) */
  metricDelayMs?: number;
  /** ms a new Firestore TTL policy stays CREATING before it is ACTIVE (default 10 min) */
  ttlDelayMs?: number;
  /**
   * multiplies every simulated delay: tests keep Google's delays but run them at, say, 1/500th
   * (still long enough that a deploy which does not wait for them fails)
   */
  timeScale?: number;
  /** buckets that exist in someone else's project: 403 to us */
  foreignBuckets?: string[];
}

export interface RecordedRequest {
  method: string;
  api: string;
  path: string;
  status: number;
  at: number;
  /** who called: the gcloud CLI (by its user agent) or anything else (the deploy's own REST reads, the Scheduler client) */
  client?: 'gcloud' | 'other';
}

/** A fault: the next `times` requests matching `method` and `path` answer `status`. */
export interface Fault {
  method?: string;
  path: RegExp;
  status: number;
  times: number;
}

interface Stored {
  body: Record<string, unknown>;
  createdAt: number;
}

export const FAKE_APIS = [
  'serviceusage',
  'cloudresourcemanager',
  'iam',
  'pubsub',
  'cloudfunctions',
  'run',
  'secretmanager',
  'storage',
  'logging',
  'monitoring',
  'cloudscheduler',
  'firestore',
  'bigquery',
  // never called by the plan (it names its build service account), here so nothing can leave the machine
  'cloudbuild',
  'artifactregistry',
] as const;

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export class FakeGcp {
  readonly resources = new Map<string, Stored>();
  readonly policies = new PolicyStore();
  readonly requests: RecordedRequest[] = [];
  readonly faults: Fault[] = [];
  url = '';
  private readonly server = createServer((req, res) => void this.handle(req, res));
  private readonly projectNumber: string;
  private operationCount = 0;

  private readonly delays: { serviceAccount: number; metric: number; ttl: number };
  /** whether a policy naming a service account made here was refused yet (see `memberProblem`) */
  private refusedANewAccount = false;
  private readonly startedAt = Date.now();

  constructor(readonly options: FakeGcpOptions) {
    this.projectNumber = options.projectNumber ?? '123456789012';
    const scale = options.timeScale ?? 1;
    this.delays = {
      serviceAccount: (options.serviceAccountDelayMs ?? 60_000) * scale,
      metric: (options.metricDelayMs ?? 600_000) * scale,
      ttl: (options.ttlDelayMs ?? 600_000) * scale,
    };
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Environment for the real gcloud: every API at this server, a token file, no prompts, a private config. */
  gcloudEnv(dir: string): Record<string, string> {
    mkdirSync(join(dir, 'gcloud-config'), { recursive: true });
    writeFileSync(join(dir, 'access-token'), 'fake-access-token\n');
    const env: Record<string, string> = {
      CLOUDSDK_CONFIG: join(dir, 'gcloud-config'),
      CLOUDSDK_AUTH_ACCESS_TOKEN_FILE: join(dir, 'access-token'),
      CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
      CLOUDSDK_CORE_DISABLE_USAGE_REPORTING: '1',
      CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: '1',
      CLOUDSDK_CORE_CHECK_GCE_METADATA: '0',
      CLOUDSDK_METRICS_ENVIRONMENT: 'shotclock-test',
    };
    for (const api of FAKE_APIS)
      env[`CLOUDSDK_API_ENDPOINT_OVERRIDES_${api.toUpperCase()}`] = `${this.url}/${api}/`;
    // bq (the Cloud SDK's BigQuery CLI) takes its endpoint from flags, read here from its rc file;
    // the discovery document is the one the SDK ships, so bq never asks the fake for one.
    writeFileSync(
      join(dir, 'bigqueryrc'),
      `--api=${this.url}/bigquery\n--discovery_file=${bqDiscoveryFile()}\n`,
    );
    env.BIGQUERYRC = join(dir, 'bigqueryrc');
    return env;
  }

  /** What changed the project: every mutating request, in order. */
  mutations(since = 0): RecordedRequest[] {
    return this.requests
      .slice(since)
      .filter(
        (request) =>
          MUTATING.has(request.method) &&
          !/:(get|test)IamPolicy$|:generateUploadUrl$|\/upload\//.test(request.path) &&
          request.status < 400,
      );
  }

  get(key: string): Record<string, unknown> | undefined {
    return this.resources.get(key)?.body;
  }

  keys(prefix: string): string[] {
    return [...this.resources.keys()].filter((key) => key.startsWith(prefix)).sort();
  }

  /** `createdAt`: when it was made (a resource made long ago has propagated everywhere) */
  put(key: string, body: Record<string, unknown>, createdAt = Date.now()): void {
    this.resources.set(key, { body, createdAt });
  }

  delete(key: string): void {
    this.resources.delete(key);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', this.url);
    // The Scheduler Node client knows a host and a port, not a path prefix: its paths come bare.
    const bare = /^\/v1\/projects\/[^/]+\/locations\/[^/]+\/jobs/.test(url.pathname);
    const [, api = '', ...rest] = (bare ? `/cloudscheduler${url.pathname}` : url.pathname).split('/');
    const path = decodeURIComponent(rest.join('/'));
    const method = req.method ?? 'GET';
    let status = 200;
    let answer: unknown;
    try {
      const fault = this.faults.find(
        (f) => f.times > 0 && (!f.method || f.method === method) && f.path.test(`${api}/${path}`),
      );
      if (fault) {
        fault.times -= 1;
        throw new GoogleError(
          fault.status,
          fault.status === 503 ? 'UNAVAILABLE' : 'INTERNAL',
          `Injected fault: HTTP ${fault.status}.`,
        );
      }
      if (api === 'runapp') {
        answer = this.invokeFunction(rest[0] ?? '', req.headers.authorization ?? '');
        status = (answer as { status: number }).status;
        this.requests.push({ method, api, path, status, at: Date.now() });
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end((answer as { text: string }).text);
        return;
      }
      if (!/^(Bearer|bearer) ./.test(req.headers.authorization ?? '') && api !== 'upload')
        throw new GoogleError(
          401,
          'UNAUTHENTICATED',
          'Request is missing required authentication credential.',
        );
      const body =
        raw.length && !/^upload/.test(api)
          ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>)
          : {};
      answer = this.route(method, api, path, url.searchParams, body);
    } catch (error) {
      if (!(error instanceof GoogleError)) {
        status = 500;
        answer = { error: { code: 500, message: String(error), status: 'INTERNAL' } };
      } else {
        status = error.code;
        answer = error.body();
      }
    }
    const client = /gcloud/.test(req.headers['user-agent'] ?? '') ? 'gcloud' : 'other';
    this.requests.push({ method, api, path, status, at: Date.now(), client });
    res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
    res.end(JSON.stringify(answer ?? {}));
  }

  /**
   * A call to a deployed function's URL. Only the dependency probe answers: like the deployed one,
   * it is green when every push subscription can reach a deployed function (endpoint under the
   * function's URL, token audience equal to that URL, push account allowed to invoke it).
   */
  private invokeFunction(host: string, authorization: string): { status: number; text: string } {
    if (!/^Bearer ./.test(authorization)) return { status: 401, text: 'Unauthorized' };
    const fn = this.keys('cloudfunctions:')
      .map((k) => this.get(k)!)
      .find((f) => String((f.serviceConfig as { uri: string }).uri).endsWith(`/runapp/${host}`));
    if (!fn) return { status: 404, text: 'no such service' };
    if (!String(fn.name).endsWith('/dependency-probe')) return { status: 200, text: 'ok' };
    const problems: string[] = [];
    const functions = this.keys('cloudfunctions:').map((k) => this.get(k)!);
    for (const key of this.keys(`pubsub:projects/${this.options.project}/subscriptions/`)) {
      const sub = this.get(key)!;
      const push = sub.pushConfig as
        | { pushEndpoint?: string; oidcToken?: { audience?: string; serviceAccountEmail?: string } }
        | undefined;
      if (!push?.pushEndpoint) continue;
      if (sub.topic === '_deleted-topic_') problems.push(`${sub.name}: its topic was deleted`);
      const target = functions.find((f) =>
        push.pushEndpoint!.startsWith(`${(f.serviceConfig as { uri: string }).uri}/`),
      );
      if (!target) {
        problems.push(`${sub.name}: pushes to ${push.pushEndpoint}, no deployed function`);
        continue;
      }
      const uri = (target.serviceConfig as { uri: string }).uri;
      if (push.oidcToken?.audience !== uri)
        problems.push(
          `${sub.name}: token audience ${push.oidcToken?.audience ?? '(endpoint)'} is not ${uri}`,
        );
      const service = `run:projects/${this.options.project}/locations/${String(target.name).split('/')[3]}/services/${String(target.name).split('/').pop()}`;
      const invokers =
        this.policies.get(service).bindings?.find((b) => b.role === 'roles/run.invoker')?.members ?? [];
      if (!invokers.includes(`serviceAccount:${push.oidcToken?.serviceAccountEmail}`))
        problems.push(`${sub.name}: ${push.oidcToken?.serviceAccountEmail} may not invoke ${target.name}`);
    }
    return problems.length
      ? { status: 503, text: `probe: red\n${problems.join('\n')}\n` }
      : { status: 200, text: 'probe: green\n' };
  }

  private checkProject(project: string): void {
    if (project !== this.options.project && project !== this.projectNumber)
      throw permissionDenied(`Permission denied on resource project ${project}.`);
  }

  private operation(name: string, response: unknown, metadata?: unknown): Record<string, unknown> {
    this.operationCount += 1;
    const op = {
      name: `${name}/operations/op-${this.operationCount}`,
      done: true,
      response,
      ...(metadata ? { metadata } : {}),
    };
    this.put(`op:${op.name}`, op);
    return op;
  }

  private memberProblem = (member: string): string | undefined => {
    const match = /^serviceAccount:(.+)$/.exec(member);
    if (!match) return undefined;
    const email = match[1]!;
    if (!email.endsWith(`@${this.options.project}.iam.gserviceaccount.com`)) return undefined;
    const account = this.resources.get(`iam:projects/${this.options.project}/serviceAccounts/${email}`);
    const young = account && Date.now() - account.createdAt < this.delays.serviceAccount;
    // The first policy naming an account made here is refused, however slowly a loaded machine got to
    // it, so the deploy's wait for propagation is always exercised; after that, the delay decides.
    const first = account && account.createdAt > this.startedAt && !this.refusedANewAccount;
    if (!account || young || first) {
      if (account) this.refusedANewAccount = true;
      return `Service account ${email} does not exist.`;
    }
    return undefined;
  };

  private iam(resource: string, verb: string, body: Record<string, unknown>): unknown {
    if (verb === 'getIamPolicy') return this.policies.get(resource);
    if (verb === 'setIamPolicy')
      return this.policies.set(resource, (body.policy ?? body) as never, this.memberProblem);
    if (verb === 'testIamPermissions') return { permissions: (body.permissions as string[]) ?? [] };
    throw notFound(resource);
  }

  private route(
    method: string,
    api: string,
    path: string,
    query: URLSearchParams,
    body: Record<string, unknown>,
  ): unknown {
    // `projects/-/serviceAccounts/EMAIL` (what gcloud asks for): Google takes the project from the email.
    path = path.replace(
      /projects\/-\/serviceAccounts\/([^/:@]+)@([a-z0-9-]+)\.iam\.gserviceaccount\.com/,
      'projects/$2/serviceAccounts/$1@$2.iam.gserviceaccount.com',
    );
    const verbMatch = /^(.*):([A-Za-z]+)$/.exec(path);
    const [name, verb] = verbMatch ? [verbMatch[1]!, verbMatch[2]!] : [path, ''];
    const projectMatch = /projects\/([^/]+)/.exec(name);
    if (projectMatch && api !== 'cloudresourcemanager') this.checkProject(projectMatch[1]!);
    if (verb.endsWith('IamPolicy') || verb === 'testIamPermissions') {
      const resource = `${api}:${name.replace(/^v\d+(beta\d*)?\//, '')}`;
      if (api !== 'cloudresourcemanager' && !this.resources.has(resource)) throw notFound(resource);
      if (api === 'cloudresourcemanager') this.checkProject(name.split('/').pop()!);
      return this.iam(
        api === 'cloudresourcemanager' ? `project:${this.options.project}` : resource,
        verb,
        body,
      );
    }
    switch (api) {
      case 'serviceusage':
        return this.serviceUsage(method, name, verb, body);
      case 'cloudresourcemanager':
        return this.resourceManager(method, name);
      case 'iam':
        return this.iamAccounts(method, name, body);
      case 'pubsub':
        return this.pubsub(method, name, verb, body, query);
      case 'cloudfunctions':
        return this.functions(method, name, verb, body, query);
      case 'run':
        return this.collection(method, api, name.replace(/^v\d\//, ''), body, query, 'services');
      case 'secretmanager':
        return this.secrets(method, name, verb, body, query);
      case 'storage':
        return this.storage(method, name, body, query);
      case 'logging':
        return this.collection(method, api, name.replace(/^v2\//, ''), body, query, 'metrics', 'name');
      case 'monitoring':
        return this.monitoring(method, name.replace(/^v3\//, ''), body, query);
      case 'cloudscheduler':
        return this.scheduler(method, name.replace(/^v1\//, ''), verb, body, query);
      case 'firestore':
        return this.firestore(method, name.replace(/^v1\//, ''), body, query);
      case 'bigquery':
        return this.bigquery(method, name.replace(/^bigquery\/v2\//, ''), body);
      case 'upload':
        return {};
      case 'cloudbuild':
        if (/defaultServiceAccount$/.test(path))
          return {
            name: path,
            serviceAccountEmail: `projects/${this.options.project}/serviceAccounts/${this.projectNumber}-compute@developer.gserviceaccount.com`,
          };
        throw notFound(path);
      default:
        throw notFound(`${api}/${path}`);
    }
  }

  /** A plain collection: GET item / list, POST create with `<kind>Id`, PATCH merge, DELETE. */
  private collection(
    method: string,
    api: string,
    name: string,
    body: Record<string, unknown>,
    query: URLSearchParams,
    listKey: string,
    idField?: string,
  ): unknown {
    const key = `${api}:${name}`;
    const isCollection = name.split('/').length % 2 === 1;
    if (method === 'GET' && isCollection)
      return {
        [listKey]: this.keys(`${key}/`)
          .filter((k) => k.split('/').length === key.split('/').length + 1)
          .map((k) => this.get(k)),
      };
    if (method === 'GET') return this.must(key);
    if (method === 'POST' && isCollection) {
      const id =
        (idField ? (body[idField] as string) : undefined) ??
        query.get(`${listKey.replace(/s$/, '')}Id`) ??
        randomUUID().slice(0, 8);
      const itemKey = `${key}/${id.split('/').pop()}`;
      if (this.resources.has(itemKey)) throw alreadyExists(itemKey);
      const stored = { ...body, name: itemKey.slice(api.length + 1) };
      this.put(itemKey, stored);
      return stored;
    }
    if (method === 'PUT' || method === 'PATCH') {
      const current = this.must(key);
      const merged = { ...current, ...body, name: current.name };
      this.put(key, merged);
      return merged;
    }
    if (method === 'DELETE') {
      this.must(key);
      this.delete(key);
      return {};
    }
    throw notFound(key);
  }

  private must(key: string): Record<string, unknown> {
    const found = this.get(key);
    if (!found) throw notFound(key.slice(key.indexOf(':') + 1));
    return found;
  }

  private serviceUsage(method: string, name: string, verb: string, body: Record<string, unknown>): unknown {
    if (name.startsWith('v1/operations/')) return this.must(`op:${name.slice(3)}`);
    if (verb === 'batchEnable') {
      for (const id of body.serviceIds as string[])
        this.put(`serviceusage:projects/${this.projectNumber}/services/${id}`, {
          name: `projects/${this.projectNumber}/services/${id}`,
          config: { name: id },
          state: 'ENABLED',
        });
      return this.operation('operations', { services: [] });
    }
    if (method === 'GET' && /\/services$/.test(name))
      return {
        services: this.keys(`serviceusage:projects/${this.projectNumber}/services/`).map((k) => this.get(k)),
      };
    if (method === 'GET' && /\/services\/[^/]+$/.test(name)) {
      const id = name.split('/').pop();
      return (
        this.get(`serviceusage:projects/${this.projectNumber}/services/${id}`) ?? {
          name: `projects/${this.projectNumber}/services/${id}`,
          config: { name: id },
          state: 'DISABLED',
        }
      );
    }
    throw notFound(name);
  }

  private resourceManager(method: string, name: string): unknown {
    const id = /projects\/([^/]+)$/.exec(name)?.[1];
    if (method === 'GET' && id) {
      this.checkProject(id);
      return {
        projectId: this.options.project,
        projectNumber: this.projectNumber,
        name: `projects/${this.projectNumber}`,
        lifecycleState: 'ACTIVE',
      };
    }
    throw notFound(name);
  }

  private iamAccounts(method: string, name: string, body: Record<string, unknown>): unknown {
    const path = name.replace(/^v1\//, '');
    const project = /projects\/([^/]+)/.exec(path)![1]!;
    if (method === 'POST' && path.endsWith('/serviceAccounts')) {
      const id = body.accountId as string;
      const email = `${id}@${project}.iam.gserviceaccount.com`;
      const key = `iam:projects/${project}/serviceAccounts/${email}`;
      if (this.resources.has(key))
        throw new GoogleError(
          409,
          'ALREADY_EXISTS',
          `Service account ${id} already exists within project projects/${project}.`,
        );
      const account = {
        name: `projects/${project}/serviceAccounts/${email}`,
        email,
        projectId: project,
        uniqueId: String(Date.now()),
        ...((body.serviceAccount as object) ?? {}),
      };
      this.put(key, account);
      return account;
    }
    const email = /serviceAccounts\/([^/]+)$/.exec(path)?.[1];
    if (method === 'GET' && email) {
      const account = this.get(`iam:projects/${project}/serviceAccounts/${email}`);
      if (!account) throw notFound(`projects/${project}/serviceAccounts/${email}`);
      return account;
    }
    if (method === 'GET' && path.endsWith('/serviceAccounts'))
      return { accounts: this.keys(`iam:projects/${project}/serviceAccounts/`).map((k) => this.get(k)) };
    throw notFound(path);
  }

  private pubsub(
    method: string,
    name: string,
    verb: string,
    body: Record<string, unknown>,
    query: URLSearchParams,
  ): unknown {
    const path = name.replace(/^v1\//, '');
    const key = `pubsub:${path}`;
    const kind = /\/(topics|subscriptions)(\/|$)/.exec(path)?.[1];
    const isItem = /\/(topics|subscriptions)\/[^/]+$/.test(path);
    const topicSubscriptions = /^(projects\/[^/]+)\/topics\/([^/]+)\/subscriptions$/.exec(path);
    if (method === 'GET' && topicSubscriptions)
      return {
        subscriptions: this.keys(`pubsub:${topicSubscriptions[1]}/subscriptions/`)
          .filter((k) => this.get(k)!.topic === `${topicSubscriptions[1]}/topics/${topicSubscriptions[2]}`)
          .map((k) => k.slice('pubsub:'.length)),
      };
    if (verb === 'modifyPushConfig') {
      const current = this.must(key);
      this.put(key, { ...current, pushConfig: body.pushConfig ?? {} });
      return {};
    }
    if (verb === 'seek' || verb === 'detach') {
      this.must(key);
      if (verb === 'detach') this.put(key, { ...this.must(key), detached: true });
      return {};
    }
    if (method === 'PUT' && isItem) {
      if (this.resources.has(key)) throw alreadyExists(path);
      if (kind === 'subscriptions') this.validateSubscription(body);
      const created = {
        ...body,
        name: path,
        ...(kind === 'subscriptions'
          ? { ackDeadlineSeconds: body.ackDeadlineSeconds ?? 10, state: 'ACTIVE' }
          : {}),
      };
      this.put(key, created);
      return created;
    }
    if (method === 'PATCH' && isItem) {
      const current = this.must(key);
      const update = (kind === 'subscriptions' ? body.subscription : body.topic) as Record<string, unknown>;
      const mask = String(body.updateMask ?? '')
        .split(',')
        .filter(Boolean);
      if (!mask.length) throw badRequest('The update_mask in the UpdateSubscriptionRequest must be set.');
      const next = structuredClone(current);
      for (const field of mask) {
        const top = field.split('.')[0]!;
        const camel = top.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
        if (update[camel] === undefined) delete next[camel];
        else next[camel] = update[camel];
      }
      if (kind === 'subscriptions') this.validateSubscription(next);
      this.put(key, next);
      return next;
    }
    if (method === 'GET' && isItem) return this.must(key);
    if (method === 'DELETE' && isItem) {
      this.must(key);
      this.delete(key);
      this.policies.delete(key);
      if (kind === 'topics')
        for (const sub of this.keys('pubsub:projects/'))
          if (this.get(sub)?.topic === path) this.put(sub, { ...this.get(sub)!, topic: '_deleted-topic_' });
      return {};
    }
    if (method === 'GET' && kind && !isItem) {
      const items = this.keys(`${key}/`).map((k) => this.get(k)!);
      const size = Number(query.get('pageSize') ?? 1000);
      const start = Number(query.get('pageToken') ?? 0);
      const page = items.slice(start, start + size);
      return {
        [kind]: page,
        ...(start + size < items.length ? { nextPageToken: String(start + size) } : {}),
      };
    }
    throw notFound(path);
  }

  private validateSubscription(body: Record<string, unknown>): void {
    const topic = body.topic as string;
    if (topic && topic !== '_deleted-topic_' && !this.resources.has(`pubsub:${topic}`)) throw notFound(topic);
    const dead = (body.deadLetterPolicy as { deadLetterTopic?: string } | undefined)?.deadLetterTopic;
    if (dead && !this.resources.has(`pubsub:${dead}`)) throw notFound(dead);
    const ack = Number(body.ackDeadlineSeconds ?? 10);
    if (ack < 10 || ack > 600) throw badRequest('Invalid ack deadline: must be between 10 and 600 seconds.');
    const push = body.pushConfig as { oidcToken?: { serviceAccountEmail?: string } } | undefined;
    const pusher = push?.oidcToken?.serviceAccountEmail;
    if (pusher) {
      const problem = this.memberProblem(`serviceAccount:${pusher}`);
      if (problem) throw badRequest(problem);
    }
  }

  private functions(
    method: string,
    name: string,
    verb: string,
    body: Record<string, unknown>,
    query: URLSearchParams,
  ): unknown {
    const path = name.replace(/^v2\//, '');
    if (/\/operations\//.test(path)) return this.must(`op:${path}`);
    if (/\/runtimes$/.test(path))
      return {
        runtimes: [
          { name: 'nodejs22', stage: 'GA', environment: 'GEN_2', displayName: 'Node.js 22' },
          { name: 'nodejs20', stage: 'GA', environment: 'GEN_2', displayName: 'Node.js 20' },
        ],
      };
    if (verb === 'generateUploadUrl')
      return {
        uploadUrl: `${this.url}/upload/${randomUUID()}`,
        storageSource: { bucket: 'gcf-v2-uploads', object: `${randomUUID()}.zip` },
      };
    const parent = /^(projects\/[^/]+\/locations\/[^/]+)/.exec(path)?.[1] ?? '';
    const region = parent.split('/')[3] ?? '';
    if (method === 'POST' && path.endsWith('/functions')) {
      const id = query.get('functionId')!;
      const key = `cloudfunctions:${path}/${id}`;
      if (this.resources.has(key)) throw alreadyExists(`${path}/${id}`);
      return this.operation(
        parent,
        this.deployFunction(key, body, region, id),
        functionStages(key, 'create'),
      );
    }
    const key = `cloudfunctions:${path}`;
    if (method === 'PATCH') {
      const current = this.must(key);
      const merged = {
        ...current,
        ...body,
        serviceConfig: { ...(current.serviceConfig as object), ...(body.serviceConfig as object) },
      };
      return this.operation(
        parent,
        this.deployFunction(key, merged, region, path.split('/').pop()!),
        functionStages(key, 'update'),
      );
    }
    if (method === 'GET' && path.endsWith('/functions'))
      return { functions: this.keys(`${key}/`).map((k) => this.get(k)) };
    if (method === 'GET') return this.must(key);
    if (method === 'DELETE') {
      this.must(key);
      this.delete(key);
      return this.operation(parent, {}, functionStages(key, 'delete'));
    }
    throw notFound(path);
  }

  /** A deployed function has a Cloud Run service of the same name; its URL is only known once deployed. */
  private deployFunction(
    key: string,
    body: Record<string, unknown>,
    region: string,
    id: string,
  ): Record<string, unknown> {
    const serviceConfig = (body.serviceConfig ?? {}) as Record<string, unknown>;
    const account = serviceConfig.serviceAccountEmail as string | undefined;
    if (account) {
      const problem = this.memberProblem(`serviceAccount:${account}`);
      if (problem) throw badRequest(problem);
    }
    const secrets = (serviceConfig.secretEnvironmentVariables ?? []) as Array<{
      secret: string;
      projectId?: string;
    }>;
    for (const secret of secrets)
      if (
        !this.keys(`secretmanager:projects/${this.options.project}/secrets/${secret.secret}/versions/`).length
      )
        throw new GoogleError(
          400,
          'FAILED_PRECONDITION',
          `Secret projects/${this.projectNumber}/secrets/${secret.secret}/versions/latest was not found`,
        );
    // Stands for https://<service>-<hash>.<region>.run.app, served here so nothing leaves the machine.
    const uri = `${this.url}/runapp/${id}-${this.projectNumber.slice(0, 6)}-${region}`;
    const fn = {
      ...body,
      name: key.slice('cloudfunctions:'.length),
      state: 'ACTIVE',
      environment: 'GEN_2',
      url: uri,
      serviceConfig: {
        ...serviceConfig,
        uri,
        service: `projects/${this.options.project}/locations/${region}/services/${id}`,
      },
      updateTime: new Date().toISOString(),
    };
    this.put(key, fn);
    const serviceKey = `run:projects/${this.options.project}/locations/${region}/services/${id}`;
    if (!this.resources.has(serviceKey)) this.put(serviceKey, { name: serviceKey.slice(4), uri });
    return fn;
  }

  private secrets(
    method: string,
    name: string,
    verb: string,
    body: Record<string, unknown>,
    query: URLSearchParams,
  ): unknown {
    const path = name.replace(/^v1\//, '');
    if (verb === 'addVersion') {
      this.must(`secretmanager:${path}`);
      const count = this.keys(`secretmanager:${path}/versions/`).length + 1;
      const version = { name: `${path}/versions/${count}`, state: 'ENABLED', payload: body.payload };
      this.put(`secretmanager:${path}/versions/${count}`, version);
      return { name: version.name, state: 'ENABLED', clientSpecifiedPayloadChecksum: true };
    }
    if (verb === 'access') {
      const versions = this.keys(`secretmanager:${path.replace(/\/versions\/latest$/, '')}/versions/`);
      if (!versions.length) throw notFound(path);
      const latest = versions.sort((a, b) => Number(a.split('/').pop()) - Number(b.split('/').pop())).pop()!;
      return { name: latest.slice('secretmanager:'.length), payload: this.get(latest)!.payload };
    }
    if (method === 'POST' && path.endsWith('/secrets')) {
      const key = `secretmanager:${path}/${query.get('secretId')}`;
      if (this.resources.has(key))
        throw new GoogleError(409, 'ALREADY_EXISTS', `Secret [${key.slice(14)}] already exists.`);
      const secret = { ...body, name: key.slice(14), createTime: new Date().toISOString() };
      this.put(key, secret);
      return secret;
    }
    if (method === 'GET' && path.endsWith('/secrets'))
      return {
        secrets: this.keys(`secretmanager:${path}/`)
          .filter((k) => k.split('/').length === path.split('/').length + 1)
          .map((k) => this.get(k)),
      };
    if (method === 'GET' && path.endsWith('/versions'))
      return {
        versions: this.keys(`secretmanager:${path}/`).map((k) => ({
          name: this.get(k)!.name,
          state: 'ENABLED',
        })),
      };
    if (method === 'GET') return this.must(`secretmanager:${path}`);
    throw notFound(path);
  }

  private storage(
    method: string,
    name: string,
    body: Record<string, unknown>,
    query: URLSearchParams,
  ): unknown {
    const path = name.replace(/^storage\/v1\//, '');
    const bucket = /^b\/([^/]+)/.exec(path)?.[1];
    if (bucket && this.options.foreignBuckets?.includes(bucket))
      throw new GoogleError(
        403,
        'PERMISSION_DENIED',
        `caller does not have storage.buckets.get access to the Google Cloud Storage bucket. Permission 'storage.buckets.get' denied on resource (or it may not exist).`,
      );
    if (method === 'POST' && path === 'b') {
      if (query.get('project') && query.get('project') !== this.options.project)
        this.checkProject(query.get('project')!);
      const key = `storage:b/${body.name}`;
      if (this.resources.has(key))
        throw new GoogleError(
          409,
          'CONFLICT',
          'Your previous request to create the named bucket succeeded and you already own it.',
        );
      const created = { ...body, id: body.name, kind: 'storage#bucket', projectNumber: this.projectNumber };
      this.put(key, created);
      return created;
    }
    if (bucket && /\/iam$/.test(path)) {
      const resource = `storage:b/${bucket}`;
      this.must(resource);
      if (method === 'GET')
        return {
          kind: 'storage#policy',
          resourceId: `projects/_/buckets/${bucket}`,
          ...this.policies.get(resource),
        };
      if (method === 'PUT')
        return { kind: 'storage#policy', ...this.policies.set(resource, body as never, this.memberProblem) };
    }
    if (bucket && method === 'GET') return this.must(`storage:b/${bucket}`);
    if (bucket && method === 'PATCH') {
      const merged = { ...this.must(`storage:b/${bucket}`), ...body };
      this.put(`storage:b/${bucket}`, merged);
      return merged;
    }
    throw notFound(path);
  }

  private monitoring(
    method: string,
    path: string,
    body: Record<string, unknown>,
    query: URLSearchParams,
  ): unknown {
    const kind = /\/(alertPolicies|notificationChannels)/.exec(path)?.[1] ?? '';
    const isItem = new RegExp(`/${kind}/[^/]+$`).test(path);
    const key = `monitoring:${path}`;
    if (method === 'POST' && !isItem) {
      if (kind === 'alertPolicies') this.checkMetricsKnown(body);
      const id = String(Math.floor(Math.random() * 1e15));
      const created = { ...body, name: `${path}/${id}` };
      this.put(`${key}/${id}`, created);
      return created;
    }
    if (method === 'GET' && !isItem) {
      const filter = query.get('filter') ?? '';
      const wanted = /displayName\s*=\s*"([^"]*)"/.exec(filter)?.[1];
      const items = this.keys(`${key}/`)
        .map((k) => this.get(k)!)
        .filter((item) => wanted === undefined || item.displayName === wanted);
      return { [kind]: items };
    }
    if (method === 'GET') return this.must(key);
    if (method === 'PATCH') {
      const current = this.must(key);
      const mask = (query.get('updateMask') ?? '').split(',').filter(Boolean);
      const next = mask.length
        ? {
            ...current,
            ...Object.fromEntries(mask.map((field) => [field.split('.')[0]!, body[field.split('.')[0]!]])),
          }
        : { ...body, name: current.name };
      if (kind === 'alertPolicies') this.checkMetricsKnown(next);
      this.put(key, next);
      return next;
    }
    if (method === 'DELETE') {
      this.must(key);
      this.delete(key);
      return {};
    }
    throw notFound(path);
  }

  /** Cloud Monitoring learns of a new log-based metric minutes after Logging created it. */
  private checkMetricsKnown(policy: Record<string, unknown>): void {
    for (const condition of (policy.conditions ?? []) as Array<{
      conditionThreshold?: { filter?: string };
    }>) {
      const metric = /logging\.googleapis\.com\/user\/([A-Za-z0-9_.-]+)/.exec(
        condition.conditionThreshold?.filter ?? '',
      )?.[1];
      if (!metric) continue;
      const stored = this.resources.get(`logging:projects/${this.options.project}/metrics/${metric}`);
      if (!stored || Date.now() - stored.createdAt < this.delays.metric)
        throw new GoogleError(
          404,
          'NOT_FOUND',
          `Cannot find metric(s) that match type = "logging.googleapis.com/user/${metric}". If a metric was created recently, it could take up to 10 minutes to become available. Please try again soon.`,
        );
    }
  }

  private scheduler(
    method: string,
    path: string,
    verb: string,
    body: Record<string, unknown>,
    query: URLSearchParams,
  ): unknown {
    const key = `cloudscheduler:${path}`;
    if (verb === 'pause' || verb === 'resume') {
      const job = { ...this.must(key), state: verb === 'pause' ? 'PAUSED' : 'ENABLED' };
      this.put(key, job);
      return job;
    }
    if (method === 'POST' && path.endsWith('/jobs')) {
      const job = body as { name?: string };
      const itemKey = `cloudscheduler:${job.name}`;
      if (this.resources.has(itemKey))
        throw new GoogleError(409, 'ALREADY_EXISTS', `Job ${job.name} already exists.`);
      const created = { ...body, state: 'ENABLED', userUpdateTime: new Date().toISOString() };
      this.put(itemKey, created);
      return created;
    }
    if (method === 'PATCH') {
      const current = this.must(key);
      const mask = (query.get('updateMask') ?? '').split(',').filter(Boolean);
      const next = mask.length
        ? { ...current, ...Object.fromEntries(mask.map((f) => [f.split('.')[0]!, body[f.split('.')[0]!]])) }
        : { ...current, ...body, state: current.state };
      this.put(key, next);
      return next;
    }
    if (method === 'GET' && path.endsWith('/jobs'))
      return { jobs: this.keys(`${key}/`).map((k) => this.get(k)) };
    if (method === 'GET') return this.must(key);
    if (method === 'DELETE') {
      this.must(key);
      this.delete(key);
      return {};
    }
    throw notFound(path);
  }

  private firestore(
    method: string,
    path: string,
    body: Record<string, unknown>,
    query: URLSearchParams,
  ): unknown {
    if (/\/operations\//.test(path)) return this.must(`op:${path}`);
    if (method === 'POST' && path.endsWith('/databases')) {
      const id = query.get('databaseId') ?? '(default)';
      const key = `firestore:${path}/${id}`;
      if (this.resources.has(key))
        throw new GoogleError(
          409,
          'ALREADY_EXISTS',
          `Database already exists. Please use another database_id`,
        );
      const database = {
        ...body,
        name: `${path}/${id}`,
        uid: randomUUID(),
        createTime: new Date().toISOString(),
      };
      this.put(key, database);
      return this.operation(`${path}/${id}`, database);
    }
    if (method === 'GET' && path.endsWith('/databases'))
      return { databases: this.keys(`firestore:${path}/`).map((k) => this.get(k)) };
    const group =
      /^(projects\/[^/]+\/databases\/[^/]+)\/collectionGroups\/([^/]+)\/fields(?:\/([^/]+))?$/.exec(path);
    if (group && !this.resources.has(`firestore:${group[1]}`)) throw notFound(group[1]!);
    if (method === 'GET' && group && !group[3]) {
      // `collectionGroups/-` lists every group; `filter=ttlConfig:*` keeps the fields with a TTL policy.
      const fields = this.keys(`firestore:${group[1]}/collectionGroups/`)
        .filter((k) => group[2] === '-' || k.includes(`/collectionGroups/${group[2]}/`))
        .map((k) => this.field(k))
        .filter((field) => !/ttlConfig:\*/.test(query.get('filter') ?? '') || field.ttlConfig);
      return { fields };
    }
    if (method === 'GET' && group)
      // A field nobody configured exists all the same, inheriting the database's defaults.
      return this.resources.has(`firestore:${path}`)
        ? this.field(`firestore:${path}`)
        : { name: path, indexConfig: { usesAncestorConfig: true } };
    if (method === 'GET') return this.must(`firestore:${path}`);
    if (method === 'PATCH' && group?.[3]) {
      const key = `firestore:${path}`;
      const { ttlConfig: _previous, ...rest } = { ...(this.get(key) ?? {}), ...body, name: path } as Record<
        string,
        unknown
      >;
      const field = { ...rest, ...(body.ttlConfig ? { ttlConfig: { state: 'CREATING' } } : {}) };
      this.put(key, field);
      return this.operation(path.split('/collectionGroups')[0]!, field);
    }
    throw notFound(path);
  }

  /** A new TTL policy is CREATING until Firestore has set it up, then ACTIVE. */
  private field(key: string): Record<string, unknown> {
    const stored = this.resources.get(key)!;
    const ttl = stored.body.ttlConfig as { state?: string } | undefined;
    if (!ttl) return stored.body;
    const active = Date.now() - stored.createdAt >= this.delays.ttl;
    return { ...stored.body, ttlConfig: { state: active ? 'ACTIVE' : 'CREATING' } };
  }

  private bigquery(method: string, path: string, body: Record<string, unknown>): unknown {
    const key = `bigquery:${path}`;
    const isCollection = /\/(datasets|tables)$/.test(path);
    if (method === 'POST' && isCollection) {
      const ref = (body.datasetReference ?? body.tableReference) as { datasetId: string; tableId?: string };
      const id = ref.tableId ?? ref.datasetId;
      const itemKey = `${key}/${id}`;
      if (path.endsWith('/tables')) this.must(key.replace(/\/tables$/, ''));
      if (this.resources.has(itemKey))
        throw new GoogleError(
          409,
          'ALREADY_EXISTS',
          `Already Exists: ${ref.tableId ? 'Table' : 'Dataset'} ${this.options.project}:${ref.datasetId}${ref.tableId ? `.${ref.tableId}` : ''}`,
        );
      const created = {
        kind: ref.tableId ? 'bigquery#table' : 'bigquery#dataset',
        id: `${this.options.project}:${id}`,
        ...body,
        etag: randomUUID(),
      };
      this.put(itemKey, created);
      return created;
    }
    if (method === 'GET' && isCollection) {
      const plural = path.endsWith('/tables') ? 'tables' : 'datasets';
      return {
        [plural]: this.keys(`${key}/`)
          .filter((k) => !k.slice(key.length + 1).includes('/'))
          .map((k) => this.get(k)),
      };
    }
    if (method === 'GET') return this.must(key);
    if (method === 'PATCH' || method === 'PUT') {
      const merged = { ...this.must(key), ...body, etag: randomUUID() };
      this.put(key, merged);
      return merged;
    }
    throw notFound(path);
  }
}

export async function startFakeGcp(options: FakeGcpOptions): Promise<FakeGcp> {
  return new FakeGcp(options).start();
}

/** Cloud Functions v2 operations carry their stages; gcloud reads them to log progress and fails without them. */
function functionStages(key: string, verb: string): Record<string, unknown> {
  return {
    '@type': 'type.googleapis.com/google.cloud.functions.v2.OperationMetadata',
    target: key.slice('cloudfunctions:'.length),
    verb,
    stages: ['BUILD', 'SERVICE'].map((name) => ({ name, state: 'COMPLETE', message: '' })),
  };
}
