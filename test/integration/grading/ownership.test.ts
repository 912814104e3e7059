import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gradeAndExport } from '../../../functions/liveGradingExport/grade-date.js';
import { GRADED_PREDICTIONS_TABLE } from '../../../shared/config/tables.js';
import type { WarehouseRow } from '../../../shared/ports/warehouse.port.js';
import { generateSlate, loadSlate } from '../../support/slate.js';
import { gradingHarness } from './harness.js';

const DATE = '2026-01-17';

/**
 * Live grading runs every 3 minutes beside the incumbent's own grader. It
 * writes only shotclock's table, and there only its own rows: whatever another
 * grader wrote, in `prediction_accuracy` or in shotclock's table, stays as it was.
 */
describe('live grading touches only the rows it wrote', async () => {
  const harness = await gradingHarness('2026-01-18T12:30:00Z');
  const slate = generateSlate({ gameDate: DATE, seed: 23, games: 3, players: 24, rowsPerSystem: 48 });
  const regular = slate.players.filter((player) => player.role === 'regular');

  // The incumbent's grades of the same picks, with its own (different) numbers.
  const incumbentRows: WarehouseRow[] = regular.slice(0, 6).map((player, i) => ({
    player_lookup: player.player_lookup,
    game_id: player.game_id,
    game_date: DATE,
    system_id: 'catboost_v8',
    predicted_points: 11.5,
    recommendation: 'OVER',
    line_value: 10.5,
    actual_points: 40 + i,
    minutes_played: 36.5,
    absolute_error: 28.5,
    signed_error: -28.5,
    prediction_correct: true,
    is_voided: false,
    void_reason: null,
    graded_at: '2026-01-18T08:00:00.000Z',
  }));
  // Another grader's rows in shotclock's table: one on a key live grading also produces, one on a key it never does.
  const otherGrader = (player_lookup: string, game_id: string, system_id: string): WarehouseRow => ({
    game_date: DATE,
    system_id,
    player_lookup,
    game_id,
    prediction_id: `manual-${player_lookup}`,
    predicted_points: 1.5,
    recommendation: 'UNDER',
    line_value: 2.5,
    actual_points: 0,
    minutes_played: 1.5,
    absolute_error: 1.5,
    signed_error: 1.5,
    status: 'correct',
    prediction_correct: true,
    is_voided: false,
    void_reason: null,
    graded_by: 'manual-regrade',
    graded_at: '2026-01-18T06:00:00.000Z',
  });
  const sharedKey = otherGrader(regular[1]!.player_lookup, regular[1]!.game_id, 'xgboost_v1');
  const ownKey = otherGrader('someone_else', `${DATE.replaceAll('-', '')}_OTHER`, 'xgboost_v1');

  const incumbentTable = () =>
    harness.warehouse.query(
      `SELECT * FROM nba_predictions.prediction_accuracy WHERE game_date = CAST(@d AS DATE)
       ORDER BY player_lookup, system_id`,
      { d: DATE },
    );
  const otherGradersRows = () =>
    harness.warehouse.query(
      `SELECT * FROM ${GRADED_PREDICTIONS_TABLE}
       WHERE game_date = CAST(@d AS DATE) AND graded_by = 'manual-regrade' ORDER BY player_lookup`,
      { d: DATE },
    );
  const liveRows = () =>
    harness.warehouse.query<{ rows: number; keys: number }>(
      `SELECT COUNT(*) AS rows, COUNT(DISTINCT system_id || player_lookup || game_id) AS keys
       FROM ${GRADED_PREDICTIONS_TABLE}
       WHERE game_date = CAST(@d AS DATE) AND graded_by = 'shotclock-live-grading'`,
      { d: DATE },
    );

  beforeAll(async () => {
    await loadSlate(harness.warehouse, slate.tables);
    await harness.warehouse.insert('nba_predictions.prediction_accuracy', incumbentRows);
    await harness.warehouse.insert(GRADED_PREDICTIONS_TABLE, [sharedKey, ownKey]);
  });
  afterAll(() => harness.close());

  it('a run twice leaves the incumbent’s and another grader’s rows exactly as they were', async () => {
    const incumbentBefore = await incumbentTable();
    const otherBefore = await otherGradersRows();
    expect(incumbentBefore).toHaveLength(6);
    expect(otherBefore).toHaveLength(2);

    await gradeAndExport(harness.deps, DATE, { alert: false });
    const [first] = await liveRows();
    harness.clock.advance(3 * 60_000);
    // Between runs a prediction is withdrawn: live grading removes its own row for it, nobody else's.
    await harness.warehouse.execute(
      `UPDATE nba_predictions.player_prop_predictions SET is_active = FALSE
       WHERE game_date = CAST(@d AS DATE) AND player_lookup = @p AND system_id = 'catboost_v8'`,
      { d: DATE, p: regular[0]!.player_lookup },
    );
    await gradeAndExport(harness.deps, DATE, { alert: false });
    const [second] = await liveRows();

    expect(await incumbentTable()).toEqual(incumbentBefore);
    expect(await otherGradersRows()).toEqual(otherBefore);
    expect(first!.rows).toBeGreaterThan(0);
    expect(second!.rows).toBe(first!.rows - 1);
    expect(second!.keys).toBe(second!.rows);
    // The key the other grader holds is not duplicated by live grading.
    const [shared] = await harness.warehouse.query<{ n: number }>(
      `SELECT COUNT(*) AS n FROM ${GRADED_PREDICTIONS_TABLE}
       WHERE game_date = CAST(@d AS DATE) AND player_lookup = @p AND system_id = 'xgboost_v1'`,
      { d: DATE, p: regular[1]!.player_lookup },
    );
    expect(shared!.n).toBe(1);
  });
});
