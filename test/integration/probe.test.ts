import type { Server } from 'node:http';
import * as functionsFramework from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import type { PubSub } from '@google-cloud/pubsub';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/local/emulators.js';
import { systemClock } from '../../shared/adapters/clocks.js';
import type { PubSubBus } from '../../shared/adapters/pubsub.bus.js';
import { loadPipelineConfig } from '../../shared/config/load.js';
import { createLogger } from '../../shared/logging/logger.js';
import type { Alert } from '../../shared/messages/alert.js';
import type { AlertSink } from '../../shared/ports/alert-sink.port.js';
import { type ProbeTarget, runDependencyProbe, summarizeProbe } from '../../shared/probe/dependency-probe.js';
import { type ExpectedTopology, topologyFromConfig } from '../../shared/probe/expected-topology.js';
import type { FunctionDescriptor } from '../../shared/probe/function-descriptor.js';
import { configuredSchedulerJobs, type SchedulerJobs } from '../../shared/probe/scheduler-jobs.port.js';
import { pubsubEventHandler } from '../../shared/runtime/event-handler.js';
import { emulatorBus, emulatorPubSub, emulatorStateStore, freshProjectId } from '../support/backends.js';

/**
 * The probe against real things: topics and subscriptions on the Pub/Sub
 * emulator, state on the Firestore emulator, functions served by the
 * functions framework on loopback and answering the probe protocol.
 */
// The Google clients would otherwise look for a GCE metadata server off-host, even on the emulators.
process.env.METADATA_SERVER_DETECTION = 'none';
const config = loadPipelineConfig();
const expectedFromConfig = topologyFromConfig(config);
const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

let projectId: string;
let pubsub: PubSub;
let bus: PubSubBus;
beforeEach(() => {
  projectId = freshProjectId('probe');
  pubsub = emulatorPubSub(projectId);
  bus = emulatorBus(projectId);
  delete process.env.SLACK_WEBHOOK_URL;
});

/** Every expected topic with one subscription that dead-letters, except the ones listed. */
async function createTopology(
  pubsub: PubSub,
  topics: readonly string[],
  unsubscribed: readonly string[] = [],
) {
  await Promise.all(
    topics.map(async (name) => {
      const [topic] = await pubsub.createTopic(name);
      if (unsubscribed.includes(name)) return;
      const [deadLetter] = await pubsub.createTopic(`${name}-sub-dlq`);
      await topic.createSubscription(`${name}-sub`, {
        deadLetterPolicy: { deadLetterTopic: deadLetter.name, maxDeliveryAttempts: 5 },
      });
    }),
  );
}

/** Serves an event function built on `pubsubEventHandler`, as deployed code would be. */
async function serveEventFunction(descriptor: FunctionDescriptor): Promise<ProbeTarget> {
  const state = emulatorStateStore(projectId);
  const dependencies = async () => ({
    config,
    clock: systemClock,
    logger: createLogger({ function: descriptor.name }),
    bus,
    topology: bus,
    state,
  });
  functionsFramework.cloudEvent(
    descriptor.name,
    pubsubEventHandler(descriptor.name, dependencies, async () => undefined, { probe: descriptor }),
  );
  const server = getTestServer(descriptor.name);
  servers.push(server);
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { function: descriptor.name, url: `http://127.0.0.1:${port}/` };
}

function recordingAlerts(): AlertSink & { raised: Alert[] } {
  const raised: Alert[] = [];
  return {
    raised,
    raise: async (alert) => {
      raised.push(alert);
    },
    resolve: async () => undefined,
  };
}

const uniqueName = (label: string) => `${label}${Math.random().toString(36).slice(2, 8)}`;

function healthyDescriptor(): FunctionDescriptor {
  return {
    name: uniqueName('probeHealthy'),
    requiredEnv: ['PUBSUB_EMULATOR_HOST'],
    lazyModules: ['luxon'],
    touches: () => ({ state: true, topics: [config.topics.alerts, config.record_count.rerun_topic] }),
  };
}

async function probe(
  expected: ExpectedTopology,
  targets: ProbeTarget[],
  scheduler: SchedulerJobs = configuredSchedulerJobs(config),
) {
  const alerts = recordingAlerts();
  const report = await runDependencyProbe(
    { topology: bus, scheduler, clock: systemClock, alerts, projectId },
    expected,
    targets,
  );
  const red = report.checks.filter((check) => check.status === 'red');
  return { report, red, alerts: alerts.raised };
}

describe('dependency probe on the emulators', () => {
  it('reports all green for a healthy setup, and raises nothing', async () => {
    await createTopology(
      pubsub,
      expectedFromConfig.topics.map((topic) => topic.name),
    );
    const target = await serveEventFunction(healthyDescriptor());
    const { report, red, alerts } = await probe(expectedFromConfig, [target]);

    expect(red).toEqual([]);
    expect(report.status).toBe('green');
    expect(alerts).toEqual([]);
    const names = report.checks.map((check) => check.check);
    expect(names).toEqual(
      expect.arrayContaining([
        `function:${target.function}`,
        `function:${target.function}/dependencies`,
        `function:${target.function}/env:PUBSUB_EMULATOR_HOST`,
        `function:${target.function}/module:luxon`,
        `function:${target.function}/state:read-write`,
        `function:${target.function}/topic:nba-phase3-trigger`,
        'topic:nba-phase3-trigger',
        'subscribed:nba-phase3-trigger',
        'dead-letter:nba-phase3-trigger-sub',
        'job:dependency-probe',
      ]),
    );
    // the terminal dead-letter topic's readers have nowhere further to dead-letter to
    expect(report.checks.filter((check) => check.status === 'skipped').map((check) => check.check)).toEqual([
      'dead-letter:shotclock-dead-letter-sub',
    ]);
    expect(summarizeProbe(report)).toMatch(/^dependency probe GREEN: \d+ green, 0 red, 1 skipped in \d+ ms$/);
  });

  it('finds a topic that something publishes to but nothing subscribes to (the re-run topic)', async () => {
    await createTopology(
      pubsub,
      expectedFromConfig.topics.map((topic) => topic.name),
      ['nba-phase3-trigger'],
    );
    const { report, red, alerts } = await probe(expectedFromConfig, []);

    expect(report.status).toBe('red');
    expect(red.map((check) => check.check)).toEqual(['subscribed:nba-phase3-trigger']);
    expect(red[0]!.detail).toBe('nothing subscribes: messages from record count checker go nowhere');
    expect(alerts).toMatchObject([
      { key: 'probe_red:subscribed:nba-phase3-trigger', rule: 'probe_red', severity: 'ERROR' },
    ]);
    expect(summarizeProbe(report)).toContain(
      'RED subscribed:nba-phase3-trigger: nothing subscribes: messages from record count checker go nowhere',
    );
  });

  it('names a required env var a function is missing, without its value', async () => {
    const descriptor: FunctionDescriptor = {
      name: uniqueName('probeNeedsSlack'),
      requiredEnv: ['SLACK_WEBHOOK_URL', 'PUBSUB_EMULATOR_HOST'],
    };
    const target = await serveEventFunction(descriptor);
    const { red, alerts } = await probe({ topics: [], subscriptions: [], jobs: [], functions: [] }, [target]);

    expect(red).toEqual([
      expect.objectContaining({
        check: `function:${descriptor.name}/env:SLACK_WEBHOOK_URL`,
        detail: 'SLACK_WEBHOOK_URL is not set',
      }),
    ]);
    expect(alerts.map((alert) => [alert.key, alert.severity])).toEqual([
      [`probe_red:function:${descriptor.name}/env:SLACK_WEBHOOK_URL`, 'CRITICAL'],
    ]);
  });

  it('names a lazy module a function cannot load', async () => {
    const descriptor: FunctionDescriptor = {
      name: uniqueName('probeLazyLock'),
      lazyModules: ['luxon', '@shotclock/distributed-lock'],
    };
    const target = await serveEventFunction(descriptor);
    const { red } = await probe({ topics: [], subscriptions: [], jobs: [], functions: [] }, [target]);

    expect(red.map((check) => check.check)).toEqual([
      `function:${descriptor.name}/module:@shotclock/distributed-lock`,
    ]);
    expect(red[0]!.detail).toMatch(/Cannot find (module|package) '@shotclock\/distributed-lock'/);
  });

  it('flags a subscription without a dead-letter topic, a paused job, and a function that does not answer', async () => {
    const [topic] = await pubsub.createTopic('nba-phase4-trigger');
    await topic.createSubscription('phase4-no-dlq');
    await pubsub.createTopic(config.topics.tick);
    const paused: SchedulerJobs = {
      job: async (id) => ({ id, enabled: false, topic: config.topics.tick }),
    };
    const silentPort = await freePort();
    const { red } = await probe(
      {
        topics: [
          { name: 'nba-phase4-trigger', publishers: ['transition phase3_to_phase4'] },
          { name: config.topics.tick, publishers: ['scheduler job dependency-probe'] },
        ],
        subscriptions: [],
        jobs: [{ id: 'dependency-probe', topic: config.topics.tick }],
        functions: [],
      },
      [{ function: 'gone', url: `http://127.0.0.1:${silentPort}/` }],
      paused,
    );

    expect(Object.fromEntries(red.map((check) => [check.check, check.detail]))).toEqual({
      'function:gone': expect.stringMatching(/fetch failed|ECONNREFUSED/),
      'subscribed:shotclock-tick':
        'nothing subscribes: messages from scheduler job dependency-probe go nowhere',
      'dead-letter:phase4-no-dlq': 'no dead-letter topic: a poison message is redelivered forever',
      'job:dependency-probe': 'scheduler job is paused',
    });
  });
});
