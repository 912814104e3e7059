import { afterEach, describe, expect, it } from 'vitest';
import { DuckDbWarehouse } from '../../../shared/adapters/duckdb.warehouse.js';
import { WAREHOUSE_TABLES } from '../../../shared/config/tables.js';
import type { Warehouse } from '../../../shared/ports/warehouse.port.js';
import { HOSTILE_COMPLETIONS } from '../../fixtures/hostile-completions.js';
import { et, PROCESSOR, recordCountWorld } from './world.js';

type World = Awaited<ReturnType<typeof recordCountWorld>>;
let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const alertsRaised = (w: World) => w.alerts.arrived.filter((message) => message.attributes.kind === 'alert');
const COMPLETIONS = 'nba-phase3-analytics-complete';

describe('recordCountCheck: findings and bad input', () => {
  it('message count disagreeing with the table: one mismatch alert per date, the table decides the retry', async () => {
    world = await recordCountWorld({ start: '2026-01-17T16:55:00' });
    await world.scheduleGames('2026-01-17', 6);
    await world.scheduleGames('2026-01-18', 6);
    world.at('2026-01-17T17:00:00');
    await world.writeRows('2026-01-17', 1); // claims 156, wrote 1
    await world.writeRows('2026-01-18', 156); // claims 120, the table holds 156
    await world.completion({ game_date: '2026-01-17', record_count: 156 });
    await world.completion({ game_date: '2026-01-17', record_count: 156 });
    await world.completion({ game_date: '2026-01-18', record_count: 120 });
    // a failed run's 0 says nothing about the table: not a disagreement either
    await world.completion({ game_date: '2026-01-18', record_count: 0, status: 'failed' });
    // an incremental run reports only the rows it changed: not a disagreement
    await world.completion({ game_date: '2026-01-18', record_count: 12, metadata: { is_incremental: true } });
    await world.ticksUntil('2026-01-17T17:45:00');

    const reruns = await world.reruns.settle();
    expect(reruns.map((message) => [message.data.game_date, message.data.observed_count])).toEqual([
      ['2026-01-17', 1],
    ]);
    const alerts = alertsRaised(world);
    expect(alerts.map((message) => message.data.rule)).toEqual([
      'record_count_mismatch',
      'record_count_mismatch',
    ]);
    expect(alerts.map((message) => message.data.details)).toEqual([
      expect.objectContaining({ message_count: 156, warehouse_count: 1, expected_count: 156 }),
      expect.objectContaining({ message_count: 120, warehouse_count: 156, expected_count: 156 }),
    ]);
    expect(await world.state.get(`record_count_checks/${PROCESSOR}__2026-01-18`)).toMatchObject({
      status: 'met',
      mismatch: { message_count: 120, warehouse_count: 156 },
      retry: null,
    });
  }, 120_000);

  it('malformed messages are dead-lettered with a reason; nothing retries or alerts', async () => {
    world = await recordCountWorld({ start: '2026-01-17T17:00:00' });
    const w = world;
    await w.scheduleGames('2026-01-17', 6);
    const rejected = HOSTILE_COMPLETIONS.filter((entry) => !entry.expect.ok);
    for (const entry of rejected) await w.handler(w.event(COMPLETIONS, entry.data));
    await w.handler(w.event('nba-phase4-precompute-complete', { processor_name: 'ml_feature_store' }));
    await w.handler(w.event('shotclock-tick', 'not a tick'));
    // a message that is not a Pub/Sub envelope at all
    await w.handler({
      id: 'raw',
      source: `//pubsub.googleapis.com/projects/x/topics/${COMPLETIONS}`,
      data: 'x',
    });
    await w.ticksUntil('2026-01-17T18:00:00');

    const letters = await w.deadLetters.settle();
    expect(letters).toHaveLength(rejected.length + 3);
    for (const entry of rejected) {
      if (entry.expect.ok) continue;
      const reasonIncludes = entry.expect.reasonIncludes;
      expect(
        letters.some(
          (letter) =>
            letter.data.function_name === 'recordCountCheck' &&
            String(letter.data.reason).includes(reasonIncludes),
        ),
        entry.name,
      ).toBe(true);
    }
    expect(letters.map((letter) => String(letter.data.reason))).toEqual(
      expect.arrayContaining([
        'recordCountCheck does not listen on nba-phase4-precompute-complete',
        expect.stringMatching(/^message data is not JSON/),
        'event is not a Pub/Sub message (no `message` object)',
      ]),
    );
    expect(await w.reruns.settle(300)).toEqual([]);
    expect(alertsRaised(w)).toEqual([]);
    expect(await w.state.list('record_count_checks')).toEqual([]);
  }, 120_000);

  it('a missing table is permanent: dead-lettered, and alerted once', async () => {
    const duckdb = await DuckDbWarehouse.open(':memory:', {
      'nba_raw.nbac_schedule': WAREHOUSE_TABLES['nba_raw.nbac_schedule']!,
    });
    world = await recordCountWorld({ start: '2026-01-17T17:00:00', duckdb });
    await world.scheduleGames('2026-01-17', 6);
    await world.scheduleGames('2026-01-18', 6);
    await world.completion({ game_date: '2026-01-17', record_count: 156 });
    await world.completion({ game_date: '2026-01-18', record_count: 156 });
    await world.ticksUntil('2026-01-17T17:30:00');

    const letters = await world.deadLetters.settle();
    expect(letters.map((letter) => letter.data.reason)).toEqual([
      'table nba_analytics.upcoming_player_game_context does not exist',
      'table nba_analytics.upcoming_player_game_context does not exist',
    ]);
    const alerts = alertsRaised(world);
    expect(alerts.map((message) => [message.data.rule, message.data.key])).toEqual([
      ['table_missing', 'table_missing:nba_analytics.upcoming_player_game_context'],
    ]);
    expect(await world.reruns.settle(300)).toEqual([]);
    duckdb.close();
  }, 120_000);

  it('a warehouse error is transient: the event is thrown back, and the redelivery decides', async () => {
    let failures = 1;
    // The real DuckDB warehouse, whose first query fails the way BigQuery does when it is unavailable.
    const flaky = (inner: Warehouse): Warehouse =>
      new Proxy(inner, {
        get(target, property) {
          if (property === 'query' && failures > 0)
            return () => {
              failures -= 1;
              return Promise.reject(
                Object.assign(new Error('14 UNAVAILABLE: backend unavailable'), { code: 14 }),
              );
            };
          const value = Reflect.get(target, property, target);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    world = await recordCountWorld({ start: '2026-01-17T17:00:00', warehouse: flaky });
    await world.scheduleGames('2026-01-17', 6);
    await world.writeRows('2026-01-17', 1);
    const event = world.event(COMPLETIONS, {
      processor_name: 'AsyncUpcomingPlayerGameContextProcessor',
      game_date: '2026-01-17',
      status: 'success',
      record_count: 1,
    });
    await expect(world.handler(event)).rejects.toThrow(/UNAVAILABLE/);
    expect(await world.state.list('record_count_checks')).toEqual([]);
    await world.handler(event); // Pub/Sub redelivers
    await world.ticksUntil('2026-01-17T17:30:00');

    expect((await world.reruns.settle()).map((message) => message.data.requested_at)).toEqual([
      et('2026-01-17T17:30:00').toISOString(),
    ]);
    expect(await world.deadLetters.settle(300)).toEqual([]);
  }, 120_000);

  it('the baseline rule takes over once there are 7 days of history, and the verdict says so', async () => {
    world = await recordCountWorld({ start: '2026-01-17T08:00:00' });
    const history = ['09', '10', '11', '12', '13', '14', '15', '16'].map((day) => `2026-01-${day}`);
    for (const date of history) {
      await world.scheduleGames(date, 6);
      await world.writeRows(date, 120); // 20 rows per game, 77% of the 26-per-game fallback
      await world.completion({ game_date: date, record_count: 120 });
    }
    await world.scheduleGames('2026-01-17', 6);
    world.at('2026-01-17T17:00:00');
    await world.writeRows('2026-01-17', 70); // 45% of 156, 58% of the baseline's 120
    await world.completion({ game_date: '2026-01-17', record_count: 70 });
    await world.ticksUntil('2026-01-17T17:45:00');

    expect(await world.state.get(`record_count_checks/${PROCESSOR}__2026-01-17`)).toMatchObject({
      status: 'met',
      expected: { rows: 120, rule: 'baseline', basis: 'median 20.0 rows per game over 8 days x 6 games' },
      last_check: { observed: 70, fraction: 0.5833 },
    });
    expect(await world.reruns.settle()).toEqual([]);
    expect(alertsRaised(world)).toEqual([]);
  }, 120_000);
});
