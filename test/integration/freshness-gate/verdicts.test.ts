import { afterEach, describe, expect, it } from 'vitest';
import {
  FEATURE_STORE,
  featureStoreRows,
  type GateHarness,
  gateHarness,
  goodDay,
  PLAYER_CONTEXT,
  playerContextRows,
  scheduleGames,
} from './harness.js';

const GAME_DATE = '2026-01-22';
const AT_1745 = '2026-01-21T17:45:00-05:00';
const hoursBefore = (at: string, hours: number) =>
  new Date(new Date(at).getTime() - hours * 3_600_000).toISOString();

describe('freshness gate verdicts', () => {
  let gate: GateHarness;
  afterEach(async () => gate?.close());

  it('a stale table (rows for the date, processed 30 hours ago) is BLOCKED even though the table was written minutes ago', async () => {
    gate = await gateHarness(AT_1745);
    await scheduleGames(gate.duckdb, GAME_DATE, 6);
    await goodDay(gate.duckdb, GAME_DATE, 6, hoursBefore(AT_1745, 30));
    // Another date's rows are fresh: a table-age check (the incumbent's) would have passed.
    await gate.duckdb.insert(
      PLAYER_CONTEXT,
      playerContextRows('2026-01-21', {
        players: 150,
        games: 6,
        withLines: 120,
        processedAt: hoursBefore(AT_1745, 0.2),
      }),
    );

    await gate.gateJob();
    const stored = await gate.gate(GAME_DATE);
    expect(stored?.status).toBe('BLOCKED');
    expect(stored?.reasons).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /upcoming_player_game_context for 2026-01-22: newest row processed 30 h ago .* over the 24 h limit/,
        ),
        expect.stringMatching(/ml_feature_store_v2 for 2026-01-22: newest row processed 30 h ago/),
      ]),
    );
    expect(stored?.checks.find((check) => check.table === PLAYER_CONTEXT)?.age_hours).toBe(30);
    await gate.tick();
    expect(await gate.triggers.settle(0, 0, 1500)).toHaveLength(0);
  });

  it('warnings only (Phase 3 processed 8 hours ago) -> DEGRADED, and predictions are triggered with the warning', async () => {
    gate = await gateHarness(AT_1745);
    await scheduleGames(gate.duckdb, GAME_DATE, 6);
    await gate.duckdb.insert(
      PLAYER_CONTEXT,
      playerContextRows(GAME_DATE, {
        players: 156,
        games: 6,
        withLines: 120,
        processedAt: hoursBefore(AT_1745, 8),
      }),
    );
    await gate.duckdb.insert(
      FEATURE_STORE,
      featureStoreRows(GAME_DATE, { players: 156, games: 6, processedAt: hoursBefore(AT_1745, 0.25) }),
    );

    await gate.gateJob();
    await gate.tick();
    const triggers = await gate.triggers.settle(1);
    expect(triggers).toHaveLength(1);
    expect(triggers[0]!.data).toMatchObject({ game_date: GAME_DATE, gate_decision: 'DEGRADED' });
    expect(triggers[0]!.data.reasons).toEqual([
      expect.stringMatching(
        /upcoming_player_game_context for 2026-01-22: newest row processed 8 h ago, over the 6 h warning level/,
      ),
    ]);
    expect(await gate.gate(GAME_DATE)).toMatchObject({ status: 'DEGRADED', _triggered: true });
    const decisions = await gate.decisions.settle(1);
    expect(decisions.map((decision) => decision.data.status)).toEqual(['DEGRADED']);
  });

  it('a day without games -> SKIPPED: no trigger, no re-checks, no alert at the cutoff', async () => {
    gate = await gateHarness(AT_1745);
    await scheduleGames(gate.duckdb, '2026-01-21', 8); // games today, none tomorrow

    await gate.gateJob();
    expect(await gate.gate(GAME_DATE)).toMatchObject({
      status: 'SKIPPED',
      reasons: [`no games scheduled on ${GAME_DATE}`],
      games: 0,
    });
    await gate.tickUntil('2026-01-21T22:10:00-05:00');
    expect((await gate.gate(GAME_DATE))?.evaluation_count).toBe(1);
    expect(await gate.alerts.settle(0, 0, 1500)).toHaveLength(0);
    expect(gate.triggers.messages).toHaveLength(0);
    expect((await gate.decisions.settle(1)).map((decision) => decision.data.status)).toEqual(['SKIPPED']);
  });

  it('a warehouse outage keeps the gate closed and says why, then it opens once the warehouse answers', async () => {
    gate = await gateHarness(AT_1745);
    await scheduleGames(gate.duckdb, GAME_DATE, 6);
    await goodDay(gate.duckdb, GAME_DATE, 6, hoursBefore(AT_1745, 0.5));
    gate.warehouse.down = true;

    await gate.gateJob();
    const blocked = await gate.gate(GAME_DATE);
    expect(blocked?.status).toBe('BLOCKED');
    expect(blocked?.games).toBeNull();
    expect(blocked?.reasons).toEqual([
      expect.stringMatching(
        /could not read the schedule for 2026-01-22 \(14 UNAVAILABLE: the warehouse is not answering\)/,
      ),
    ]);
    await gate.tickUntil('2026-01-21T18:00:00-05:00');
    expect((await gate.gate(GAME_DATE))?.status).toBe('BLOCKED');
    expect(await gate.triggers.settle(0, 0, 1000)).toHaveLength(0);

    gate.warehouse.down = false;
    await gate.tickUntil('2026-01-21T18:05:00-05:00');
    expect(await gate.gate(GAME_DATE)).toMatchObject({ status: 'OPEN', opened: { source: 'tick' } });
    expect(await gate.triggers.settle(1)).toHaveLength(1);
  });

  it('judges completeness against the 14-day baseline once there is history (22 players per game, not 26)', async () => {
    gate = await gateHarness(AT_1745);
    for (let day = 1; day <= 8; day += 1) {
      const date = `2026-01-${String(22 - day).padStart(2, '0')}`;
      await scheduleGames(gate.duckdb, date, 5);
      await gate.duckdb.insert(
        PLAYER_CONTEXT,
        playerContextRows(date, { players: 110, games: 5, withLines: 90, processedAt: `${date}T22:00:00Z` }),
      );
    }
    await scheduleGames(gate.duckdb, GAME_DATE, 6);
    await gate.duckdb.insert(
      PLAYER_CONTEXT,
      playerContextRows(GAME_DATE, {
        players: 130,
        games: 6,
        withLines: 100,
        processedAt: hoursBefore(AT_1745, 1),
      }),
    );
    await gate.duckdb.insert(
      FEATURE_STORE,
      featureStoreRows(GAME_DATE, { players: 130, games: 6, processedAt: hoursBefore(AT_1745, 0.5) }),
    );

    await gate.gateJob();
    const stored = await gate.gate(GAME_DATE);
    expect(stored?.checks.find((check) => check.table === PLAYER_CONTEXT)).toMatchObject({
      rows: 130,
      expected_rows: 132,
      expected_basis: 'median 22.0 rows per game over 8 days x 6 games',
      level: 'pass',
    });
    expect(stored?.status).toBe('OPEN');
  });

  it('a table that cannot be queried blocks with that table named', async () => {
    gate = await gateHarness(AT_1745, {
      freshness_gate: {
        checks: [
          { table: 'nba_analytics.upcoming_player_game_context', min_players: 50, error_after_hours: 24 },
          { table: 'nba_predictions.no_such_table', min_players: 50, error_after_hours: 24 },
        ],
      },
    });
    await scheduleGames(gate.duckdb, GAME_DATE, 6);
    await goodDay(gate.duckdb, GAME_DATE, 6, hoursBefore(AT_1745, 0.5));
    await gate.gateJob();
    const stored = await gate.gate(GAME_DATE);
    expect(stored?.status).toBe('BLOCKED');
    expect(stored?.reasons).toEqual([
      expect.stringMatching(
        /^could not read nba_predictions.no_such_table for 2026-01-22 \(Catalog Error: .*\); an unreadable table is never taken as fresh$/,
      ),
    ]);
  });
});
