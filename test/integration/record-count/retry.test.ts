import { afterEach, describe, expect, it } from 'vitest';
import { et, PROCESSOR, recordCountWorld } from './world.js';

type World = Awaited<ReturnType<typeof recordCountWorld>>;
let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const alertsRaised = (w: World) => w.alerts.arrived.filter((message) => message.attributes.kind === 'alert');

describe('recordCountCheck: delayed retry (emulators, DuckDB, simulated clock)', () => {
  it('2026-01-17: 1 of 156 at 17:00 -> re-run requested at 17:30 -> 156 at 17:41 cancels it, no alert', async () => {
    world = await recordCountWorld({ start: '2026-01-17T16:55:00' });
    await world.scheduleGames('2026-01-17', 6);
    world.at('2026-01-17T17:00:00');
    await world.writeRows('2026-01-17', 1);
    world.at('2026-01-17T17:00:41'); // retried on the 17:30 tick: due times are kept to the minute
    await world.completion({ game_date: '2026-01-17', record_count: 1, correlation_id: 'corr-0117' });

    await world.ticksUntil('2026-01-17T17:40:00');
    await world.writeRows('2026-01-17', 155);
    world.at('2026-01-17T17:41:00');
    await world.completion({ game_date: '2026-01-17', record_count: 156, correlation_id: 'corr-0117' });
    await world.ticksUntil('2026-01-17T22:30:00');

    const reruns = await world.reruns.settle();
    expect(reruns.map((message) => message.data)).toEqual([
      {
        processor_name: PROCESSOR,
        game_date: '2026-01-17',
        attempt: 1,
        max_attempts: 3,
        reason:
          '1 of 156 rows (schedule: 26 rows per game x 6 games (baseline needs 7 days of history, has 0)), below 50%',
        expected_count: 156,
        observed_count: 1,
        trigger_source: 'shotclock',
        requested_at: et('2026-01-17T17:30:00').toISOString(),
      },
    ]);
    expect(alertsRaised(world)).toEqual([]);
    const check = await world.state.get(`record_count_checks/${PROCESSOR}__2026-01-17`);
    expect(check).toMatchObject({
      status: 'met',
      degraded: false,
      expected: { rows: 156, rule: 'schedule' },
      last_check: { observed: 156, outcome: 'met', message_count: 156 },
      retry: {
        state: 'cancelled',
        attempts_sent: 1,
        next_due_at: null,
        end_reason: 'count met the expectation',
      },
      published: { '1': true },
    });
  }, 120_000);

  it('a processor that stays low: 3 re-run requests on backoff, then one alert with the numbers, date degraded', async () => {
    // random 0.75 -> +5% jitter: attempt 2 due 63 min after attempt 1, attempt 3 126 min after attempt 2
    world = await recordCountWorld({ start: '2026-01-17T16:55:00', random: () => 0.75 });
    const w = world;
    await w.scheduleGames('2026-01-17', 6);
    w.at('2026-01-17T17:00:00');
    await w.writeRows('2026-01-17', 1);
    await w.completion({ game_date: '2026-01-17', record_count: 1 });

    // The processor answers each re-run request one tick later, with the same single row.
    let answered = 0;
    await w.ticksUntil('2026-01-17T22:30:00', async () => {
      for (; answered < w.rerunsAccepted().length; answered += 1)
        await w.completion({ game_date: '2026-01-17', record_count: 1, trigger_source: 'pubsub' });
    });

    const reruns = await w.reruns.settle();
    expect(reruns.map((message) => [message.data.attempt, message.data.requested_at])).toEqual([
      [1, et('2026-01-17T17:30:00').toISOString()],
      [2, et('2026-01-17T18:35:00').toISOString()], // due 18:33, sent on the next tick
      [3, et('2026-01-17T20:45:00').toISOString()], // due 20:41
    ]);
    const alerts = alertsRaised(w);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.data).toMatchObject({
      key: `retry_exhausted:${PROCESSOR}:2026-01-17`,
      rule: 'retry_exhausted',
      severity: 'ERROR',
      game_date: '2026-01-17',
      raised_at: et('2026-01-17T21:15:00').toISOString(), // 30 minutes after the last request
      details: {
        observed_count: 1,
        expected_count: 156,
        expected_rule: 'schedule',
        attempts: 3,
        max_attempts: 3,
      },
    });
    expect(await w.state.get(`record_count_checks/${PROCESSOR}__2026-01-17`)).toMatchObject({
      status: 'retry_exhausted',
      degraded: true,
      degraded_at: et('2026-01-17T21:15:00').toISOString(),
      retry: { state: 'exhausted', attempts_sent: 3, next_due_at: null },
      alerts: { retry_exhausted: { raised_at: et('2026-01-17T21:15:00').toISOString() } },
      alert_pending: false,
    });
  }, 120_000);

  it('stops at the 22:00 ET cutoff before predictions, whatever attempts remain', async () => {
    world = await recordCountWorld({ start: '2026-01-17T20:55:00' });
    await world.scheduleGames('2026-01-18', 6);
    world.at('2026-01-17T21:00:00');
    await world.writeRows('2026-01-18', 10);
    await world.completion({ game_date: '2026-01-18', record_count: 10 });
    await world.ticksUntil('2026-01-18T01:00:00');

    const reruns = await world.reruns.settle();
    expect(reruns.map((message) => message.data.requested_at)).toEqual([
      et('2026-01-17T21:30:00').toISOString(),
    ]);
    const alerts = alertsRaised(world);
    expect(alerts.map((message) => [message.data.rule, message.data.raised_at])).toEqual([
      ['retry_exhausted', et('2026-01-17T22:00:00').toISOString()],
    ]);
  }, 120_000);

  it('a re-run request whose publish fails is neither lost nor doubled: the next tick delivers it once', async () => {
    world = await recordCountWorld({ start: '2026-01-17T16:55:00' });
    await world.scheduleGames('2026-01-17', 6);
    world.at('2026-01-17T17:00:00');
    await world.writeRows('2026-01-17', 1);
    await world.completion({ game_date: '2026-01-17', record_count: 1 });
    world.bus.failures.set('nba-phase3-trigger', 2); // the 17:30 publish and the 17:35 re-drive fail
    await world.ticksUntil('2026-01-17T18:00:00');

    const reruns = await world.reruns.settle();
    expect(reruns.map((message) => [message.data.attempt, message.data.requested_at])).toEqual([
      [1, et('2026-01-17T17:30:00').toISOString()], // decided at 17:30, delivered on the 17:40 tick
    ]);
    expect(reruns[0]?.attributes.shotclock_outbox_id).toMatch(
      /^record_count__upcoming_player_game_context__2026-01-17__/,
    );
    expect(await world.state.get(`record_count_checks/${PROCESSOR}__2026-01-17`)).toMatchObject({
      status: 'retry_pending',
      published: { '1': true },
      retry: { attempts_sent: 1, next_due_at: et('2026-01-17T18:30:00').toISOString() },
    });
  }, 120_000);

  it('a table dropped mid-series: one table_missing alert, no more re-runs, and the series ends at the cutoff', async () => {
    world = await recordCountWorld({ start: '2026-01-17T16:55:00' });
    await world.scheduleGames('2026-01-17', 6);
    world.at('2026-01-17T17:00:00');
    await world.writeRows('2026-01-17', 1);
    await world.completion({ game_date: '2026-01-17', record_count: 1 });
    await world.ticksUntil('2026-01-17T17:35:00'); // the first re-run goes out at 17:30
    await world.duckdb.query('DROP TABLE nba_analytics.upcoming_player_game_context', {});
    await world.ticksUntil('2026-01-17T23:00:00');

    const check = (await world.state.get(`record_count_checks/${PROCESSOR}__2026-01-17`)) as {
      status: string;
      retry: { state: string; end_reason: string; cutoff_at: string; ended_at: string };
    };
    expect(check.status).toBe('retry_exhausted');
    expect(check.retry.state).toBe('exhausted');
    expect(check.retry.end_reason).toContain('nba_analytics.upcoming_player_game_context missing');
    // Ended on the first tick at or after the cutoff, not left pending to be counted forever.
    expect(Date.parse(check.retry.ended_at) - Date.parse(check.retry.cutoff_at)).toBeLessThan(5 * 60_000);
    expect(world.rerunsAccepted()).toHaveLength(1);
    const alerts = alertsRaised(world).map((message) => message.data.rule);
    expect(alerts).toEqual(['table_missing']);
    // Nothing is pending any more: later ticks do not touch it.
    expect(
      await world.state.list('record_count_checks', [{ field: 'status', op: '==', value: 'retry_pending' }]),
    ).toEqual([]);
  }, 120_000);
});
