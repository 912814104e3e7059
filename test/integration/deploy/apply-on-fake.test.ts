// biome-ignore-all lint/suspicious/noExplicitAny: the assertions read the fake's stored JSON
import { appendFileSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bigQuerySpec } from '../../../infra/bigquery.js';
import { FIRESTORE_TTL_POLICIES } from '../../../infra/firestore-ttl.js';
import { functionSpecs } from '../../../infra/functions.js';
import { monitoringSpec } from '../../../infra/monitoring.js';
import { planFor } from '../../../scripts/cli/deploy-command.js';
import { ApplyStopped } from '../../../scripts/deploy/apply.js';
import { type DeployResult, runDeploy } from '../../../scripts/deploy/run-deploy.js';
import { loadPipelineConfig } from '../../../shared/config/load.js';
import { putIncumbentParts } from '../../support/fake-gcp/incumbent.js';
import { type FakeGcp, startFakeGcp } from '../../support/fake-gcp/server.js';

/**
 * `deploy --apply` with the real gcloud (the installed CLI) against a local fake of Google's APIs.
 * One full apply on an empty project is shared by every case: gcloud costs about a second of
 * Python start a command, so each later case changes only a few things and shows that only those
 * are touched. Google's propagation delays are simulated at 1/200th of their length.
 */
const PROJECT = 'shotclock-fresh';
const config = loadPipelineConfig();
const { topology, steps: declared } = planFor(config, PROJECT);
const region = topology.region;
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
    // the deploy's own bounds and back-offs at 1/20th (a service account: 6 s, a log metric: 45 s)
    waitScale: 0.05,
    identityToken: async (audience) => `id-token-for-${audience}`,
  });
};
const changes = (result: DeployResult) =>
  result.outcomes
    .filter((outcome) => !['unchanged', 'defined'].includes(outcome.action))
    .map((o) => o.resource);
const stored = (key: string) => fake.get(key) as Record<string, any>;

beforeAll(async () => {
  // Google's delays at 1/200th: a TTL policy CREATING for 3 s. A new service account unusable for
  // 3 s and a new log metric unknown to Monitoring for 6 s (their 60 s and 10 min stretched tenfold
  // and twofold), so the steps that follow their creation meet them however loaded the machine is.
  fake = await startFakeGcp({
    project: PROJECT,
    timeScale: 0.005,
    serviceAccountDelayMs: 600_000,
    metricDelayMs: 1_200_000,
  });
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
  for (const dataset of ['nba_raw', 'nba_analytics', 'nba_precompute', 'nba_predictions', 'nba_reference'])
    fake.put(`bigquery:projects/${PROJECT}/datasets/${dataset}`, {
      datasetReference: { datasetId: dataset, projectId: PROJECT },
      access: [{ role: 'OWNER', userByEmail: 'pipeline@example.test' }],
    });
  first = await deploy();
  firstCalls = fake.requests.length;
}, 600_000);

afterAll(async () => {
  await fake?.stop();
});

describe('deploy --apply on an empty project, with the real gcloud', () => {
  it('ends green, with every resource and binding declared, having waited for what propagates', () => {
    const byGcloud = fake.requests.slice(0, firstCalls).filter((r) => r.client === 'gcloud').length;
    console.log(
      `first apply: ${firstCalls} API calls (${byGcloud} from gcloud), ${changes(first).length} changes`,
    );
    expect(first.probe).toEqual({ status: 200, body: 'probe: green\n' });
    for (const topic of topology.topics)
      expect(fake.get(`pubsub:projects/${PROJECT}/topics/${topic}`), topic).toBeDefined();
    for (const sub of topology.subscriptions) {
      const subscription = stored(`pubsub:projects/${PROJECT}/subscriptions/${sub.name}`);
      expect(subscription, sub.name).toBeDefined();
      expect(subscription.ackDeadlineSeconds).toBe(sub.ackDeadlineSeconds);
      if (sub.pushTo) {
        const uri = stored(`cloudfunctions:projects/${PROJECT}/locations/${region}/functions/${sub.pushTo}`)
          .serviceConfig.uri;
        expect(subscription.pushConfig.oidcToken.audience).toBe(uri);
        expect(subscription.pushConfig.pushEndpoint).toBe(`${uri}/projects/${PROJECT}/topics/${sub.topic}`);
      }
    }
    expect(fake.get(`firestore:projects/${PROJECT}/databases/(default)`)).toBeDefined();
    for (const ttl of FIRESTORE_TTL_POLICIES)
      expect(
        stored(
          `firestore:projects/${PROJECT}/databases/(default)/collectionGroups/${ttl.collection}/fields/${ttl.field}`,
        )?.ttlConfig,
        ttl.collection,
      ).toBeDefined();
    // shotclock's own dataset and tables (made by the real bq), with the declared schemas and daily partitions.
    const spec = bigQuerySpec(config);
    expect(fake.get(`bigquery:projects/${PROJECT}/datasets/${spec.ownedDataset}`)).toBeDefined();
    expect(spec.ownedTables.map((table) => table.table)).toContain('shotclock.graded_predictions');
    for (const table of spec.ownedTables) {
      const [dataset, name] = table.table.split('.');
      const created = stored(`bigquery:projects/${PROJECT}/datasets/${dataset}/tables/${name}`);
      expect(
        created?.schema.fields.map((f: any) => `${f.name} ${f.type} ${f.mode ?? 'NULLABLE'}`),
        table.table,
      ).toEqual(table.fields.map((f) => `${f.name} ${f.type} ${f.mode}`));
      expect(created.timePartitioning, table.table).toMatchObject({ type: 'DAY', field: 'game_date' });
      expect(created.requirePartitionFilter, table.table).toBe(true);
    }
    expect(
      fake.get(`secretmanager:projects/${PROJECT}/secrets/shotclock-slack-webhook/versions/1`),
    ).toBeDefined();
    expect(fake.get(`storage:b/${config.grading.bucket}`)).toBeDefined();
    const grading = stored(`pubsub:projects/${PROJECT}/subscriptions/live-grading-export--shotclock-tick`);
    expect(grading.ackDeadlineSeconds).toBeGreaterThanOrEqual(300);
    // Every declared binding is in a policy of the fake (IAM policies or dataset access lists).
    const held = new Set(fake.policies.all().map((b) => `${b.role} ${b.member} ${b.condition ?? ''}`));
    for (const step of declared.filter((s) => s.grant)) {
      const grant = step.grant!;
      const member = grant.member.replace(/\$\{PROJECT_NUMBER\}/, '123456789012');
      if (grant.scope === 'dataset')
        expect(
          stored(`bigquery:projects/${PROJECT}/datasets/${grant.target}`).access,
          step.resource,
        ).toContainEqual({
          role: grant.role.replace('bigquery.', ''),
          userByEmail: member.replace('serviceAccount:', ''),
        });
      else
        expect(held, step.resource).toContain(`${grant.role} ${member} ${grant.condition?.expression ?? ''}`);
    }
    expect(first.outcomes.filter((o) => o.action === 'granted')).toHaveLength(
      declared.filter((s) => s.grant).length,
    );
    // Status page links in alerts point at the deployed status page.
    const gate = stored(`cloudfunctions:projects/${PROJECT}/locations/${region}/functions/freshness-gate`);
    const statusUri = stored(`cloudfunctions:projects/${PROJECT}/locations/${region}/functions/status-page`)
      .serviceConfig.uri;
    expect(JSON.parse(gate.serviceConfig.environmentVariables.SHOTCLOCK_CONFIG).project.status_page_url).toBe(
      statusUri,
    );
    expect(fake.keys(`cloudscheduler:projects/${PROJECT}/locations/${region}/jobs/`)).toHaveLength(
      topology.schedulerJobs.length,
    );
    // It met a service account not usable yet, and waited.
    expect(fake.requests.some((r) => r.status === 400 && /setIamPolicy|\/iam$/.test(r.path))).toBe(true);
  });

  it('a second apply changes nothing, reading what exists in a few calls', async () => {
    const before = fake.requests.length;
    const second = await deploy();
    expect(changes(second)).toEqual([]);
    expect(second.scheduler.created.length + second.scheduler.updated.length).toBe(0);
    expect(fake.mutations(before)).toEqual([]);
    const calls = fake.requests.slice(before);
    console.log(
      `second apply: ${calls.length} API calls (${calls.filter((r) => r.client === 'gcloud').length} from gcloud), 0 changes`,
    );
  }, 300_000);

  it('reports an owned table it cannot change (made before partitioning), and leaves it and its rows as they are', async () => {
    const key = `bigquery:projects/${PROJECT}/datasets/shotclock/tables/graded_predictions`;
    const partitioned = stored(key);
    const {
      timePartitioning: _partitioning,
      requirePartitionFilter: _required,
      ...unpartitioned
    } = partitioned;
    fake.put(key, { ...unpartitioned, numRows: '1680' });
    try {
      const before = fake.requests.length;
      const again = await deploy();
      expect(again.outcomes.filter((o) => o.action === 'differs')).toEqual([
        {
          resource: 'table shotclock.graded_predictions',
          action: 'differs',
          detail: [
            'not partitioned by game_date: every query reads the whole table (BigQuery partitions a table only when it is created)',
          ],
        },
      ]);
      expect(changes(again)).toEqual(['table shotclock.graded_predictions']);
      expect(fake.mutations(before)).toEqual([]);
      expect(stored(key).numRows).toBe('1680');
    } finally {
      fake.put(key, partitioned);
    }
  }, 300_000);

  it('repairs drift (a subscription endpoint, a deleted topic, a scheduler time zone, a deleted log metric and its policy), retrying a 503 on the way', async () => {
    const metric = monitoringSpec(config).logMetrics[0]!.name;
    fake.delete(`logging:projects/${PROJECT}/metrics/${metric}`);
    const policy = fake
      .keys(`monitoring:projects/${PROJECT}/alertPolicies/`)
      .find((key) =>
        stored(key).conditions[0].conditionThreshold.filter.includes(
          `logging.googleapis.com/user/${metric}"`,
        ),
      );
    expect(policy).toBeDefined();
    fake.delete(policy!);
    const subKey = `pubsub:projects/${PROJECT}/subscriptions/phase-transition--nba-phase3-analytics-complete`;
    const sub = stored(subKey);
    fake.put(subKey, {
      ...sub,
      pushConfig: { ...sub.pushConfig, pushEndpoint: 'https://elsewhere.example.test/x' },
    });
    fake.delete(`pubsub:projects/${PROJECT}/topics/shotclock-gate-decisions`);
    const jobKey = `cloudscheduler:projects/${PROJECT}/locations/${region}/jobs/freshness-gate`;
    fake.put(jobKey, { ...stored(jobKey), timeZone: 'UTC' });
    fake.faults.push({
      method: 'PUT',
      path: /pubsub\/v1\/projects\/[^/]+\/topics\/shotclock-gate-decisions$/,
      status: 503,
      times: 1,
    });
    const before = fake.requests.length;
    const repaired = await deploy();
    expect(fake.requests.slice(before).filter((r) => r.status === 503)).toHaveLength(1);
    expect(changes(repaired).sort()).toEqual([
      `alert policy ${metric}`,
      `log metric ${metric}`,
      'subscription phase-transition--nba-phase3-analytics-complete',
      'topic shotclock-gate-decisions',
    ]);
    // The new metric was unknown to Monitoring for a while: the policy waited for it.
    expect(fake.requests.slice(before).some((r) => r.status === 404 && /alertPolicies$/.test(r.path))).toBe(
      true,
    );
    expect(repaired.scheduler.updated).toEqual([{ id: 'freshness-gate', settings: ['time zone'] }]);
    expect(stored(subKey).pushConfig).toEqual(sub.pushConfig);
    expect(stored(jobKey).timeZone).toBe('America/New_York');
    expect(repaired.probe.status).toBe(200);
  }, 300_000);

  it('stops on an error that persists, and a re-run finishes what is left', async () => {
    fake.delete(`pubsub:projects/${PROJECT}/topics/shotclock-alerts`);
    fake.faults.push({ method: 'PUT', path: /topics\/shotclock-alerts$/, status: 500, times: 50 });
    await expect(deploy()).rejects.toBeInstanceOf(ApplyStopped);
    fake.faults.length = 0;
    const resumed = await deploy();
    expect(changes(resumed)).toEqual(['topic shotclock-alerts']);
    expect(resumed.probe.status).toBe(200);
  }, 300_000);

  it('takes over the incumbent parts and gives them back exactly, touching no other job', async () => {
    const { jobs, subscription: sub, pushConfig } = putIncumbentParts(fake, PROJECT, region);

    const taken = await deploy({ takeOver: true });
    expect(taken.scheduler.tookOver.sort()).toEqual([
      'phase4-timeout-check-job',
      'same-day-predictions-tomorrow',
    ]);
    expect(stored(`${jobs}/another-teams-job`).state).toBe('ENABLED');
    expect(taken.detached).toEqual([sub.split('/').pop()]);
    expect(stored(sub).pushConfig.pushEndpoint ?? '').toBe('');

    const back = await deploy({ giveBack: true });
    expect(back.scheduler.gaveBack.sort()).toEqual([
      'phase4-timeout-check-job',
      'same-day-predictions-tomorrow',
    ]);
    expect(stored(sub).pushConfig).toEqual(pushConfig);
    expect(stored(sub).labels?.['shotclock-took-over']).toBeUndefined();
    expect(stored(`${jobs}/another-teams-job`).state).toBe('ENABLED');
  }, 300_000);
});
