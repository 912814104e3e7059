import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gradeAndExport } from '../../../functions/liveGradingExport/grade-date.js';
import { generateSlate, loadSlate } from '../../support/slate.js';
import { gradingHarness } from './harness.js';

const DATE = '2026-01-17';

describe('regrading is idempotent', async () => {
  const harness = await gradingHarness('2026-01-18T04:00:00Z');
  const slate = generateSlate({ gameDate: DATE, seed: 17, games: 5, players: 40, rowsPerSystem: 100 });
  const accuracyRows = () =>
    harness.warehouse.query<{ rows: number; keys: number; correct: number; latest: string }>(
      `SELECT COUNT(*) AS rows,
              COUNT(DISTINCT player_lookup || '|' || game_id || '|' || system_id) AS keys,
              SUM(CASE WHEN prediction_correct THEN 1 ELSE 0 END) AS correct,
              MAX(graded_at) AS latest
       FROM shotclock.graded_predictions WHERE game_date = CAST(@d AS DATE)`,
      { d: DATE },
    );

  beforeAll(async () => {
    await loadSlate(harness.warehouse, slate.tables);
  });
  afterAll(() => harness.close());

  it('a rerun leaves one row per player, game and system, and the same export', async () => {
    const first = await gradeAndExport(harness.deps, DATE, { alert: false });
    const [afterFirst] = await accuracyRows();
    harness.clock.advance(3 * 60_000);
    const second = await gradeAndExport(harness.deps, DATE, { alert: false });
    const [afterSecond] = await accuracyRows();
    expect(afterFirst!.rows).toBeGreaterThan(0);
    expect(afterSecond!.rows).toBe(afterFirst!.rows);
    expect(afterSecond!.keys).toBe(afterSecond!.rows);
    expect(afterSecond!.latest).toBe('2026-01-18T04:03:00.000Z');
    expect(second.export?.summary).toEqual(first.export?.summary);
    expect(second.export?.systems).toEqual(first.export?.systems);
  });

  it('a stat correction updates the row in place instead of adding one', async () => {
    const [before] = await accuracyRows();
    const player = slate.players.find((candidate) => candidate.role === 'regular')!;
    const [graded] = await harness.warehouse.query<{ prediction_correct: boolean; line_value: number }>(
      `SELECT prediction_correct, line_value FROM shotclock.graded_predictions
       WHERE player_lookup = @p AND system_id = 'catboost_v8'`,
      { p: player.player_lookup },
    );
    // The box score is reprocessed with the points on the other side of the line.
    const corrected = player.points > graded!.line_value ? 0 : Math.ceil(graded!.line_value) + 5;
    await harness.warehouse.insert('nba_analytics.player_game_summary', [
      {
        game_date: DATE,
        player_lookup: player.player_lookup,
        game_id: player.game_id,
        points: corrected,
        minutes_played: 30,
        is_dnp: false,
        processed_at: '2026-01-18T09:00:00.000Z',
      },
    ]);
    await gradeAndExport(harness.deps, DATE, { alert: false });
    const [after] = await accuracyRows();
    expect(after!.rows).toBe(before!.rows);
    const [regraded] = await harness.warehouse.query<{ prediction_correct: boolean; actual_points: number }>(
      `SELECT prediction_correct, actual_points FROM shotclock.graded_predictions
       WHERE player_lookup = @p AND system_id = 'catboost_v8'`,
      { p: player.player_lookup },
    );
    expect(regraded).toEqual({ prediction_correct: !graded!.prediction_correct, actual_points: corrected });
  });

  it('a withdrawn prediction disappears from shotclock.graded_predictions on the next run', async () => {
    const [before] = await accuracyRows();
    const player = slate.players.filter((candidate) => candidate.role === 'regular')[3]!;
    await harness.warehouse.execute(
      `UPDATE nba_predictions.player_prop_predictions SET is_active = FALSE
       WHERE player_lookup = @p AND system_id = 'xgboost_v1'`,
      { p: player.player_lookup },
    );
    await gradeAndExport(harness.deps, DATE, { alert: false });
    const [after] = await accuracyRows();
    expect(after!.rows).toBe(before!.rows - 1);
  });

  it('regrading an older date does not move latest.json back in time', async () => {
    const later = generateSlate({ gameDate: '2026-01-18', seed: 18, games: 2, players: 16 });
    await loadSlate(harness.warehouse, later.tables);
    await gradeAndExport(harness.deps, '2026-01-18', { alert: false });
    const run = await gradeAndExport(harness.deps, DATE, { alert: false });
    expect(run.written).toEqual(['v1/live-grading/2026-01-17.json']);
    expect((await harness.readExport('latest.json'))?.document.game_date).toBe('2026-01-18');
  });

  it('a date with no games and no predictions writes nothing', async () => {
    const run = await gradeAndExport(harness.deps, '2026-01-25');
    expect(run.skipped).toMatch(/no games/);
    expect(await harness.readExport('2026-01-25.json')).toBeUndefined();
  });
});
