import { afterEach, describe, expect, it } from 'vitest';
import {
  FEATURE_STORE,
  featureStoreRows,
  type GateHarness,
  gateHarness,
  PLAYER_CONTEXT,
  playerContextRows,
  scheduleGames,
} from './harness.js';

const GAME_DATE = '2026-01-18';

describe('freshness gate on 2026-01-17 (1 of 156 rows at 17:45 ET)', () => {
  let gate: GateHarness;
  afterEach(async () => gate?.close());

  it('blocks at 17:45, opens on the tick after the retry lands 156 rows, and triggers predictions once', async () => {
    gate = await gateHarness('2026-01-17T17:00:00-05:00');
    await scheduleGames(gate.duckdb, GAME_DATE, 6);
    // Phase 3 at 17:00 ET: betting lines for Sunday's games are not out, one row is written.
    await gate.duckdb.insert(
      PLAYER_CONTEXT,
      playerContextRows(GAME_DATE, {
        players: 1,
        games: 6,
        withLines: 0,
        processedAt: '2026-01-17T22:01:40Z',
      }),
    );
    await gate.duckdb.insert(
      FEATURE_STORE,
      featureStoreRows(GAME_DATE, { players: 60, games: 6, processedAt: '2026-01-17T22:30:00Z' }),
    );

    gate.clock.set('2026-01-17T17:45:00-05:00');
    await gate.gateJob('scheduler-1745');
    const blocked = await gate.gate(GAME_DATE);
    expect(blocked?.status).toBe('BLOCKED');
    expect(blocked?.reasons.join('\n')).toMatch(
      /upcoming_player_game_context for 2026-01-18: 1 of 156 expected rows/,
    );
    expect(blocked?.reasons.join('\n')).toMatch(/1 players, fewer than the 50 required/);
    const context = blocked?.checks.find((check) => check.table === PLAYER_CONTEXT);
    expect(context).toMatchObject({ level: 'error', rows: 1, expected_rows: 156, games_with_rows: 1 });

    // The record-count checker's retry lands the full 156 rows at 18:17 ET.
    const landedAt = new Date('2026-01-17T18:17:00-05:00');
    await gate.tickUntil('2026-01-17T19:00:00-05:00', async (now) => {
      if (now.getTime() >= landedAt.getTime() && (await gate.gate(GAME_DATE))?.status === 'BLOCKED') {
        const rows = await gate.duckdb.query(`SELECT COUNT(*) AS n FROM ${PLAYER_CONTEXT}`);
        if (Number(rows[0]?.n) === 1)
          await gate.duckdb.insert(
            PLAYER_CONTEXT,
            playerContextRows(GAME_DATE, {
              players: 155,
              games: 6,
              withLines: 120,
              processedAt: landedAt.toISOString(),
              offset: 1,
            }),
          );
      }
    });
    // Phase 4 -> 5 done later: the wake and a redelivered 17:45 job change nothing.
    await gate.deliver(gate.config.freshness_gate.wake_topic, {
      transition: 'phase4_to_phase5',
      from_phase: 'phase4',
      to_phase: 'phase5',
      game_date: GAME_DATE,
      correlation_id: 'corr-2026-01-18',
      triggered_by: 'shotclock-phase-transition',
      timestamp: gate.clock.now().toISOString(),
      mode: 'tiered',
      trigger_reason: 'all 5 processors complete',
      quality: { degraded: false, completed: [], missing: [], missing_critical: [], rule: 'tiered' },
    });
    await gate.gateJob('scheduler-1745');

    const triggers = await gate.triggers.settle(1);
    expect(triggers).toHaveLength(1);
    const trigger = triggers[0]!.data;
    expect(trigger).toMatchObject({
      game_date: GAME_DATE,
      gate_decision: 'OPEN',
      trigger_source: 'freshness_gate',
    });

    const opened = await gate.gate(GAME_DATE);
    expect(opened).toMatchObject({ status: 'OPEN', _triggered: true, opened: { source: 'tick' } });
    expect(opened?.history.map((entry) => entry.status)).toContain('BLOCKED');
    expect(trigger.correlation_id).toBe(opened?.correlation_id);

    // Data landed 18:17, the next tick (18:20) opened the gate and published (simulated clock).
    expect(opened?._triggered_at).toBe(trigger.timestamp);
    const delayMinutes = (new Date(opened!._triggered_at!).getTime() - landedAt.getTime()) / 60_000;
    console.info(`simulated delay, data landed -> predictions triggered: ${delayMinutes} min`);
    expect(delayMinutes).toBeGreaterThanOrEqual(0);
    expect(delayMinutes).toBeLessThanOrEqual(5);

    // Decisions published on change only: BLOCKED, then OPEN.
    const decisions = [...(await gate.decisions.settle(2))].sort((a, b) =>
      String(a.data.evaluated_at).localeCompare(String(b.data.evaluated_at)),
    );
    expect(decisions.map((decision) => decision.data.status)).toEqual(['BLOCKED', 'OPEN']);
    expect(decisions[1]!.data).toMatchObject({ previous_status: 'BLOCKED', predictions_triggered: true });
    expect(gate.alerts.messages).toHaveLength(0);
    expect(gate.deadLetters.messages).toHaveLength(0);
  });

  it('opens at once on the Phase 4 -> 5 wake, carrying its correlation id', async () => {
    gate = await gateHarness('2026-01-17T18:30:00-05:00');
    await scheduleGames(gate.duckdb, GAME_DATE, 6);
    await gate.duckdb.insert(
      PLAYER_CONTEXT,
      playerContextRows(GAME_DATE, {
        players: 156,
        games: 6,
        withLines: 120,
        processedAt: '2026-01-17T23:10:00Z',
      }),
    );
    await gate.duckdb.insert(
      FEATURE_STORE,
      featureStoreRows(GAME_DATE, { players: 156, games: 6, processedAt: '2026-01-17T23:25:00Z' }),
    );
    const wake = {
      transition: 'phase4_to_phase5',
      from_phase: 'phase4',
      to_phase: 'phase5',
      game_date: GAME_DATE,
      correlation_id: 'corr-from-phase2',
      triggered_by: 'shotclock-phase-transition',
      timestamp: gate.clock.now().toISOString(),
      mode: 'tiered',
      trigger_reason: 'all 5 processors complete',
      quality: { degraded: false, completed: [], missing: [], missing_critical: [], rule: 'tiered' },
    };
    await gate.deliver(gate.config.freshness_gate.wake_topic, wake, 'wake-1');
    await gate.deliver(gate.config.freshness_gate.wake_topic, wake, 'wake-1'); // at-least-once delivery

    const triggers = await gate.triggers.settle(1);
    expect(triggers).toHaveLength(1);
    expect(triggers[0]!.data).toMatchObject({ gate_decision: 'OPEN', correlation_id: 'corr-from-phase2' });
    expect((await gate.gate(GAME_DATE))?.opened?.source).toBe('wake');
  });

  it('dead-letters a message from a topic it does not listen on, a malformed tick and a tick for no date', async () => {
    gate = await gateHarness('2026-01-17T18:30:00-05:00');
    await gate.deliver('nba-phase3-analytics-complete', { processor_name: 'x', game_date: GAME_DATE });
    await gate.deliver(gate.config.topics.tick, { scheduled_for: 'yesterday' });
    await gate.deliver(gate.config.topics.tick, { job: 'freshness-gate', target_date: 'NEXT_WEEK' });
    const letters = await gate.deadLetters.settle(3);
    expect(letters).toHaveLength(3);
    expect(letters.map((letter) => letter.data.reason)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/topic nba-phase3-analytics-complete; the gate listens on shotclock-tick/),
        expect.stringMatching(/^tick: job: /),
        'tick freshness-gate: target_date "NEXT_WEEK" is not a date',
      ]),
    );
    expect(await gate.gate('NEXT_WEEK')).toBeUndefined();
    expect(gate.triggers.messages).toHaveLength(0);
  });
});
