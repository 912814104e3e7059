import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deployPlan } from '../../../infra/plan.js';
import { buildTopology } from '../../../infra/topology.js';
import { loadPipelineConfig } from '../../../shared/config/load.js';
import { applyPlan } from '../../../scripts/deploy/apply.js';

const FAKE_GCLOUD = resolve('test/fixtures/fake-gcloud.mjs');

async function callsIn(stateFile: string): Promise<string[]> {
  return JSON.parse(await readFile(stateFile, 'utf8')).calls;
}

describe('deploy --apply', () => {
  it('creates everything once; a second apply describes and changes nothing; a changed bundle redeploys only its function', async () => {
    const stateFile = join(await mkdtemp(join(tmpdir(), 'shotclock-gcloud-')), 'state.json');
    process.env.FAKE_GCLOUD_STATE = stateFile;
    const topology = buildTopology(loadPipelineConfig());
    // The phase-transition slice of the plan: every kind of step, few enough to spawn the CLI for each.
    const slice = (hashes: Record<string, string>) =>
      deployPlan(topology, { bundleHashes: hashes }).filter((step) =>
        /phase-transition|^topic nba-phase3|^apis/.test(step.resource),
      );
    const quiet = { gcloud: FAKE_GCLOUD, log: () => {}, variables: { PROJECT_NUMBER: '123456789' } };

    const first = await applyPlan(slice({ phaseTransition: 'a1' }), quiet);
    const created = first
      .filter((outcome) => outcome.action === 'created')
      .map((outcome) => outcome.resource);
    expect(created).toEqual(
      expect.arrayContaining([
        'service account sc-phase-transition',
        'topic nba-phase3-analytics-complete',
        'function phase-transition',
        'subscription phase-transition--nba-phase3-analytics-complete',
      ]),
    );
    const afterFirst = (await callsIn(stateFile)).length;

    const second = await applyPlan(slice({ phaseTransition: 'a1' }), quiet);
    expect(second.filter((outcome) => outcome.action === 'created' || outcome.action === 'updated')).toEqual(
      [],
    );
    const secondCalls = (await callsIn(stateFile)).slice(afterFirst);
    expect(secondCalls.filter((call) => / (create|deploy|update) /.test(call))).toEqual([]);
    // The project number was filled in: no call went out with the placeholder.
    expect(secondCalls.some((call) => call.includes('PROJECT_NUMBER'))).toBe(false);

    const third = await applyPlan(slice({ phaseTransition: 'b2' }), quiet);
    expect(
      third.filter((outcome) => outcome.action === 'updated').map((outcome) => outcome.resource),
    ).toEqual(['function phase-transition']);
  }, 180_000);
});
