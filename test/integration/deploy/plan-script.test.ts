// biome-ignore-all lint/suspicious/noExplicitAny: the assertions read the fake's stored JSON
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planPreamble, renderGiveBack, renderPlanSteps, renderTakeOver } from '../../../infra/plan-script.js';
import { TAKE_OVER_SECRET } from '../../../infra/topology.js';
import { planFor } from '../../../scripts/cli/deploy-command.js';
import { loadPipelineConfig } from '../../../shared/config/load.js';
import { putIncumbentParts } from '../../support/fake-gcp/incumbent.js';
import { type FakeGcp, startFakeGcp } from '../../support/fake-gcp/server.js';

/**
 * Parts of the script `deploy --plan` prints, run by bash with the real gcloud against a local fake of
 * Google's APIs: what a person who runs the printed plan gets. (The whole plan, some 270 gcloud runs,
 * takes about ten minutes this way; the parts here are the ones that wait, repeat or take over.)
 * The incumbent is as the default config lists it: two scheduler jobs, and two orchestrators of which
 * one is deployed, its subscription made by Eventarc (an endpoint with a query string, a token with
 * its own audience).
 */
const PROJECT = 'shotclock-script';
const config = loadPipelineConfig();
const { topology, steps } = planFor(config, PROJECT);
const { region } = topology;
const run = promisify(execFile);
let fake: FakeGcp;
let env: Record<string, string>;
let dir: string;

const jobs = `cloudscheduler:projects/${PROJECT}/locations/${region}/jobs`;
const sub = `pubsub:projects/${PROJECT}/subscriptions/eventarc-${region}-phase3-to-phase4-orchestrator-000-sub-123`;
const pullSub = `pubsub:projects/${PROJECT}/subscriptions/phase3-audit`;
const stored = (key: string) => fake.get(key) as Record<string, any>;

/** Runs one section of the plan (its preamble first) as the person would, in bash. */
async function section(lines: string[], takeOver: 'yes' | 'no' = 'no') {
  const script = [...planPreamble(topology), '', ...lines].join('\n');
  return run('bash', ['-c', script], {
    cwd: dir,
    env: { ...process.env, ...env, TAKE_OVER: takeOver },
    timeout: 240_000,
  });
}

beforeAll(async () => {
  // A new service account cannot be named in a policy for 3 s (Google: up to a minute).
  fake = await startFakeGcp({ project: PROJECT, timeScale: 0.005, serviceAccountDelayMs: 600_000 });
  dir = await mkdtemp(join(tmpdir(), 'shotclock-take-over-script-'));
  env = fake.gcloudEnv(dir);
  const { topic } = putIncumbentParts(fake, PROJECT, region);
  // Someone's own pull subscription on the same topic: neither section touches it.
  fake.put(pullSub, { name: pullSub.slice(7), topic, pushConfig: {}, ackDeadlineSeconds: 10 });
}, 60_000);

afterAll(async () => {
  await fake?.stop();
});

describe('the printed plan, run by bash with the real gcloud', () => {
  it('grants a service account it just created once Google knows it, waiting as --apply does', async () => {
    const account = steps.filter(
      (step) =>
        step.resource === 'service account sc-alert-monitor' ||
        /^sc-alert-monitor roles\//.test(step.resource),
    );
    expect(account.map((step) => step.resource)).toEqual([
      'service account sc-alert-monitor',
      'sc-alert-monitor roles/datastore.user',
      'sc-alert-monitor roles/bigquery.jobUser',
    ]);
    const { stderr } = await section(renderPlanSteps(account));
    expect(stderr).toMatch(/waiting for the new service account \(0 s\)/);
    const bindings = fake.policies.all().filter((b) => b.member.includes('sc-alert-monitor@'));
    expect(bindings.map((b) => b.role).sort()).toEqual(['roles/bigquery.jobUser', 'roles/datastore.user']);
  }, 300_000);

  it('deploys a function once: a second run finds its code and settings unchanged and leaves it', async () => {
    const health = steps.filter((step) =>
      ['service account sc-health', 'function health'].includes(step.resource),
    );
    expect(health).toHaveLength(2);
    await mkdir(join(dir, 'dist', 'health'), { recursive: true });
    await writeFile(
      join(dir, 'dist', 'health', 'package.json'),
      JSON.stringify({ name: 'health', main: 'index.js' }),
    );
    // The status page's URL, which the plan reads back before it deploys the other functions.
    const lines = ['URL_STATUS_PAGE=https://status-page.example.test', ...renderPlanSteps(health)];
    await section(lines);
    const deployed = stored(`cloudfunctions:projects/${PROJECT}/locations/${region}/functions/health`);
    expect(deployed.labels?.['shotclock-hash']).toMatch(/^[0-9a-f]{16}$/);
    const before = fake.requests.length;
    await section(lines);
    expect(fake.mutations(before)).toEqual([]);
  }, 300_000);

  it('enables the TTL policies once: a second run finds them and changes nothing', async () => {
    // The database and the first two of the TTL policies (each is rendered alike).
    const ttl = steps
      .filter((step) => step.phase === 'firestore' || step.phase === 'firestore-ttl')
      .slice(0, 3);
    expect(ttl.map((step) => step.phase)).toEqual(['firestore', 'firestore-ttl', 'firestore-ttl']);
    await section(renderPlanSteps(ttl));
    for (const step of ttl.filter((s) => s.phase === 'firestore-ttl')) {
      const [group, field] = step.resource.slice('TTL '.length).split('.');
      expect(
        stored(`firestore:projects/${PROJECT}/databases/(default)/collectionGroups/${group}/fields/${field}`)
          ?.ttlConfig,
        step.resource,
      ).toBeDefined();
    }
    const before = fake.requests.length;
    await section(renderPlanSteps(ttl));
    expect(fake.mutations(before)).toEqual([]);
  }, 300_000);

  it('take-over pauses the listed jobs and detaches the Eventarc subscription, recording its push config; what is not deployed is skipped', async () => {
    const original = stored(sub).pushConfig;
    const { stderr } = await section(renderTakeOver(topology, config.take_over), 'yes');
    expect(stored(`${jobs}/same-day-predictions-tomorrow`).state).toBe('PAUSED');
    expect(stored(`${jobs}/phase4-timeout-check-job`).state).toBe('PAUSED');
    expect(stored(`${jobs}/another-teams-job`).state).toBe('ENABLED');
    expect(stored(sub).pushConfig.pushEndpoint ?? '').toBe('');
    expect(stored(sub).labels).toEqual({ 'shotclock-took-over': 'phase3-to-phase4-orchestrator' });
    expect(stored(pullSub).labels).toBeUndefined();
    // The record deploy --apply keeps too: the push config as it was, by subscription.
    const versions = fake.keys(`secretmanager:projects/${PROJECT}/secrets/${TAKE_OVER_SECRET}/versions/`);
    const latest = stored(versions.at(-1)!);
    expect(JSON.parse(Buffer.from(latest.payload.data, 'base64').toString())).toEqual({
      [sub.split('/').pop()!]: original,
    });
    expect(stderr).toContain(
      'incumbent function phase4-to-phase5-orchestrator is not deployed: nothing to take over',
    );
  }, 300_000);

  it('give-back resumes the jobs and pushes the subscription again exactly as recorded, label and record entry removed', async () => {
    const { stderr } = await section(renderGiveBack(topology, config.take_over));
    expect(stored(`${jobs}/same-day-predictions-tomorrow`).state).toBe('ENABLED');
    expect(stored(`${jobs}/phase4-timeout-check-job`).state).toBe('ENABLED');
    const uri = `${fake.url}/runapp/phase3-to-phase4-orchestrator`;
    expect(stored(sub).pushConfig).toEqual({
      pushEndpoint: `${uri}?__GCP_CloudEventsMode=CUSTOM_PUBSUB_projects%2F${PROJECT}%2Ftopics%2Fnba-phase3-analytics-complete`,
      oidcToken: {
        serviceAccountEmail: `incumbent@${PROJECT}.iam.gserviceaccount.com`,
        audience: `${uri}/x`,
      },
    });
    expect(stored(sub).labels?.['shotclock-took-over']).toBeUndefined();
    expect(
      fake.requests.some((r) => r.method === 'POST' && r.path.endsWith(':seek') && r.status === 200),
    ).toBe(true);
    const versions = fake.keys(`secretmanager:projects/${PROJECT}/secrets/${TAKE_OVER_SECRET}/versions/`);
    expect(JSON.parse(Buffer.from(stored(versions.at(-1)!).payload.data, 'base64').toString())).toEqual({});
    expect(stderr).toContain(
      'incumbent function phase4-to-phase5-orchestrator is not deployed: nothing to give back',
    );
  }, 300_000);
});
