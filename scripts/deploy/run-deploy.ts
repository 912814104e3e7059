import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type DeployStep, renderCommand, urlVariable } from '../../infra/plan.js';
import { TAKE_OVER_SECRET, type Topology } from '../../infra/topology.js';
import type { TakeOver } from '../../shared/config/schema.js';
import { ApplyStopped, applyPlan, type StepOutcome } from './apply.js';
import { cloudSchedulerJobs } from './cloud-scheduler.js';
import { GoogleReadError, GoogleRest } from './google-rest.js';
import { type ReconcileReport, reconcileSchedulerJobs } from './scheduler-reconcile.js';

const run = promisify(execFile);

export interface DeployRun {
  topology: Topology;
  steps: DeployStep[];
  takeOver: TakeOver;
  mode: { takeOver?: boolean; giveBack?: boolean };
  /** environment of gcloud and of the API roots (tests point both at a local fake) */
  env?: Record<string, string | undefined>;
  gcloud?: string;
  log?: (line: string) => void;
  concurrency?: number;
  waitScale?: number;
  /** where gcloud runs (the repository root, holding dist/) */
  cwd?: string;
  /** how the closing probe authenticates: an ID token for the probe's URL */
  identityToken?: (audience: string) => Promise<string>;
}

export interface DeployResult {
  outcomes: StepOutcome[];
  scheduler: ReconcileReport;
  detached: string[];
  reattached: string[];
  probe: { status: number; body: string };
  variables: Record<string, string>;
}

/** `deploy --apply`: the plan's steps, the scheduler jobs, the take-over, then the deployed probe. */
export async function runDeploy(deploy: DeployRun): Promise<DeployResult> {
  const env = { ...process.env, ...deploy.env };
  const log = deploy.log ?? ((line: string) => console.log(line));
  const gcloudBinary = deploy.gcloud ?? 'gcloud';
  const token = (await run(gcloudBinary, ['auth', 'print-access-token'], { env })).stdout.trim();
  const rest = new GoogleRest(token, env);
  const { project, region } = deploy.topology;
  let projectNumber: string;
  try {
    const answer = await rest.read({ api: 'cloudresourcemanager', path: `v1/projects/${project}` });
    if (!answer.found) throw new ApplyStopped(`project ${project}`, 'does not exist', 2);
    projectNumber = String(answer.body.projectNumber);
  } catch (error) {
    if (error instanceof GoogleReadError)
      throw new ApplyStopped(
        `project ${project}`,
        `not reachable with this account (HTTP ${error.status}: ${error.reason})`,
        2,
      );
    throw error;
  }
  const variables: Record<string, string> = {
    PROJECT: project,
    REGION: region,
    PROJECT_NUMBER: projectNumber,
    WORK: await mkdtemp(join(tmpdir(), 'shotclock-deploy-')),
  };
  const outcomes = await applyPlan(deploy.steps, {
    rest,
    gcloud: gcloudBinary,
    env,
    log,
    variables,
    workDir: variables.WORK!,
    concurrency: deploy.concurrency ?? 4,
    waitScale: deploy.waitScale ?? 1,
    ...(deploy.cwd ? { cwd: deploy.cwd } : {}),
  });

  const scheduler = await reconcileSchedulerJobs(
    cloudSchedulerJobs(project, region, token, env.CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDSCHEDULER),
    deploy.topology.schedulerJobs,
    {
      ...(deploy.mode.takeOver ? { takeOver: deploy.takeOver.scheduler_jobs.map((job) => job.id) } : {}),
      ...(deploy.mode.giveBack ? { giveBack: deploy.takeOver.scheduler_jobs.map((job) => job.id) } : {}),
    },
  );
  for (const { id, settings } of scheduler.updated)
    log(`updated   scheduler job ${id} (${settings.join(', ')})`);
  for (const id of scheduler.created) log(`created   scheduler job ${id}`);
  for (const id of scheduler.tookOver) log(`paused    incumbent scheduler job ${id} (take-over)`);
  for (const id of scheduler.gaveBack) log(`resumed   incumbent scheduler job ${id} (give-back)`);
  for (const id of scheduler.notFound) log(`absent    incumbent scheduler job ${id}: nothing to take over`);

  const { detached, reattached } = await takeOverSubscriptions(deploy, rest, {
    env,
    gcloud: gcloudBinary,
    log,
  });

  const probeUrl = variables[urlVariable('dependency-probe')];
  if (!probeUrl) throw new ApplyStopped('dependency probe', 'its URL was not read back');
  const identity =
    deploy.identityToken ??
    (async () => (await run(gcloudBinary, ['auth', 'print-identity-token'], { env })).stdout.trim());
  const response = await fetch(`${probeUrl}?format=text`, {
    headers: { authorization: `Bearer ${await identity(probeUrl)}` },
    signal: AbortSignal.timeout(120_000),
  });
  const probe = { status: response.status, body: await response.text() };
  return { outcomes, scheduler, detached, reattached, probe, variables };
}

/**
 * The incumbent's orchestrators are triggered through push subscriptions on their topics. Taking
 * over turns those into pull subscriptions nobody reads (labelled, so giving back finds them);
 * giving back points them at the function's URL again, read back from the deployed function, and
 * skips the backlog shotclock already handled.
 */
async function takeOverSubscriptions(
  deploy: DeployRun,
  rest: GoogleRest,
  io: { env: Record<string, string | undefined>; gcloud: string; log: (line: string) => void },
): Promise<{ detached: string[]; reattached: string[] }> {
  const detached: string[] = [];
  const reattached: string[] = [];
  if (!deploy.mode.takeOver && !deploy.mode.giveBack) return { detached, reattached };
  const { project, region } = deploy.topology;
  const gcloud = async (args: string[]) => {
    io.log(`running   ${renderCommand(['gcloud', ...args])}`);
    await run(io.gcloud, args, { env: io.env });
    rest.changed();
  };
  const record = await takeOverRecord(rest, project);
  const recorded = await record.read();
  for (const fn of deploy.takeOver.functions) {
    const label = fn.name.replace(/[^a-z0-9_-]/g, '-');
    const deployed = await rest.read({
      api: 'cloudfunctions',
      path: `v2/projects/${project}/locations/${region}/functions/${fn.name}`,
    });
    if (!deployed.found) {
      io.log(
        `absent    incumbent function ${fn.name}: nothing to ${deploy.mode.takeOver ? 'take over' : 'give back'}`,
      );
      continue;
    }
    const config = deployed.body.serviceConfig as { uri?: string } | undefined;
    const trigger = deployed.body.eventTrigger as { serviceAccountEmail?: string } | undefined;
    const listed = await rest.read({
      api: 'pubsub',
      path: `v1/projects/${project}/topics/${fn.topic}/subscriptions`,
    });
    const names = listed.found ? ((listed.body.subscriptions ?? []) as string[]) : [];
    for (const name of names) {
      const short = name.split('/').pop()!;
      const sub = await rest.read({ api: 'pubsub', path: `v1/${name}` });
      if (!sub.found) continue;
      const push = sub.body.pushConfig as { pushEndpoint?: string } | undefined;
      const labels = (sub.body.labels ?? {}) as Record<string, string>;
      if (
        deploy.mode.takeOver &&
        push?.pushEndpoint &&
        config?.uri &&
        push.pushEndpoint.startsWith(config.uri)
      ) {
        // The push config as it was, kept in the project before it is changed: give-back restores it exactly.
        recorded[short] = push as PushConfig;
        await record.write(recorded);
        await gcloud([
          'pubsub',
          'subscriptions',
          'update',
          short,
          `--update-labels=shotclock-took-over=${label}`,
          `--project=${project}`,
        ]);
        await gcloud([
          'pubsub',
          'subscriptions',
          'modify-push-config',
          short,
          '--push-endpoint=',
          `--project=${project}`,
        ]);
        detached.push(short);
      }
      if (deploy.mode.giveBack && labels['shotclock-took-over'] === label && config?.uri) {
        // What was recorded at take-over; a subscription detached before records were kept gets the function's URL.
        const original: PushConfig = recorded[short] ?? {
          pushEndpoint: config.uri,
          ...(trigger?.serviceAccountEmail
            ? { oidcToken: { serviceAccountEmail: trigger.serviceAccountEmail, audience: config.uri } }
            : {}),
        };
        await gcloud([
          'pubsub',
          'subscriptions',
          'modify-push-config',
          short,
          `--push-endpoint=${original.pushEndpoint}`,
          ...(original.oidcToken?.serviceAccountEmail
            ? [`--push-auth-service-account=${original.oidcToken.serviceAccountEmail}`]
            : []),
          ...(original.oidcToken?.audience
            ? [`--push-auth-token-audience=${original.oidcToken.audience}`]
            : []),
          `--project=${project}`,
        ]);
        await gcloud([
          'pubsub',
          'subscriptions',
          'seek',
          short,
          `--time=${new Date().toISOString()}`,
          `--project=${project}`,
        ]);
        await gcloud([
          'pubsub',
          'subscriptions',
          'update',
          short,
          '--remove-labels=shotclock-took-over',
          `--project=${project}`,
        ]);
        reattached.push(short);
        delete recorded[short];
        await record.write(recorded);
      }
    }
  }
  return { detached, reattached };
}

interface PushConfig {
  pushEndpoint: string;
  oidcToken?: { serviceAccountEmail?: string; audience?: string };
  attributes?: Record<string, string>;
}

/**
 * The incumbent push configs shotclock detached, as a Secret Manager secret of the project
 * (`shotclock-take-over`, a JSON object by subscription): they outlive this run and this machine,
 * and each change is a new version, so the history of take-overs is kept.
 */
async function takeOverRecord(rest: GoogleRest, project: string) {
  const secret = `v1/projects/${project}/secrets/${TAKE_OVER_SECRET}`;
  return {
    async read(): Promise<Record<string, PushConfig>> {
      const latest = await rest.read({ api: 'secretmanager', path: `${secret}/versions/latest:access` });
      if (!latest.found) return {};
      const data = (latest.body.payload as { data?: string } | undefined)?.data ?? '';
      return JSON.parse(Buffer.from(data, 'base64').toString('utf8') || '{}') as Record<string, PushConfig>;
    },
    async write(configs: Record<string, PushConfig>): Promise<void> {
      const exists = await rest.read({ api: 'secretmanager', path: secret });
      if (!exists.found)
        await rest.write({
          api: 'secretmanager',
          path: `v1/projects/${project}/secrets?secretId=${TAKE_OVER_SECRET}`,
          method: 'POST',
          body: { replication: { automatic: {} }, labels: { 'managed-by': 'shotclock' } },
        });
      await rest.write({
        api: 'secretmanager',
        path: `${secret}:addVersion`,
        method: 'POST',
        body: { payload: { data: Buffer.from(JSON.stringify(configs)).toString('base64') } },
      });
    },
  };
}
