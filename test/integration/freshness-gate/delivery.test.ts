import { afterEach, describe, expect, it } from 'vitest';
import type { Bus } from '../../../shared/ports/bus.port.js';
import { type GateHarness, gateHarness, goodDay, scheduleGames } from './harness.js';

const GAME_DATE = '2026-01-22';

describe('freshness gate delivery', () => {
  let gate: GateHarness;
  afterEach(async () => gate?.close());

  it('a failed trigger publish leaves the date open but untriggered, and the next tick publishes it once', async () => {
    gate = await gateHarness('2026-01-21T17:45:00-05:00');
    await scheduleGames(gate.duckdb, GAME_DATE, 6);
    await goodDay(gate.duckdb, GAME_DATE, 6, '2026-01-21T22:00:00Z');
    const real = gate.deps.bus;
    let failures = 2;
    const flaky: Bus = {
      publish: async (message) => {
        if (message.topic === gate.config.freshness_gate.output_topic && failures > 0) {
          failures -= 1;
          throw Object.assign(new Error('14 UNAVAILABLE: publish failed'), { code: 14 });
        }
        return real.publish(message);
      },
    };
    gate.deps.bus = flaky;

    await gate.gateJob();
    expect(await gate.gate(GAME_DATE)).toMatchObject({ status: 'OPEN', _triggered: false });
    await gate.tickUntil('2026-01-21T17:50:00-05:00'); // second failure
    expect((await gate.gate(GAME_DATE))?._triggered).toBe(false);
    await gate.tickUntil('2026-01-21T17:55:00-05:00'); // backing off: the next attempt is due at 18:00
    expect((await gate.gate(GAME_DATE))?._triggered).toBe(false);
    await gate.tickUntil('2026-01-21T18:00:00-05:00');

    const triggers = await gate.triggers.settle(1);
    expect(triggers).toHaveLength(1);
    expect(triggers[0]!.data).toMatchObject({ game_date: GAME_DATE, gate_decision: 'OPEN' });
    expect(await gate.gate(GAME_DATE)).toMatchObject({
      _triggered: true,
      _triggered_at: '2026-01-21T23:00:00.000Z',
    });
    // The coordinator's /start went out at 17:45, before the failing publish, and was not sent again.
    expect(
      gate.services.prediction_coordinator.requests.map((request) => [request.at, request.status]),
    ).toEqual([['2026-01-21T22:45:00.000Z', 202]]);
  });
});
