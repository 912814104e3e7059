import { afterEach, describe, expect, it } from 'vitest';
import { type GateHarness, gateHarness, goodDay, scheduleGames } from './harness.js';

/**
 * Clocks go forward at 02:00 ET on Sunday 2026-03-08. Saturday's 17:45 ET
 * run is 22:45 UTC and its 22:00 ET cutoff 03:00 UTC; Sunday's are 21:45 and
 * 02:00 UTC. Both evenings run past midnight UTC.
 */
describe('freshness gate over the DST weekend (2026-03-08)', () => {
  let gate: GateHarness;
  afterEach(async () => gate?.close());

  it('resolves TOMORROW on the New York wall clock, cuts off at 22:00 local on both sides of the change, and alerts once', async () => {
    gate = await gateHarness('2026-03-07T17:00:00-05:00');
    await scheduleGames(gate.duckdb, '2026-03-08', 5);
    await scheduleGames(gate.duckdb, '2026-03-09', 4);

    // Saturday 17:45 EST: tomorrow is Sunday 2026-03-08, whose data never arrives.
    gate.clock.set('2026-03-07T22:45:00Z');
    await gate.gateJob();
    const saturday = await gate.gate('2026-03-08');
    expect(saturday).toMatchObject({ status: 'BLOCKED', cutoff_at: '2026-03-08T03:00:00.000Z' });

    // Re-checked every 5 minutes past midnight UTC, until 22:00 EST; one alert at the cutoff.
    await gate.tickUntil('2026-03-08T03:30:00Z');
    const atCutoff = await gate.gate('2026-03-08');
    expect(atCutoff?.status).toBe('BLOCKED');
    const rechecks = atCutoff!.history.filter((entry) => entry.source === 'tick');
    expect(rechecks.at(-1)?.at).toBe('2026-03-08T02:55:00.000Z');
    expect(atCutoff?.cutoff_alert?.raised_at).toBe('2026-03-08T03:00:00.000Z');
    const alerts = await gate.alerts.settle(1);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.data).toMatchObject({
      rule: 'gate_blocked_at_cutoff',
      key: 'gate_blocked_at_cutoff:freshness_gate:2026-03-08',
      game_date: '2026-03-08',
    });
    expect(String(alerts[0]!.data.message)).toMatch(
      /still BLOCKED at the 22:00 cutoff.*upcoming_player_game_context for 2026-03-08: no rows yet \(expected 130\)/,
    );
    expect(await gate.gate('2026-03-07')).toBeUndefined();

    // Sunday 17:45 EDT (21:45 UTC): tomorrow is Monday 2026-03-09, and its data is in.
    await goodDay(gate.duckdb, '2026-03-09', 4, '2026-03-08T21:00:00Z');
    gate.clock.set('2026-03-08T21:45:00Z');
    await gate.gateJob();
    expect(await gate.gate('2026-03-09')).toMatchObject({
      status: 'OPEN',
      cutoff_at: '2026-03-09T02:00:00.000Z',
    });

    // The same job redelivered at 20:30 EDT (00:30 UTC Monday) still means Monday's games.
    gate.clock.set('2026-03-09T00:30:00Z');
    await gate.gateJob();
    expect(await gate.gate('2026-03-10')).toBeUndefined();
    const triggers = await gate.triggers.settle(1);
    expect(triggers.map((trigger) => trigger.data.game_date)).toEqual(['2026-03-09']);
    expect(gate.alerts.messages).toHaveLength(1);
  });
});
