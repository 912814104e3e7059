import { describe, expect, it } from 'vitest';
import { makeAlertMonitorHandler } from '../../../functions/alertMonitor/handler.js';
import { buildTopology } from '../../../infra/topology.js';
import { emulatorPubSub, freshProjectId, subscribeForTest } from '../../support/backends.js';
import { capturedLogger, clockAt, testConfig } from './alert-fixtures.js';
import { monitorDependencies, pubsubEvent } from './monitor-fixtures.js';

const minutes = (n: number) => n * 60_000;
const tick = () => pubsubEvent('shotclock-tick', { job: 'shotclock-tick' });

/** What Cloud Monitoring publishes on a Pub/Sub channel (notification schema 1.2) for a worker-errors policy. */
function incident(state: 'open' | 'closed', startedAt: string, endedAt?: string) {
  return {
    version: '1.2',
    incident: {
      incident_id: '0.nq3c2x5v8c1a',
      scoping_project_id: 'nba-props-platform',
      scoping_project_number: 123456789012,
      url: 'https://console.cloud.google.com/monitoring/alerting/incidents/0.nq3c2x5v8c1a?project=nba-props-platform',
      started_at: Date.parse(startedAt) / 1000,
      ended_at: endedAt ? Date.parse(endedAt) / 1000 : null,
      state,
      summary:
        'logging/user/shotclock_worker_errors_prediction_worker for nba-props-platform prediction-worker with metric labels {} is above the threshold of 5.000 with a value of 37.000.',
      apigee_url: '',
      observed_value: '37.000',
      resource: {
        type: 'cloud_run_revision',
        labels: { project_id: 'nba-props-platform', service_name: 'prediction-worker', location: 'us-west2' },
      },
      resource_type_display_name: 'Cloud Run Revision',
      resource_id: '',
      resource_display_name: 'prediction-worker',
      resource_name: 'nba-props-platform prediction-worker',
      metric: {
        type: 'logging.googleapis.com/user/shotclock_worker_errors_prediction_worker',
        displayName: 'logging/user/shotclock_worker_errors_prediction_worker',
        labels: {},
      },
      metadata: { system_labels: {}, user_labels: {} },
      policy_name: 'shotclock: prediction-worker errors over 5 in 5 min',
      policy_user_labels: {},
      documentation: {
        content: 'prediction-worker logged more than 5 errors in 5 minutes.',
        mime_type: 'text/markdown',
      },
      condition: { name: 'projects/nba-props-platform/alertPolicies/1/conditions/2', displayName: 'errors' },
      condition_name: 'errors',
      threshold_value: '5',
      severity: 'Error',
    },
  };
}

describe('worker errors reach people: Monitoring incidents read by the alert monitor', () => {
  it('the deployed topology subscribes the alert monitor to the policies’ notification channel topic', () => {
    const config = testConfig();
    const subscription = buildTopology(config).subscriptions.find(
      (candidate) => candidate.topic === config.topics.monitoring_incidents,
    );
    expect(subscription).toMatchObject({ pushTo: 'alert-monitor' });
    expect(subscription?.deadLetterTopic).toBeDefined();
  });

  it('an open incident is one grouped notice, a malformed one is dead-lettered with its reason, the close resolves it once', async () => {
    const projectId = freshProjectId('worker-incidents');
    const config = testConfig();
    // 21:10 ET on 2026-01-17: the prediction worker's crash loop of the incident night.
    const clock = clockAt('2026-01-18T02:10:00Z');
    const deps = await monitorDependencies({ projectId, config, clock, logger: capturedLogger().logger });
    const handler = makeAlertMonitorHandler(async () => deps);
    const pubsub = emulatorPubSub(projectId);
    const notices = await subscribeForTest(pubsub, config.topics.alerts);
    const deadLetters = await subscribeForTest(pubsub, config.topics.dead_letter);
    const onChannel = (data: unknown) => pubsubEvent(config.topics.monitoring_incidents, data);

    await handler(onChannel(incident('open', '2026-01-18T02:08:00Z')));
    // Not Monitoring's incident JSON: refused with the reason, nothing raised from it.
    await handler(onChannel({ version: '1.1', incident: { incident_id: 'x' } }));
    await handler(onChannel('{"incident": '));
    // Pub/Sub redelivers the open: still one condition.
    await handler(onChannel(incident('open', '2026-01-18T02:08:00Z')));
    clock.advance(minutes(5));
    await handler(tick());

    const refused = (await deadLetters.drain()).map((message) => message.data as { reason: string });
    expect(refused.map((letter) => letter.reason)).toEqual([
      expect.stringMatching(/^not a Cloud Monitoring incident notification: .*version.*"1\.2"/),
      expect.stringMatching(/^not a Cloud Monitoring incident notification: message data is not JSON/),
    ]);
    const opened = (await notices.drain()).map(
      (message) =>
        message.data as {
          notice: string;
          game_date: string;
          conditions: Array<{ rule: string; subject: string; message: string }>;
        },
    );
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({ notice: 'opened', game_date: '2026-01-17' });
    const workerConditions = opened[0]!.conditions.filter((condition) => condition.rule === 'worker_errors');
    expect(workerConditions).toEqual([
      expect.objectContaining({
        subject: 'prediction-worker',
        message: expect.stringContaining('shotclock: prediction-worker errors over 5 in 5 min'),
      }),
    ]);

    // An hour of ticks while it stays open: no repeat inside the 4 h repeat interval.
    for (let step = 0; step < 12; step += 1) {
      clock.advance(minutes(5));
      await handler(tick());
    }
    clock.advance(minutes(1));
    await handler(onChannel(incident('closed', '2026-01-18T02:08:00Z', '2026-01-18T03:20:00Z')));
    // A late copy of the open, after the close: it does not reopen anything.
    await handler(onChannel(incident('open', '2026-01-18T02:08:00Z')));
    for (let step = 0; step < 3; step += 1) {
      clock.advance(minutes(5));
      await handler(tick());
    }
    const later = (await notices.drain()).map(
      (message) =>
        message.data as { notice: string; resolved_conditions: Array<{ rule: string; message: string }> },
    );
    expect(later.map((notice) => notice.notice)).toEqual(['resolved']);
    expect(later[0]!.resolved_conditions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          rule: 'worker_errors',
          message: 'prediction-worker errors back under the policy threshold at 2026-01-18T03:20:00.000Z',
        }),
      ]),
    );
  });
});
