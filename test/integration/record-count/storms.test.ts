import { afterEach, describe, expect, it } from 'vitest';
import { et, PROCESSOR, recordCountWorld } from './world.js';

type World = Awaited<ReturnType<typeof recordCountWorld>>;
let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const alertsRaised = (w: World) => w.alerts.arrived.filter((message) => message.attributes.kind === 'alert');

/**
 * Delivers `events` `concurrency` at a time.
 * What throws (ABORTED when transactions contend) is redelivered, as Pub/Sub would.
 */
async function deliverAll(events: Array<() => Promise<void>>, concurrency: number): Promise<number> {
  let pending = events;
  let redeliveries = 0;
  for (let round = 0; pending.length > 0 && round < 10; round += 1) {
    const failed: Array<() => Promise<void>> = [];
    for (let i = 0; i < pending.length; i += concurrency) {
      const wave = pending.slice(i, i + concurrency);
      const results = await Promise.allSettled(wave.map((deliver) => deliver()));
      wave.forEach((deliver, j) => {
        if (results[j]?.status === 'rejected') failed.push(deliver);
      });
    }
    redeliveries += failed.length;
    pending = failed;
  }
  expect(pending).toHaveLength(0);
  return redeliveries;
}

describe('recordCountCheck: no loops, no storms', () => {
  it('a date with no games never retries or alerts', async () => {
    world = await recordCountWorld({ start: '2026-01-19T16:55:00' });
    await world.scheduleGames('2026-01-17', 6); // another date has games; 2026-01-19 has none
    world.at('2026-01-19T17:00:00');
    await world.completion({ game_date: '2026-01-19', record_count: 0, status: 'no_data' });
    await world.completion({ game_date: '2026-01-19', record_count: 0 });
    await world.ticksUntil('2026-01-19T21:00:00');

    expect(await world.reruns.settle()).toEqual([]);
    expect(alertsRaised(world)).toEqual([]);
    expect(await world.state.get(`record_count_checks/${PROCESSOR}__2026-01-19`)).toMatchObject({
      status: 'no_games',
      games: 0,
      retry: null,
      degraded: false,
      expected: { rows: 0, basis: 'no games scheduled' },
    });
  }, 120_000);

  it('50 duplicate low completions at once -> one pending retry, one re-run request', async () => {
    world = await recordCountWorld({ start: '2026-01-17T16:55:00' });
    const w = world;
    await w.scheduleGames('2026-01-17', 6);
    w.at('2026-01-17T17:00:00');
    await w.writeRows('2026-01-17', 1);
    const completion = { game_date: '2026-01-17', record_count: 1, execution_id: 'exec-dup' };
    await deliverAll(
      Array.from({ length: 50 }, () => () => w.completion(completion)),
      50,
    );
    await w.ticksUntil('2026-01-17T17:45:00');

    const reruns = await w.reruns.settle();
    expect(reruns.map((message) => [message.data.attempt, message.data.requested_at])).toEqual([
      [1, et('2026-01-17T17:30:00').toISOString()],
    ]);
    expect(alertsRaised(w)).toEqual([]);
    const pending = await w.state.list('record_count_checks', [
      { field: 'status', op: '==', value: 'retry_pending' },
    ]);
    expect(pending.map((document) => document.id)).toEqual([`${PROCESSOR}__2026-01-17`]);
  }, 120_000);

  it('circuit breaker: 6 dates low within the hour -> one alert, re-runs held until the processor recovers', async () => {
    world = await recordCountWorld({ start: '2026-01-17T08:55:00' });
    const w = world;
    const dates = ['2026-01-14', '2026-01-15', '2026-01-16', '2026-01-17', '2026-01-18', '2026-01-19'];
    for (const date of dates) {
      await w.scheduleGames(date, 6);
      await w.writeRows(date, 2);
    }
    for (const [i, date] of dates.entries()) {
      w.at(`2026-01-17T09:0${i}:00`);
      await w.completion({ game_date: date, record_count: 2 });
    }
    await w.ticksUntil('2026-01-17T09:50:00');

    expect(await w.reruns.settle()).toEqual([]);
    const alerts = alertsRaised(w);
    expect(alerts.map((message) => message.data.rule)).toEqual(['retry_circuit_open']);
    expect(alerts[0]?.data).toMatchObject({
      key: `retry_circuit_open:${PROCESSOR}`,
      details: { dates: dates.slice(0, 5), window_minutes: 60 },
    });

    // The processor writes a full day again: the breaker closes, the held dates get their re-runs.
    w.at('2026-01-17T09:52:00');
    await w.writeRows('2026-01-19', 154);
    await w.completion({ game_date: '2026-01-19', record_count: 156 });
    await w.ticksUntil('2026-01-17T09:55:00');

    const reruns = await w.reruns.settle();
    expect(reruns.map((message) => message.data.game_date).sort()).toEqual(dates.slice(0, 5));
    expect(new Set(reruns.map((message) => message.data.requested_at))).toEqual(
      new Set([et('2026-01-17T09:55:00').toISOString()]),
    );
    expect(w.alerts.arrived.filter((message) => message.attributes.kind === 'resolved')).toHaveLength(1);
    expect(alertsRaised(w)).toHaveLength(1);
  }, 120_000);
});
