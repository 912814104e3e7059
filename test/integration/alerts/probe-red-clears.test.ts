import { describe, expect, it } from 'vitest';
import { configuredSchedulerJobs } from '../../../shared/probe/scheduler-jobs.port.js';
import { runDependencyProbe } from '../../../shared/probe/dependency-probe.js';
import type { ExpectedTopology } from '../../../shared/probe/expected-topology.js';
import { alertSinkFor } from '../../../shared/runtime/alerts.js';
import {
  emulatorBus,
  emulatorPubSub,
  emulatorStateStore,
  freshProjectId,
  subscribeForTest,
} from '../../support/backends.js';
import { capturedLogger, clockAt, testConfig } from './alert-fixtures.js';

// The Google clients would otherwise look for a GCE metadata server off-host, even on the emulators.
process.env.METADATA_SERVER_DETECTION = 'none';

describe('probe_red clears when the probe is green again', () => {
  it('a topic nothing subscribes to: one notice; subscribed on the next probe: one resolved notice', async () => {
    const projectId = freshProjectId('probe-clears');
    const config = testConfig();
    const clock = clockAt('2026-01-18T15:00:00Z');
    const pubsub = emulatorPubSub(projectId);
    const bus = emulatorBus(projectId);
    const notices = await subscribeForTest(pubsub, config.topics.alerts);
    const alerts = alertSinkFor({
      config,
      clock,
      logger: capturedLogger().logger,
      state: emulatorStateStore(projectId),
      bus,
    });
    const [topic] = await pubsub.createTopic('nba-phase3-trigger');
    const [deadLetter] = await pubsub.createTopic('nba-phase3-trigger-sub-dlq');
    const expected: ExpectedTopology = {
      topics: [{ name: 'nba-phase3-trigger', publishers: ['record count checker'] }],
      subscriptions: [],
      jobs: [],
      functions: [],
    };
    const probe = () =>
      runDependencyProbe(
        { topology: bus, scheduler: configuredSchedulerJobs(config), clock, alerts, projectId },
        expected,
        [],
      );

    expect((await probe()).status).toBe('red');
    clock.advance(5 * 60_000);
    await alerts.flush();
    await topic.createSubscription('nba-phase3-trigger-sub', {
      deadLetterPolicy: { deadLetterTopic: deadLetter.name, maxDeliveryAttempts: 5 },
    });
    clock.advance(55 * 60_000);
    expect((await probe()).status).toBe('green');
    clock.advance(5 * 60_000);
    await alerts.flush();

    const told = (await notices.drain()).map(
      (message) =>
        message.data as {
          notice: string;
          conditions: Array<{ key: string }>;
          resolved_conditions: Array<{ key: string; message: string }>;
        },
    );
    expect(told.map((notice) => notice.notice)).toEqual(['opened', 'resolved']);
    expect(told[0]!.conditions.map((condition) => condition.key)).toEqual([
      'probe_red:subscribed:nba-phase3-trigger',
    ]);
    expect(told[1]!.resolved_conditions).toEqual([
      expect.objectContaining({
        key: 'probe_red:subscribed:nba-phase3-trigger',
        message: 'dependency probe: subscribed:nba-phase3-trigger is green again',
      }),
    ]);
  });
});
