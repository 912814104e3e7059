// biome-ignore-all lint/suspicious/noExplicitAny: the assertions read the fake's stored JSON
import { appendFileSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionSpecs } from '../../../infra/functions.js';
import { loadPipelineConfig } from '../../../shared/config/load.js';
import { ApplyStopped } from '../../../scripts/deploy/apply.js';
import { type DeployResult, runDeploy } from '../../../scripts/deploy/run-deploy.js';
import { planFor } from '../../../scripts/cli/deploy-command.js';
import { type FakeGcp, startFakeGcp } from '../../support/fake-gcp/server.js';

/**
 * `deploy --apply` with the real gcloud (the installed CLI) against a local fake of Google's APIs.
 * One full apply on an empty project is shared by every assertion: gcloud takes about a second a
 * command, so each later case changes only a few things and shows that only those are touched.
 */
const PROJECT = 'shotclock-fresh';
const config = loadPipelineConfig();
let fake: FakeGcp;
let dir: string;
let env: Record<string, string>;
let first: DeployResult;
let firstCalls = 0;

const deploy = async (mode: { takeOver?: boolean; giveBack?: boolean } = {}) => {
  const { topology, steps } = planFor(config, PROJECT, {
    bundleHashes: Object.fromEntries(functionSpecs(config).map((fn) => [fn.source, 'bundle-1'])),
    secretValueFiles: {
      'shotclock-slack-webhook': { path: join(dir, 'webhook'), content: 'https://hooks.example.test/T/B/x' },
    },
  });
  return runDeploy({
    topology,
    steps,
    takeOver: config.take_over,
    mode,
    env,
    log: (line) => appendFileSync(join(dir, 'deploy.log'), `${new Date().toISOString()} ${line}\n`),
    concurrency: 3,
    cwd: dir,
    waitScale: 0.01,
    identityToken: async (audience) => `id-token-for-${audience}`,
  });
};
const changes = (result: DeployResult) =>
  result.outcomes
    .filter((outcome) => !['unchanged', 'defined'].includes(outcome.action))
    .map((o) => o.resource);

/**
 * A first apply is about 160 gcloud runs (about a second each, more on a loaded machine), so this file
 * runs under `npm run test:deploy` (SHOTCLOCK_GCLOUD_E2E=1), not under `npm test`.
 */
const gcloudE2e = process.env.SHOTCLOCK_GCLOUD_E2E === '1';

beforeAll(async () => {
  if (!gcloudE2e) return;
  // Google's propagation delays, scaled down: a new service account cannot be named for 1.5 s,
  // a new log metric is unknown to Monitoring for 2 s.
  fake = await startFakeGcp({ project: PROJECT, serviceAccountDelayMs: 1500, metricDelayMs: 2000 });
  dir = await mkdtemp(join(tmpdir(), 'shotclock-deploy-test-'));
  env = fake.gcloudEnv(dir);
  await writeFile(join(dir, 'webhook'), 'https://hooks.example.test/T/B/x');
  // gcloud zips and uploads each function's folder: a package.json is all it checks for.
  for (const source of new Set(functionSpecs(config).map((fn) => fn.source))) {
    await mkdir(join(dir, 'dist', source), { recursive: true });
    await writeFile(
      join(dir, 'dist', source, 'package.json'),
      JSON.stringify({ name: source, main: 'index.js' }),
    );
  }
  // The pipeline's own datasets exist in its project: shotclock reads them and never creates them.
  for (const dataset of ['nba_raw', 'nba_analytics', 'nba_precompute', 'nba_predictions'])
    fake.put(`bigquery:projects/${PROJECT}/datasets/${dataset}`, {
      datasetReference: { datasetId: dataset },
      access: [{ role: 'OWNER', userByEmail: 'pipeline@example.test' }],
    });
  first = await deploy();
  firstCalls = fake.requests.length;
}, 900_000);

afterAll(async () => {
  await fake?.stop();
});

describe.runIf(gcloudE2e)('deploy --apply on an empty project, with the real gcloud', () => {
  it('ends green, with every resource and binding declared', () => {
    expect(first.probe).toEqual({ status: 200, body: 'probe: green\n' });
    const { topology } = planFor(config, PROJECT);
    for (const topic of topology.topics)
      expect(fake.get(`pubsub:projects/${PROJECT}/topics/${topic}`), topic).toBeDefined();
    for (const sub of topology.subscriptions) {
      const stored = fake.get(`pubsub:projects/${PROJECT}/subscriptions/${sub.name}`) as Record<string, any>;
      expect(stored, sub.name).toBeDefined();
      expect(stored.ackDeadlineSeconds).toBe(sub.ackDeadlineSeconds);
      if (sub.pushTo) {
        const uri = (
          fake.get(
            `cloudfunctions:projects/${PROJECT}/locations/${topology.region}/functions/${sub.pushTo}`,
          ) as any
        ).serviceConfig.uri;
        expect(stored.pushConfig.oidcToken.audience).toBe(uri);
        expect(stored.pushConfig.pushEndpoint).toBe(`${uri}/projects/${PROJECT}/topics/${sub.topic}`);
      }
    }
    expect(fake.get(`firestore:projects/${PROJECT}/databases/(default)`)).toBeDefined();
    expect(
      fake.get(`secretmanager:projects/${PROJECT}/secrets/shotclock-slack-webhook/versions/1`),
    ).toBeDefined();
    expect(fake.get(`storage:b/${config.grading.bucket}`)).toBeDefined();
    const grading = (
      fake.get(`pubsub:projects/${PROJECT}/subscriptions/live-grading-export--shotclock-tick`) as any
    ).ackDeadlineSeconds;
    expect(grading).toBeGreaterThanOrEqual(300);
    const grants = first.outcomes.filter((o) => o.action === 'granted').length;
    const declared = planFor(config, PROJECT).steps.filter((s) => s.grant).length;
    expect(grants).toBe(declared);
    // Status page links in alerts point at the deployed status page.
    const gate = fake.get(
      `cloudfunctions:projects/${PROJECT}/locations/${topology.region}/functions/freshness-gate`,
    ) as any;
    const statusUri = (
      fake.get(`cloudfunctions:projects/${PROJECT}/locations/${topology.region}/functions/status-page`) as any
    ).serviceConfig.uri;
    expect(JSON.parse(gate.serviceConfig.environmentVariables.SHOTCLOCK_CONFIG).project.status_page_url).toBe(
      statusUri,
    );
    const jobs = fake.keys(`cloudscheduler:projects/${PROJECT}/locations/${topology.region}/jobs/`);
    expect(jobs).toHaveLength(topology.schedulerJobs.length);
    console.log(`first apply: ${firstCalls} API calls, ${changes(first).length} changes`);
  });

  it('a second apply changes nothing', async () => {
    const before = fake.requests.length;
    const second = await deploy();
    expect(changes(second)).toEqual([]);
    expect(second.scheduler.created.length + second.scheduler.updated.length).toBe(0);
    expect(fake.mutations(before)).toEqual([]);
    console.log(`second apply: ${fake.requests.length - before} API calls, 0 changes`);
  }, 300_000);

  it('repairs drift: a subscription endpoint, a deleted topic, a scheduler time zone', async () => {
    const { topology } = planFor(config, PROJECT);
    const subKey = `pubsub:projects/${PROJECT}/subscriptions/phase-transition--nba-phase3-analytics-complete`;
    const sub = fake.get(subKey) as any;
    fake.put(subKey, {
      ...sub,
      pushConfig: { ...sub.pushConfig, pushEndpoint: 'https://elsewhere.example.test/x' },
    });
    fake.delete(`pubsub:projects/${PROJECT}/topics/shotclock-gate-decisions`);
    const jobKey = `cloudscheduler:projects/${PROJECT}/locations/${topology.region}/jobs/freshness-gate`;
    fake.put(jobKey, { ...(fake.get(jobKey) as object), timeZone: 'UTC' });
    const repaired = await deploy();
    expect(changes(repaired).sort()).toEqual(
      expect.arrayContaining([
        'subscription phase-transition--nba-phase3-analytics-complete',
        'topic shotclock-gate-decisions',
      ]),
    );
    expect(repaired.scheduler.updated).toEqual([{ id: 'freshness-gate', settings: ['time zone'] }]);
    expect((fake.get(subKey) as any).pushConfig.pushEndpoint).toBe(sub.pushConfig.pushEndpoint);
    expect((fake.get(jobKey) as any).timeZone).toBe('America/New_York');
    expect(repaired.probe.status).toBe(200);
  }, 300_000);

  it('retries a 503 in the middle; a re-run after an abort finishes', async () => {
    for (const topic of ['shotclock-alerts', 'shotclock-predictions-ready'])
      fake.delete(`pubsub:projects/${PROJECT}/topics/${topic}`);
    fake.faults.push({
      method: 'PUT',
      path: /pubsub\/v1\/projects\/[^/]+\/topics\/shotclock-alerts$/,
      status: 503,
      times: 1,
    });
    const retried = await deploy();
    expect(changes(retried)).toEqual(
      expect.arrayContaining(['topic shotclock-alerts', 'topic shotclock-predictions-ready']),
    );
    expect(fake.requests.some((r) => r.status === 503)).toBe(true);

    fake.delete(`pubsub:projects/${PROJECT}/topics/shotclock-alerts`);
    fake.faults.push({ method: 'PUT', path: /topics\/shotclock-alerts$/, status: 500, times: 50 });
    await expect(deploy()).rejects.toBeInstanceOf(ApplyStopped);
    fake.faults.length = 0;
    const resumed = await deploy();
    expect(changes(resumed)).toEqual(['topic shotclock-alerts']);
    expect(resumed.probe.status).toBe(200);
  }, 300_000);

  it('takes over the incumbent parts and gives them back, touching no other job', async () => {
    const region = config.project.region;
    const jobs = `cloudscheduler:projects/${PROJECT}/locations/${region}/jobs`;
    for (const id of ['same-day-predictions-tomorrow', 'phase4-timeout-check-job', 'another-teams-job'])
      fake.put(`${jobs}/${id}`, {
        name: `${jobs.slice(15)}/${id}`,
        schedule: '0 18 * * *',
        timeZone: 'America/New_York',
        state: 'ENABLED',
        httpTarget: { uri: 'https://x.example.test/start' },
      });
    const fn = `cloudfunctions:projects/${PROJECT}/locations/${region}/functions/phase3-to-phase4-orchestrator`;
    const uri = `${fake.url}/runapp/phase3-to-phase4-orchestrator`;
    fake.put(fn, {
      name: fn.slice(15),
      serviceConfig: { uri },
      eventTrigger: { serviceAccountEmail: `incumbent@${PROJECT}.iam.gserviceaccount.com` },
    });
    const sub = `pubsub:projects/${PROJECT}/subscriptions/eventarc-${region}-phase3-to-phase4-orchestrator-000-sub-123`;
    fake.put(sub, {
      name: sub.slice(7),
      topic: `projects/${PROJECT}/topics/nba-phase3-analytics-complete`,
      pushConfig: { pushEndpoint: uri },
      ackDeadlineSeconds: 600,
    });

    const taken = await deploy({ takeOver: true });
    expect(taken.scheduler.tookOver.sort()).toEqual([
      'phase4-timeout-check-job',
      'same-day-predictions-tomorrow',
    ]);
    expect((fake.get(`${jobs}/another-teams-job`) as any).state).toBe('ENABLED');
    expect(taken.detached).toEqual([sub.split('/').pop()]);
    expect((fake.get(sub) as any).pushConfig).toEqual({});

    const back = await deploy({ giveBack: true });
    expect(back.scheduler.gaveBack.sort()).toEqual([
      'phase4-timeout-check-job',
      'same-day-predictions-tomorrow',
    ]);
    expect((fake.get(sub) as any).pushConfig.pushEndpoint).toBe(uri);
    expect((fake.get(`${jobs}/another-teams-job`) as any).state).toBe('ENABLED');
  }, 300_000);
});
