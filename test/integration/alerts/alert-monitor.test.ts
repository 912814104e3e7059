import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAlertMonitorHandler } from '../../../functions/alertMonitor/handler.js';
import { readStatusSnapshot } from '../../../functions/statusPage/read-status.js';
import { FolderObjectStore } from '../../../shared/adapters/folder.object-store.js';
import { emulatorPubSub, freshProjectId, subscribeForTest } from '../../support/backends.js';
import { capturedLogger, clockAt, testConfig } from './alert-fixtures.js';
import { insertPredictions, monitorDependencies, pubsubEvent, scheduleGames } from './monitor-fixtures.js';
import { type SlackWebhookServer, startSlackWebhookServer } from './slack-webhook-server.js';

const minutes = (n: number) => n * 60_000;
const tick = (job = 'shotclock-tick') => pubsubEvent('shotclock-tick', { job });

describe('alertMonitor on the emulators and DuckDB', () => {
  let slack: SlackWebhookServer;
  beforeAll(async () => {
    slack = await startSlackWebhookServer();
  });
  afterAll(() => slack.close());
  const texts = (since: number) => slack.accepted.slice(since).map((message) => message.text);

  /** The alert monitor of a fresh project, telling the Slack stand-in, with a subscription on the alerts topic. */
  async function monitorWithSlack(label: string, at: string) {
    const projectId = freshProjectId(label);
    const config = testConfig();
    const clock = clockAt(at);
    const log = capturedLogger();
    const deps = await monitorDependencies({
      projectId,
      config,
      clock,
      logger: log.logger,
      slackWebhookUrl: slack.url,
    });
    const handler = makeAlertMonitorHandler(async () => deps);
    const topic = await subscribeForTest(emulatorPubSub(projectId), config.topics.alerts);
    return { config, clock, log, deps, handler, topic };
  }

  it('keeps an alert the Slack webhook refused and delivers it on a later tick', async () => {
    const { config, clock, log, deps, handler, topic } = await monitorWithSlack(
      'alert-failing-sink',
      '2026-01-18T02:04:30Z',
    );
    const before = slack.accepted.length;

    slack.answerWith(500);
    await handler(
      pubsubEvent(config.topics.dead_letter, {
        function_name: 'phaseTransition',
        reason: 'game_date: expected a date as YYYY-MM-DD',
        message_id: 'm-1',
        source_topic: 'nba-phase3-analytics-complete',
        data_base64: Buffer.from('{"processor_name":"x"}').toString('base64'),
        data_truncated: false,
        dead_lettered_at: clock.now().toISOString(),
      }),
    );
    expect(texts(before)).toHaveLength(0);
    // The next tick, after the group wait, sends the date's notice.
    clock.advance(minutes(5));
    await handler(tick());
    expect(slack.requests).toBeGreaterThan(0);
    expect(texts(before)).toHaveLength(0);
    // The topic took it, Slack did not: the status page shows the Slack delivery pending, with the reason.
    const published = await topic.drain();
    expect(published.map((message) => message.data)).toEqual([
      expect.objectContaining({ rule: 'dead_letter', key: 'alerts:2026-01-18', notice: 'opened' }),
    ]);
    const objects = new FolderObjectStore('/nonexistent-shotclock-objects');
    const pending = (await readStatusSnapshot({ ...deps, objects }, '2026-01-18', 1)).pending_deliveries;
    expect(pending).toEqual([
      expect.objectContaining({
        alert_key: 'alerts:2026-01-18',
        notice: 'opened',
        channel: 'POST slack_webhook (URL from SLACK_WEBHOOK_URL)',
        attempts: 1,
        last_error: 'HTTP 500: internal_error',
      }),
    ]);

    // Still failing on the next tick: still pending, attempt counted, the next try 10 minutes on (backoff).
    clock.advance(minutes(5));
    await handler(tick());
    expect(texts(before)).toHaveLength(0);

    slack.answerWith(200);
    clock.advance(minutes(5));
    await handler(tick());
    expect(texts(before)).toHaveLength(0);
    clock.advance(minutes(5));
    await handler(tick());
    expect(texts(before)).toEqual([
      expect.stringContaining('phaseTransition refused a message from nba-phase3-analytics-complete'),
    ]);
    expect((await readStatusSnapshot({ ...deps, objects }, '2026-01-18', 1)).pending_deliveries).toEqual([]);

    clock.advance(minutes(5));
    await handler(tick());
    expect(texts(before)).toHaveLength(1);
    expect(log.lines.join('\n')).not.toContain('secret-token-xyz');
    expect(log.lines.join('\n')).not.toContain(slack.url);
  });

  it('raises the tick-time rules for tomorrow’s slate and resolves them when the data recovers', async () => {
    const projectId = freshProjectId('alert-tick');
    const config = testConfig();
    // 22:30 ET on 2026-01-17: predictions for 2026-01-18 were due at the 22:00 cutoff.
    const clock = clockAt('2026-01-18T03:30:00Z');
    const deps = await monitorDependencies({
      projectId,
      config,
      clock,
      logger: capturedLogger().logger,
      slackWebhookUrl: slack.url,
    });
    const handler = makeAlertMonitorHandler(async () => deps);
    await scheduleGames(deps.warehouse, '2026-01-18', 6);
    await insertPredictions(deps.warehouse, '2026-01-18', 150, '2026-01-17T23:01:00Z');
    await deps.warehouse.insert('nba_analytics.upcoming_player_game_context', [
      {
        game_date: '2026-01-18',
        player_lookup: 'a',
        game_id: 'g1',
        processed_at: new Date('2026-01-17T02:00:00Z'),
      },
    ]);
    await deps.warehouse.insert('nba_predictions.ml_feature_store_v2', [
      {
        game_date: '2026-01-18',
        player_lookup: 'a',
        game_id: 'g1',
        created_at: new Date('2026-01-17T22:30:00Z'),
      },
    ]);
    await deps.state.merge('phase3_completion/2026-01-18', {
      upcoming_player_game_context: {
        completed_at: '2026-01-17T22:01:40Z',
        status: 'success',
        record_count: 1,
      },
      team_offense_game_summary: {
        completed_at: '2026-01-17T22:05:38Z',
        status: 'success',
        record_count: 12,
      },
      _completed_count: 2,
    });
    const before = slack.accepted.length;

    await handler(tick('live-grading-evening'));
    expect(texts(before)).toHaveLength(0);

    await handler(tick());
    expect(texts(before)).toHaveLength(0); // recorded; the group wait runs
    clock.advance(minutes(5));
    await handler(tick());
    const raised = texts(before);
    expect(raised).toHaveLength(1);
    // 2026-01-18 is in `tomorrow` mode: phase3 expects only the two upcoming_* processors, and its one
    // critical processor (upcoming_player_game_context) is in, so the worst condition is an ERROR.
    expect(raised[0]).toMatch(/^:red_circle: \*Problem\* ERROR · 2026-01-18/);
    for (const line of [
      ':red_circle: `prediction_volume_low` *new* Only 150 predictions for 2026-01-18 (6 games scheduled; at least 200 expected)',
      ':red_circle: `phase_completion_low` *new* phase3 is 50% complete for 2026-01-18',
      '(tomorrow) (below 80%); missing: upcoming_team_game_context\n',
      ':warning: `data_stale` *new* nba_analytics.upcoming_player_game_context rows for 2026-01-18 were 21 h old',
    ])
      expect(raised[0]).toContain(line);
    expect(raised[0]).not.toContain('critical_processor_missing');
    // 2026-01-17 has no games: nothing about it alerts, whatever its state says.

    clock.advance(minutes(5));
    await handler(tick());
    expect(texts(before)).toHaveLength(1);

    // Predictions recover: the condition clears quietly (others are still open) and is listed next time.
    await insertPredictions(deps.warehouse, '2026-01-18', 1530, '2026-01-17T23:02:00Z', 150);
    clock.advance(minutes(5));
    await handler(tick());
    expect(texts(before)).toHaveLength(1);
    const open = await deps.state.list('shotclock_alerts', [{ field: 'status', op: '==', value: 'open' }]);
    expect(open.map((document) => document.data.rule).sort()).toEqual(['data_stale', 'phase_completion_low']);
  });

  it('stops repeating a passed day, and still resolves it when a backfill completes the phase', async () => {
    const projectId = freshProjectId('alert-lingering');
    const config = testConfig();
    const clock = clockAt('2026-01-18T03:30:00Z');
    const deps = await monitorDependencies({
      projectId,
      config,
      clock,
      logger: capturedLogger().logger,
      slackWebhookUrl: slack.url,
    });
    const handler = makeAlertMonitorHandler(async () => deps);
    await scheduleGames(deps.warehouse, '2026-01-18', 6);
    await insertPredictions(deps.warehouse, '2026-01-18', 1680, '2026-01-17T23:01:00Z');
    // Each table's own processing time: processed_at in Phase 3, created_at in the feature store.
    for (const [table, column] of [
      ['nba_analytics.upcoming_player_game_context', 'processed_at'],
      ['nba_predictions.ml_feature_store_v2', 'created_at'],
    ] as const)
      await deps.warehouse.insert(table, [
        {
          game_date: '2026-01-18',
          player_lookup: 'a',
          game_id: 'g1',
          [column]: new Date('2026-01-17T22:30:00Z'),
        },
      ]);
    const completed = (at: string) => ({ completed_at: at, status: 'success', record_count: 12 });
    await deps.state.merge('phase3_completion/2026-01-18', {
      upcoming_player_game_context: completed('2026-01-17T22:01:40Z'),
      team_offense_game_summary: completed('2026-01-17T22:05:38Z'),
    });
    const before = slack.accepted.length;

    await handler(tick());
    clock.advance(minutes(5));
    await handler(tick());
    expect(texts(before)).toEqual([expect.stringContaining('phase3 is 50% complete for 2026-01-18')]);

    // Three days on, well past the repeat interval: 2026-01-18 has left the window, nobody is nagged about it.
    clock.advance(minutes(3 * 24 * 60));
    await handler(tick());
    expect(texts(before)).toHaveLength(1);

    // The missing processors are backfilled: the old alert is resolved once.
    await deps.state.merge('phase3_completion/2026-01-18', {
      player_game_summary: completed('2026-01-20T15:00:00Z'),
      team_defense_game_summary: completed('2026-01-20T15:01:00Z'),
      upcoming_team_game_context: completed('2026-01-20T15:02:00Z'),
    });
    clock.advance(minutes(5));
    await handler(tick());
    clock.advance(minutes(5));
    await handler(tick());
    expect(texts(before).slice(1)).toEqual([
      expect.stringMatching(
        /^:white_check_mark: \*Resolved\* · 2026-01-18\n[\s\S]*Phase 3 analytics for 2026-01-18 is back above its threshold \(5 of 5/,
      ),
    ]);
  });

  it('alerts on a message Pub/Sub itself dead-lettered, whatever its payload', async () => {
    const projectId = freshProjectId('alert-native-dlq');
    const config = testConfig();
    const clock = clockAt('2026-01-18T02:05:00Z');
    const deps = await monitorDependencies({
      projectId,
      config,
      clock,
      logger: capturedLogger().logger,
      slackWebhookUrl: slack.url,
    });
    const before = slack.accepted.length;
    const handler = makeAlertMonitorHandler(async () => deps);
    await handler(
      pubsubEvent(config.topics.dead_letter, 'not json at all', {
        CloudPubSubDeadLetterSourceSubscription: 'projects/demo/subscriptions/prediction-worker-push',
        CloudPubSubDeadLetterSourceDeliveryCount: '5',
      }),
    );
    clock.advance(minutes(5));
    await handler(tick());
    expect(texts(before)).toEqual([
      expect.stringContaining(
        'prediction-worker-push refused a message: not acknowledged after 5 delivery attempts',
      ),
    ]);
  });

  it('a Slack webhook that always fails: one outbox_stuck alert naming it and its last error, no storm', async () => {
    const { config, clock, log, deps, handler, topic } = await monitorWithSlack(
      'alert-slack-down',
      '2026-01-18T02:05:00Z',
    );
    const requestsBefore = slack.requests;
    slack.answerWith(503);
    try {
      await handler(
        pubsubEvent(config.topics.dead_letter, 'not json at all', {
          CloudPubSubDeadLetterSourceSubscription: 'projects/demo/subscriptions/prediction-worker-push',
          CloudPubSubDeadLetterSourceDeliveryCount: '5',
        }),
      );
      // Three hours of ticks with Slack answering 503 to everything.
      for (let step = 0; step < 36; step += 1) {
        clock.advance(minutes(5));
        await handler(tick());
      }
    } finally {
      slack.answerWith(200);
    }
    const notices = (await topic.drain()).map(
      (message) => message.data as { notice: string; conditions: Array<{ rule: string; message: string }> },
    );
    // The topic still works: the problem, then one update that adds the stuck Slack delivery. Nothing more.
    expect(notices.map((notice) => notice.notice)).toEqual(['opened', 'updated']);
    const stuck = notices[1]!.conditions.filter((condition) => condition.rule === 'outbox_stuck');
    expect(stuck).toHaveLength(1);
    expect(stuck[0]!.message).toContain('POST slack_webhook (URL from SLACK_WEBHOOK_URL)');
    expect(stuck[0]!.message).toContain('HTTP 503');
    // Retries back off (5, 10, 20, 40, 60 min): a handful of requests per notice, not one per tick.
    expect(slack.requests - requestsBefore).toBeLessThanOrEqual(12);
    const open = await deps.state.list('shotclock_alerts', [{ field: 'status', op: '==', value: 'open' }]);
    // The dead letter went quiet and cleared; the stuck Slack delivery is what is still open.
    expect(open.map((document) => document.data.rule)).toEqual(['outbox_stuck']);
    expect(log.lines.join('\n')).not.toContain(slack.url);
  });
});
