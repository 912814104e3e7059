import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BusAlertChannel, DedupAlertSink } from '../../../shared/adapters/dedup.alert-sink.js';
import type { SimulatedClock } from '../../../shared/adapters/clocks.js';
import { SlackWebhookChannel } from '../../../shared/adapters/slack.alert-channel.js';
import { alertSinkFor } from '../../../shared/runtime/alerts.js';
import {
  emulatorBus,
  emulatorPubSub,
  emulatorStateStore,
  freshProjectId,
  subscribeForTest,
} from '../../support/backends.js';
import { alertFor, capturedLogger, clockAt, testConfig } from './alert-fixtures.js';
import { type SlackWebhookServer, startSlackWebhookServer } from './slack-webhook-server.js';

const minutes = (n: number) => n * 60_000;

describe('deduplicating alert sink on the Firestore emulator', () => {
  let slack: SlackWebhookServer;
  beforeAll(async () => {
    slack = await startSlackWebhookServer();
  });
  afterAll(() => slack.close());

  /** A sink as a separate function instance would build it: its own Firestore and Pub/Sub clients. */
  function instance(projectId: string, clock: SimulatedClock, cooldownMinutes = 60) {
    const config = testConfig(cooldownMinutes);
    return alertSinkFor(
      {
        config,
        clock,
        logger: capturedLogger().logger,
        state: emulatorStateStore(projectId),
        bus: emulatorBus(projectId),
      },
      { slackWebhookUrl: slack.url },
    );
  }

  const slackTexts = (since: number) => slack.accepted.slice(since).map((message) => message.text);

  it('tells people once when two instances raise the same alert, concurrently and in turn', async () => {
    const projectId = freshProjectId('alert-dedup');
    const clock = clockAt('2026-01-18T02:05:00Z');
    const topic = await subscribeForTest(emulatorPubSub(projectId), testConfig().topics.alerts);
    const first = instance(projectId, clock);
    const second = instance(projectId, clock);
    const before = slack.accepted.length;
    const alert = alertFor('dead_letter', 'phaseTransition', '2026-01-18', clock);

    await first.raise(alert);
    await second.raise(alert);
    await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? first : second).raise(alert)));

    expect(slackTexts(before)).toHaveLength(1);
    expect(slackTexts(before)[0]).toContain('phaseTransition for 2026-01-18');
    expect(slackTexts(before)[0]).toContain('<https://status.test/shotclock?date=2026-01-18|Status page>');
    const published = await topic.drain();
    expect(published).toHaveLength(1);
    expect(published[0]?.attributes).toMatchObject({ kind: 'alert', notice: 'raised', key: alert.key });
    expect(published[0]?.data).toMatchObject({ key: alert.key, rule: 'dead_letter', severity: 'ERROR' });

    // A fresh instance after the cooldown (a cold start) repeats it once, with the count kept in Firestore.
    clock.advance(minutes(61));
    await instance(projectId, clock).raise({ ...alert, raised_at: clock.now().toISOString() });
    expect(slackTexts(before)).toHaveLength(2);
    expect(slackTexts(before)[1]).toContain('raised 9 times since 2026-01-18T02:05:00.000Z');
  });

  it('repeats only after the cooldown, with the count, and sends one resolved notice', async () => {
    const projectId = freshProjectId('alert-cooldown');
    const clock = clockAt('2026-01-18T02:01:40Z');
    const sink = instance(projectId, clock, 60);
    const before = slack.accepted.length;
    const raiseNow = () => sink.raise(alertFor('phase_completion_low', 'phase3', '2026-01-18', clock));

    await raiseNow();
    clock.advance(minutes(30));
    await raiseNow();
    clock.advance(minutes(29));
    await raiseNow();
    expect(slackTexts(before)).toHaveLength(1);

    clock.advance(minutes(2)); // 61 min after the first notice
    await raiseNow();
    expect(slackTexts(before)).toHaveLength(2);
    expect(slackTexts(before)[1]).toContain('Still happening: raised 4 times');

    clock.advance(minutes(5));
    await sink.resolve({
      key: 'phase_completion_low:phase3:2026-01-18',
      message: 'Phase 3 analytics for 2026-01-18 is 100% complete (5/5)',
      resolved_at: clock.now().toISOString(),
    });
    await sink.resolve({
      key: 'phase_completion_low:phase3:2026-01-18',
      message: 'Phase 3 analytics for 2026-01-18 is 100% complete (5/5)',
      resolved_at: clock.now().toISOString(),
    });
    expect(slackTexts(before)).toHaveLength(3);
    expect(slackTexts(before)[2]).toMatch(/^:white_check_mark: \*Resolved\* `phase_completion_low`/);
    expect(slackTexts(before)[2]).toContain('It had been raised 4 times');

    // The condition comes back: a new alert, not a repeat, even inside the old cooldown.
    clock.advance(minutes(1));
    await raiseNow();
    expect(slackTexts(before)).toHaveLength(4);
    expect(slackTexts(before)[3]).toMatch(/^:red_circle: \*ERROR\*/);
    expect(slackTexts(before)[3]).not.toContain('Still happening');
  });

  it('holds alerts about a retried operation until the final attempt', async () => {
    const projectId = freshProjectId('alert-retry');
    const clock = clockAt('2026-01-17T22:30:00Z');
    const sink = instance(projectId, clock);
    const before = slack.accepted.length;
    const attempt = (subject: string, n: number) =>
      sink.raise(
        alertFor('retry_exhausted', subject, '2026-01-18', clock, {
          message: `${subject} still low after re-run ${n}`,
          retry: { attempt: n, max_attempts: 3 },
        }),
      );

    await attempt('upcoming_player_game_context', 1);
    clock.advance(minutes(30));
    await attempt('upcoming_player_game_context', 2);
    expect(slackTexts(before)).toHaveLength(0);
    clock.advance(minutes(60));
    await attempt('upcoming_player_game_context', 3);
    expect(slackTexts(before)).toEqual([expect.stringContaining('still low after re-run 3')]);

    // Recovered after a non-final attempt: nobody heard of it, so nobody hears it is resolved.
    await attempt('player_game_summary', 1);
    await sink.resolve({
      key: 'retry_exhausted:player_game_summary:2026-01-18',
      message: 'player_game_summary recovered',
      resolved_at: clock.now().toISOString(),
    });
    expect(slackTexts(before)).toHaveLength(1);
  });

  it('lets a higher severity through inside the cooldown', async () => {
    const projectId = freshProjectId('alert-escalate');
    const clock = clockAt('2026-01-18T03:00:00Z');
    const sink = instance(projectId, clock);
    const before = slack.accepted.length;
    const volume = (severity: 'ERROR' | 'CRITICAL', count: number) =>
      sink.raise(
        alertFor('prediction_volume_low', 'player_prop_predictions', '2026-01-18', clock, {
          severity,
          message: `Only ${count} predictions for 2026-01-18`,
        }),
      );
    await volume('ERROR', 150);
    clock.advance(minutes(5));
    await volume('ERROR', 140);
    clock.advance(minutes(5));
    await volume('CRITICAL', 0);
    expect(slackTexts(before)).toEqual([
      expect.stringMatching(/^:red_circle: \*ERROR\*.*\nOnly 150 predictions/s),
      expect.stringMatching(/^:rotating_light: \*CRITICAL\*.*\nOnly 0 predictions/s),
    ]);
  });

  it('writes one structured log entry per notice at the alert severity', async () => {
    const projectId = freshProjectId('alert-log');
    const clock = clockAt('2026-01-18T03:00:00Z');
    const log = capturedLogger();
    const sink = new DedupAlertSink({
      state: emulatorStateStore(projectId),
      clock,
      logger: log.logger,
      channels: [
        new BusAlertChannel(emulatorBus(projectId), 'shotclock-alerts'),
        new SlackWebhookChannel(slack.url),
      ],
      cooldownMinutes: 60,
      statusPageUrl: 'https://status.test/shotclock',
    });
    const alert = alertFor('gate_blocked_at_cutoff', 'freshness_gate', '2026-01-18', clock, {
      severity: 'CRITICAL',
      message: 'gate still BLOCKED at cutoff',
    });
    await sink.raise(alert);
    await sink.raise(alert);
    await sink.resolve({
      key: alert.key,
      message: 'gate opened by hand',
      resolved_at: clock.now().toISOString(),
    });
    const notices = log.entries().filter((entry) => entry.notice);
    expect(notices.map((entry) => [entry.severity, entry.notice, entry.message])).toEqual([
      ['CRITICAL', 'raised', 'gate still BLOCKED at cutoff'],
      ['NOTICE', 'resolved', 'resolved: gate opened by hand'],
    ]);
    expect(notices[0]).toMatchObject({ alert_key: alert.key, game_date: '2026-01-18' });
  });
});
