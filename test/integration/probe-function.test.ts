import type { Server } from 'node:http';
import * as functionsFramework from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { afterAll, describe, expect, it } from 'vitest';
import {
  makeDependencyProbeHttp,
  makeDependencyProbeTickHandler,
  type ProbeFunctionDependencies,
} from '../../functions/dependencyProbe/handler.js';
import { freePort } from '../../scripts/local/emulators.js';
import { systemClock } from '../../shared/adapters/clocks.js';
import { loadPipelineConfig } from '../../shared/config/load.js';
import { createLogger } from '../../shared/logging/logger.js';
import type { Alert } from '../../shared/messages/alert.js';
import type { ExpectedTopology } from '../../shared/probe/expected-topology.js';
import { ProbeAnswer } from '../../shared/probe/probe-answer.js';
import { PROBE_HEADER } from '../../shared/probe/probe-request.js';
import { configuredSchedulerJobs } from '../../shared/probe/scheduler-jobs.port.js';
import { emulatorBus, emulatorPubSub, freshProjectId } from '../support/backends.js';

/** The dependencyProbe function: on its scheduler job, over HTTP, and answering its own probe. */
// The Google clients would otherwise look for a GCE metadata server off-host, even on the emulators.
process.env.METADATA_SERVER_DETECTION = 'none';
const config = loadPipelineConfig();
const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

const EXPECTED: ExpectedTopology = {
  topics: [{ name: 'nba-phase3-trigger', publishers: ['record count checker'] }],
  subscriptions: [],
  jobs: [],
  functions: [],
};

async function probeDependencies(subscribed: boolean) {
  const projectId = freshProjectId('probefn');
  const bus = emulatorBus(projectId);
  const [topic] = await emulatorPubSub(projectId).createTopic('nba-phase3-trigger');
  if (subscribed) {
    const [deadLetter] = await emulatorPubSub(projectId).createTopic('rerun-dlq');
    await topic.createSubscription('rerun', {
      deadLetterPolicy: { deadLetterTopic: deadLetter.name, maxDeliveryAttempts: 5 },
    });
  }
  const raised: Alert[] = [];
  const deps: ProbeFunctionDependencies = {
    config,
    projectId,
    clock: systemClock,
    logger: createLogger({ function: 'dependencyProbe' }),
    bus,
    topology: bus,
    scheduler: configuredSchedulerJobs(config),
    alerts: { raise: async (alert) => void raised.push(alert), resolve: async () => undefined },
    expected: EXPECTED,
  };
  return { deps, raised };
}

function tickEvent(job: string) {
  return {
    id: `tick-${job}`,
    source: `//pubsub.googleapis.com/projects/demo/topics/${config.topics.tick}`,
    data: { message: { data: Buffer.from(JSON.stringify({ job })).toString('base64'), messageId: job } },
  };
}

async function serveHttp(name: string, deps: ProbeFunctionDependencies): Promise<string> {
  functionsFramework.http(
    name,
    makeDependencyProbeHttp(async () => deps),
  );
  const server = getTestServer(name);
  servers.push(server);
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return `http://127.0.0.1:${port}/`;
}

describe('dependencyProbe function', () => {
  it('runs on the dependency-probe job and raises an alert per red check', async () => {
    const { deps, raised } = await probeDependencies(false);
    await makeDependencyProbeTickHandler(async () => deps)(tickEvent('dependency-probe'));
    expect(raised.map((alert) => alert.key)).toEqual(['probe_red:subscribed:nba-phase3-trigger']);
  });

  it('ignores every other scheduler job', async () => {
    const { deps, raised } = await probeDependencies(false);
    await makeDependencyProbeTickHandler(async () => deps)(tickEvent('shotclock-tick'));
    expect(raised).toEqual([]);
  });

  it('answers HTTP with the JSON report: 503 when red, 200 when green; text on request', async () => {
    const red = await probeDependencies(false);
    const redUrl = await serveHttp('dependencyProbeRed', red.deps);
    const redResponse = await fetch(redUrl);
    expect(redResponse.status).toBe(503);
    expect(await redResponse.json()).toMatchObject({
      status: 'red',
      checks: expect.arrayContaining([
        expect.objectContaining({ check: 'subscribed:nba-phase3-trigger', status: 'red' }),
      ]),
    });

    const green = await probeDependencies(true);
    const greenUrl = await serveHttp('dependencyProbeGreen', green.deps);
    const text = await fetch(`${greenUrl}?format=text`);
    expect(text.status).toBe(200);
    expect(await text.text()).toMatch(/^dependency probe GREEN: 3 green, 0 red, 0 skipped in \d+ ms\n$/);
  });

  // Its Cloud Scheduler client is bundled in a chunk of its own, loaded by the bundle test's check of
  // every lazy chunk: nothing left for the probe to import by name.
  it('answers a probe request about itself: its dependencies build', async () => {
    const { deps } = await probeDependencies(true);
    const url = await serveHttp('dependencyProbeSelf', deps);
    const response = await fetch(url, { method: 'POST', headers: { [PROBE_HEADER]: 'modules' } });
    const answer = ProbeAnswer.parse(await response.json());
    expect(answer).toMatchObject({ function: 'dependencyProbe', status: 'green' });
    expect(answer.checks.map((check) => [check.check, check.status])).toEqual([['dependencies', 'green']]);
  });
});
