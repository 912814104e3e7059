import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedClock } from '../../../shared/adapters/clocks.js';
import { loadPipelineConfig } from '../../../shared/config/load.js';
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

describe('grouping alert sink on the Firestore emulator', () => {
  let slack: SlackWebhookServer;
  beforeAll(async () => {
    slack = await startSlackWebhookServer();
  });
  afterAll(() => slack.close());

  /** A sink as a separate function instance would build it: its own Firestore and Pub/Sub clients. */
  function instance(projectId: string, clock: SimulatedClock) {
    return alertSinkFor(
      {
        config: testConfig(),
        clock,
        logger: capturedLogger().logger,
        state: emulatorStateStore(projectId),
        bus: emulatorBus(projectId),
      },
      { slackWebhookUrl: slack.url },
    );
  }

  const slackTexts = (since: number) => slack.accepted.slice(since).map((message) => message.text);

  it('tells people once per date, after the group wait, when two instances raise side by side', async () => {
    const projectId = freshProjectId('alert-group');
    const clock = clockAt('2026-01-18T02:05:00Z');
    const topic = await subscribeForTest(emulatorPubSub(projectId), testConfig().topics.alerts);
    const first = instance(projectId, clock);
    const second = instance(projectId, clock);
    const before = slack.accepted.length;
    const deadLetter = alertFor('dead_letter', 'phaseTransition', '2026-01-18', clock);
    const phase = alertFor('phase_completion_low', 'phase3', '2026-01-18', clock);

    await Promise.all(
      Array.from({ length: 6 }, (_, i) => (i % 2 ? first : second).raise(i < 3 ? deadLetter : phase)),
    );
    await Promise.all([first.flush(), second.flush()]);
    expect(slackTexts(before)).toHaveLength(0); // inside the group wait

    clock.advance(minutes(2));
    await Promise.all([first.flush(), second.flush(), first.flush()]);
    expect(slackTexts(before)).toHaveLength(1);
    const text = slackTexts(before)[0]!;
    expect(text).toMatch(/^:red_circle: \*Problem\* ERROR · 2026-01-18/);
    expect(text).toContain('`dead_letter` *new* phaseTransition for 2026-01-18');
    expect(text).toContain('`phase_completion_low` *new* phase3 for 2026-01-18');
    expect(text).toContain('<https://status.test/shotclock?date=2026-01-18|Status page>');
    const published = await topic.drain();
    expect(published).toHaveLength(1);
    expect(published[0]?.attributes).toMatchObject({
      kind: 'alert',
      notice: 'opened',
      key: 'alerts:2026-01-18',
    });
    expect(
      (published[0]!.data as { conditions: Array<{ rule: string }> }).conditions.map((c) => c.rule).sort(),
    ).toEqual(['dead_letter', 'phase_completion_low']);

    // A fresh instance (a cold start) raising the same conditions for 3 h: nothing new to say.
    for (let step = 0; step < 6; step += 1) {
      clock.advance(minutes(30));
      const cold = instance(projectId, clock);
      await cold.raise({ ...phase, raised_at: clock.now().toISOString() });
      await cold.flush();
    }
    expect(slackTexts(before)).toHaveLength(1);
  });

  it('reminds after the repeat interval, tells a new or worse condition at once, and resolves once', async () => {
    const projectId = freshProjectId('alert-lifecycle');
    const clock = clockAt('2026-01-18T02:00:00Z');
    const sink = instance(projectId, clock);
    const before = slack.accepted.length;
    const phase = () => sink.raise(alertFor('phase_completion_low', 'phase2', '2026-01-18', clock));
    const volume = (severity: 'ERROR' | 'CRITICAL') =>
      sink.raise(
        alertFor('prediction_volume_low', 'player_prop_predictions', '2026-01-18', clock, {
          severity,
          message: `volume ${severity}`,
        }),
      );
    const tick = async () => {
      clock.advance(minutes(5));
      await sink.flush();
    };

    await phase();
    await tick();
    expect(slackTexts(before)).toHaveLength(1);
    for (let i = 0; i < 11; i += 1) await tick(); // one hour
    await volume('ERROR');
    await tick();
    expect(slackTexts(before)).toHaveLength(2);
    expect(slackTexts(before)[1]).toMatch(/^:red_circle: \*Changed\*/);
    expect(slackTexts(before)[1]).toContain('`prediction_volume_low` *new* volume ERROR');
    await volume('CRITICAL');
    await tick();
    expect(slackTexts(before)).toHaveLength(3);
    expect(slackTexts(before)[2]).toMatch(/^:rotating_light: \*Changed\* CRITICAL/);
    expect(slackTexts(before)[2]).toContain('*worse*');

    for (let i = 0; i < 47; i += 1) await tick(); // 3 h 55 min after the last notice
    expect(slackTexts(before)).toHaveLength(3);
    await tick();
    expect(slackTexts(before)).toHaveLength(4);
    expect(slackTexts(before)[3]).toMatch(/^:rotating_light: \*Still open\* CRITICAL/);

    // One clears: no notice of its own; the last one clears: one resolved notice listing both.
    await sink.resolve({
      key: 'prediction_volume_low:player_prop_predictions:2026-01-18',
      message: '400 predictions for 2026-01-18',
      resolved_at: clock.now().toISOString(),
    });
    await tick();
    expect(slackTexts(before)).toHaveLength(4);
    const resolution = {
      key: 'phase_completion_low:phase2:2026-01-18',
      message: 'Phase 2 for 2026-01-18 is complete',
      resolved_at: clock.now().toISOString(),
    };
    await sink.resolve(resolution);
    await sink.resolve(resolution);
    await tick();
    expect(slackTexts(before)).toHaveLength(5);
    expect(slackTexts(before)[4]).toMatch(/^:white_check_mark: \*Resolved\* · 2026-01-18/);
    expect(slackTexts(before)[4]).toContain('400 predictions for 2026-01-18');
    expect(slackTexts(before)[4]).toContain('Phase 2 for 2026-01-18 is complete');

    // The condition comes back: a new problem, after the group wait.
    await phase();
    await tick();
    expect(slackTexts(before)).toHaveLength(6);
    expect(slackTexts(before)[5]).toMatch(/^:red_circle: \*Problem\* ERROR/);
  });

  it('a condition that opens and clears inside the group wait reaches nobody', async () => {
    const projectId = freshProjectId('alert-flap');
    const clock = clockAt('2026-01-18T02:00:00Z');
    const sink = instance(projectId, clock);
    const before = slack.accepted.length;
    const alert = alertFor('dead_letter', 'freshnessGate', '2026-01-18', clock);
    await sink.raise(alert);
    clock.advance(minutes(1));
    await sink.resolve({ key: alert.key, message: 'quiet again', resolved_at: clock.now().toISOString() });
    clock.advance(minutes(5));
    await sink.flush();
    expect(slackTexts(before)).toHaveLength(0);
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
    await sink.flush();
    expect(slackTexts(before)).toHaveLength(0);
    clock.advance(minutes(60));
    await attempt('upcoming_player_game_context', 3);
    clock.advance(minutes(5));
    await sink.flush();
    expect(slackTexts(before)).toEqual([expect.stringContaining('still low after re-run 3')]);

    // Recovered after a non-final attempt: nobody heard of it, so nobody hears it is resolved.
    await attempt('player_game_summary', 1);
    await sink.resolve({
      key: 'retry_exhausted:player_game_summary:2026-01-18',
      message: 'player_game_summary recovered',
      resolved_at: clock.now().toISOString(),
    });
    clock.advance(minutes(5));
    await sink.flush();
    expect(slackTexts(before)).toHaveLength(1);
  });

  it('writes one structured log entry per notice at the group severity', async () => {
    const projectId = freshProjectId('alert-log');
    const clock = clockAt('2026-01-18T03:00:00Z');
    const log = capturedLogger();
    const sink = alertSinkFor(
      {
        config: loadPipelineConfig({
          project: { status_page_url: 'https://status.test/shotclock' },
          alerts: { grouping: { group_wait_minutes: 0 } },
        }),
        clock,
        logger: log.logger,
        state: emulatorStateStore(projectId),
        bus: emulatorBus(projectId),
      },
      { slackWebhookUrl: slack.url },
    );
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
      ['CRITICAL', 'opened', 'Problem for 2026-01-18: gate still BLOCKED at cutoff'],
      ['NOTICE', 'resolved', 'All clear for 2026-01-18: 1 condition(s) resolved'],
    ]);
    expect(notices[0]).toMatchObject({ alert_group: 'alerts:2026-01-18', game_date: '2026-01-18' });
  });
});
