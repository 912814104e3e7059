import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import type { IamGrant } from '../../infra/google-resources.js';
import { type DeployStep, renderCommand } from '../../infra/plan.js';
import { GoogleReadError, type GoogleRest, type RestWrite } from './google-rest.js';

const run = promisify(execFile);

export interface StepOutcome {
  resource: string;
  /** `differs`: it exists and differs from the declaration in a way the deploy cannot change (see detail) */
  action: 'created' | 'updated' | 'unchanged' | 'differs' | 'granted' | 'defined' | 'skipped';
  /** the settings that differed (updated, differs) or why it was skipped */
  detail?: string[];
}

export interface ApplyOptions {
  rest: GoogleRest;
  /** the gcloud and bq commands run (default: the installed ones, from PATH) */
  gcloud?: string;
  bq?: string;
  /** environment of every gcloud and bq run (tests point both at a local fake) */
  env?: Record<string, string | undefined>;
  log?: (line: string) => void;
  /** `${NAME}` values: the project number at the start; URLs and names are added as steps define them */
  variables: Record<string, string>;
  /** where files the commands read are written (`${WORK}`) */
  workDir: string;
  /** steps of one phase run this many at a time */
  concurrency?: number;
  /** where gcloud runs: `--source=dist/<function>` is relative to it */
  cwd?: string;
  /** multiplies every wait (tests run with Google's propagation delays scaled down) */
  waitScale?: number;
}

/** The deploy stopped at one step; everything before it is done and a re-run continues from there. */
export class ApplyStopped extends Error {
  constructor(
    readonly resource: string,
    readonly reason: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(`${resource}: ${reason}`);
  }
}

const TRANSIENT =
  /\b(429|500|502|503|504)\b|UNAVAILABLE|RESOURCE_EXHAUSTED|INTERNAL|ABORTED|concurrent policy changes|DEADLINE_EXCEEDED|Connection reset/i;
const ALREADY_EXISTS = /ALREADY_EXISTS|already exists|you already own it/i;

const substitute = (text: string, variables: Record<string, string>) =>
  text.replace(/\$\{([A-Z0-9_]+)\}/g, (placeholder, name: string) => variables[name] ?? placeholder);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const lastLine = (text: string) =>
  text
    .trim()
    .split('\n')
    .filter((line) => /ERROR|error/.test(line))
    .pop()
    ?.slice(0, 400) ?? text.trim().slice(-400);

/** Runs the plan idempotently: read, then create or update only what is missing or different. */
export async function applyPlan(steps: DeployStep[], options: ApplyOptions): Promise<StepOutcome[]> {
  const log = options.log ?? ((line: string) => console.log(line));
  const outcomes: StepOutcome[] = [];
  const phases: DeployStep[][] = [];
  for (const step of steps) {
    const last = phases[phases.length - 1];
    if (last && last[0]!.phase === step.phase) last.push(step);
    else phases.push([step]);
  }
  for (const all of phases) {
    const batched = all.filter((step) => step.batch);
    for (const outcome of await applyBatch(batched, options)) {
      outcomes.push(outcome);
      if (outcome.action === 'created') log(`created   ${outcome.resource}`);
    }
    const phase = all.filter((step) => !step.batch);
    // Grants on one resource go one after another: each is a read-modify-write of the same policy.
    const lanes = new Map<string, DeployStep[]>();
    for (const step of phase) {
      const lane = step.grant ? `${step.grant.scope}:${step.grant.target}` : step.resource;
      lanes.set(lane, [...(lanes.get(lane) ?? []), step]);
    }
    const queue = [...lanes.values()];
    let stopped: unknown;
    const worker = async () => {
      for (let lane = queue.shift(); lane && !stopped; lane = queue.shift()) {
        const report = (step: DeployStep, outcome: StepOutcome) => {
          outcomes.push(outcome);
          if (outcome.action !== 'unchanged' && outcome.action !== 'defined')
            log(
              `${outcome.action.padEnd(9)} ${step.resource}${outcome.detail?.length ? ` (${outcome.detail.join(', ')})` : ''}`,
            );
        };
        try {
          if (lane[0]!.grant) {
            // One read of the resource's policy for all of its grants.
            for (const outcome of await applyGrants(lane, options))
              report(lane.find((step) => step.resource === outcome.resource)!, outcome);
            continue;
          }
          for (const step of lane) {
            if (stopped) return;
            report(step, await applyStep(step, options));
          }
        } catch (error) {
          stopped ??= error;
        }
      }
    };
    await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
    if (stopped) throw stopped;
  }
  return outcomes;
}

/**
 * Steps whose creation takes many names (`gcloud pubsub topics create A B C`): read them all (one
 * list), create the missing ones in one run. After a failure the list is read again and only what
 * is still missing is tried again, so a transient error on one name does not repeat the others.
 */
async function applyBatch(steps: DeployStep[], options: ApplyOptions): Promise<StepOutcome[]> {
  if (!steps.length) return [];
  const missingOf = async () => {
    const missing: DeployStep[] = [];
    for (const step of steps) {
      const answer = await options.rest.read({
        ...step.read!,
        path: substitute(step.read!.path, options.variables),
      });
      if (!answer.found) missing.push(step);
    }
    return missing;
  };
  const first = await missingOf();
  let missing = first;
  const scale = options.waitScale ?? 1;
  for (let attempt = 1; missing.length; attempt++) {
    const { command, flags } = missing[0]!.batch!;
    const argv = [...command, ...missing.map((step) => step.batch!.name), ...flags];
    try {
      await gcloud(missing[0]!, argv, options, { retries: 1 });
      break;
    } catch (error) {
      options.rest.changed();
      missing = await missingOf();
      if (!missing.length) break;
      if (!(error instanceof ApplyStopped) || !TRANSIENT.test(error.reason) || attempt >= 3) throw error;
      await sleep(1000 * 2 ** (attempt - 1) * scale);
    }
  }
  return steps.map((step) => ({
    resource: step.resource,
    action: first.includes(step) ? ('created' as const) : ('unchanged' as const),
  }));
}

async function applyStep(step: DeployStep, options: ApplyOptions): Promise<StepOutcome> {
  const { variables } = options;
  const resource = step.resource;
  if (step.grant) return (await applyGrants([step], options))[0]!;
  if (!step.read) {
    await gcloud(step, step.create, options);
    return { resource, action: 'created' };
  }
  const read = async () => {
    try {
      return await options.rest.read({ ...step.read!, path: substitute(step.read!.path, variables) });
    } catch (error) {
      if (error instanceof GoogleReadError && error.status === 403 && step.phase === 'buckets')
        throw new ApplyStopped(
          resource,
          `exists but this account cannot reach it (HTTP 403: ${error.reason}); grant it access or set grading.bucket to a bucket of ${variables.PROJECT ?? 'this project'}`,
          2,
        );
      if (error instanceof GoogleReadError) throw new ApplyStopped(resource, error.message);
      throw error;
    }
  };
  let current = await read();
  if (step.defines) {
    const value = current.found ? step.defines.pick(current.body) : undefined;
    if (!value) throw new ApplyStopped(resource, `${step.defines.name} could not be read back`);
    variables[step.defines.name] = value;
    return { resource, action: 'defined' };
  }
  if (!current.found) {
    if (step.mustExist) {
      if (step.blocking) throw new ApplyStopped(resource, step.mustExist, 2);
      return { resource, action: 'skipped', detail: [step.mustExist] };
    }
    await writeFiles(step, options);
    const created = await gcloud(step, step.create, options, { tolerateAlreadyExists: true });
    if (step.selfVariable || created === 'existed') current = await read();
    if (step.selfVariable && current.found) variables[step.selfVariable] = String(current.body.name);
    if (created === 'ran') return { resource, action: 'created' };
  }
  if (!current.found) return { resource, action: 'created' };
  if (step.selfVariable) variables[step.selfVariable] = String(current.body.name);
  const differs = step.drift?.(current.body, variables) ?? [];
  if (differs.length && step.update) {
    await writeFiles(step, options);
    await gcloud(step, step.update, options);
    return { resource, action: 'updated', detail: differs };
  }
  return differs.length
    ? { resource, action: 'differs', detail: differs }
    : { resource, action: 'unchanged' };
}

/**
 * Where a resource's whole policy is written: `setIamPolicy` beside the `getIamPolicy` it was read
 * from (the bucket's `iam` with PUT), or a dataset's access list (a PATCH of the dataset).
 */
function policyWrite(grant: IamGrant, readPath: string, policy: Record<string, unknown>): RestWrite {
  const { api } = grant.policy;
  if (grant.scope === 'dataset') return { api, path: readPath, method: 'PATCH', body: policy };
  if (grant.scope === 'bucket')
    return { api, path: readPath.replace(/\?.*$/, ''), method: 'PUT', body: policy };
  return { api, path: readPath.replace(/:getIamPolicy$/, ':setIamPolicy'), method: 'POST', body: { policy } };
}

type Binding = { role: string; members: string[]; condition?: { title?: string; expression?: string } };

/**
 * The grants on one resource, in one read-modify-write of its policy: read once (with its etag),
 * every missing binding added, written back in one call. A concurrent change (409 ABORTED) reads
 * again; a service account not yet usable is waited for, within the step's bound. The printed
 * script adds the same bindings with `add-iam-policy-binding` (or its dataset helper).
 */
async function applyGrants(lane: DeployStep[], options: ApplyOptions): Promise<StepOutcome[]> {
  const { variables } = options;
  const first = lane[0]!.grant!;
  const path = substitute(first.policy.path, variables);
  const scale = options.waitScale ?? 1;
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    let answer: Awaited<ReturnType<GoogleRest['read']>>;
    try {
      answer = await options.rest.read({ ...first.policy, path });
    } catch (error) {
      throw new ApplyStopped(lane[0]!.resource, error instanceof Error ? error.message : String(error));
    }
    if (!answer.found) {
      if (first.scope === 'dataset')
        return lane.map((step) => ({
          resource: step.resource,
          action: 'skipped' as const,
          detail: [`dataset ${first.target} does not exist`],
        }));
      throw new ApplyStopped(lane[0]!.resource, `${first.scope} ${first.target} does not exist`);
    }
    const body = answer.body;
    const missing: DeployStep[] = [];
    const outcomes: StepOutcome[] = [];
    const bindings = structuredClone((body.bindings ?? []) as Binding[]);
    const access = structuredClone((body.access ?? []) as Array<Record<string, unknown>>);
    for (const step of lane) {
      const grant = step.grant!;
      const member = substitute(grant.member, variables);
      if (grant.scope === 'dataset') {
        const entry = {
          role: grant.role.replace(/^bigquery\./, ''),
          userByEmail: member.replace(/^serviceAccount:/, ''),
        };
        if (access.some((held) => held.role === entry.role && held.userByEmail === entry.userByEmail))
          outcomes.push({ resource: step.resource, action: 'unchanged' });
        else {
          access.push(entry);
          missing.push(step);
        }
        continue;
      }
      const condition = grant.condition?.expression;
      const binding = bindings.find(
        (held) => held.role === grant.role && (held.condition?.expression ?? undefined) === condition,
      );
      if (binding?.members.includes(member)) outcomes.push({ resource: step.resource, action: 'unchanged' });
      else {
        if (binding) binding.members.push(member);
        else
          bindings.push({
            role: grant.role,
            members: [member],
            ...(grant.condition ? { condition: grant.condition } : {}),
          });
        missing.push(step);
      }
    }
    if (missing.length === 0) return outcomes;
    const policy =
      first.scope === 'dataset'
        ? { access }
        : { bindings, etag: body.etag, version: bindings.some((binding) => binding.condition) ? 3 : 1 };
    try {
      await options.rest.write(policyWrite(first, path, policy));
      return [
        ...outcomes,
        ...missing.map((step) => ({ resource: step.resource, action: 'granted' as const })),
      ];
    } catch (error) {
      if (!(error instanceof GoogleReadError)) throw error;
      const step = missing[0]!;
      const waiting = saysWaiting(step, error.reason);
      if (error.status === 409 && attempt < 8) continue;
      if (waiting && Date.now() - started < step.waitsFor!.seconds * 1000 * scale) {
        await sleep(Math.min(15_000, 1000 * 2 ** Math.min(attempt, 4)) * scale);
        continue;
      }
      throw new ApplyStopped(
        step.resource,
        `${waiting ? `still waiting for ${step.waitsFor!.what} after ${step.waitsFor!.seconds * scale}s: ` : ''}writing the ${first.scope} policy of ${first.target}: HTTP ${error.status}: ${error.reason}`,
      );
    }
  }
}

async function writeFiles(step: DeployStep, options: ApplyOptions): Promise<void> {
  for (const [path, content] of Object.entries(step.files ?? {})) {
    const target = substitute(path, options.variables);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, substitute(content, options.variables));
  }
}

/** Google's answer says what the step waits for is still propagating. */
const saysWaiting = (step: DeployStep, answer: string) =>
  step.waitsFor !== undefined && answer.toLowerCase().includes(step.waitsFor.says.toLowerCase());

/** The installed CLI a step runs: gcloud, or bq (part of the same Cloud SDK) for what gcloud cannot do. */
function program(name: string, options: ApplyOptions): string {
  if (name === 'gcloud') return options.gcloud ?? 'gcloud';
  if (name === 'bq') return options.bq ?? 'bq';
  throw new Error(`a deploy step runs gcloud or bq, not ${name}`);
}

/**
 * One gcloud command: transient answers (5xx, 429, aborted) are retried with backoff; answers that
 * mean "not propagated yet" are polled for up to the step's bound; anything else stops the deploy.
 */
async function gcloud(
  step: DeployStep,
  argv: string[],
  options: ApplyOptions,
  { tolerateAlreadyExists = false, retries = 5 } = {},
): Promise<'ran' | 'existed'> {
  const args = argv.slice(1).map((argument) => substitute(argument, options.variables));
  const scale = options.waitScale ?? 1;
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      await run(program(argv[0]!, options), args, {
        ...(options.cwd ? { cwd: options.cwd } : {}),
        env: { ...process.env, ...options.env },
        maxBuffer: 16 * 1024 * 1024,
      });
      options.rest.changed();
      return 'ran';
    } catch (error) {
      options.rest.changed();
      const stderr = String((error as { stderr?: string }).stderr ?? (error as Error).message);
      if (tolerateAlreadyExists && ALREADY_EXISTS.test(stderr)) return 'existed';
      const waiting = saysWaiting(step, stderr);
      if (waiting && Date.now() - started < step.waitsFor!.seconds * 1000 * scale) {
        await sleep(Math.min(15_000, 1000 * 2 ** Math.min(attempt, 4)) * scale);
        continue;
      }
      if (!waiting && TRANSIENT.test(stderr) && attempt < retries) {
        await sleep(1000 * 2 ** (attempt - 1) * scale);
        continue;
      }
      throw new ApplyStopped(
        step.resource,
        `${waiting ? `still waiting for ${step.waitsFor!.what} after ${step.waitsFor!.seconds * scale}s: ` : ''}${lastLine(stderr)}\n  command: ${renderCommand([argv[0]!, ...args])}`,
      );
    }
  }
}
