import { afterAll, describe, expect, it } from 'vitest';
import { DuckDbWarehouse, toDuckDbParameters } from '../../../shared/adapters/duckdb.warehouse.js';

describe('Warehouse on DuckDB', async () => {
  const warehouse = await DuckDbWarehouse.open(':memory:');
  afterAll(() => warehouse.close());

  it('creates the incumbent tables under their dataset names', async () => {
    expect(await warehouse.tableExists('nba_analytics.upcoming_player_game_context')).toBe(true);
    expect(await warehouse.tableExists('nba_analytics.no_such_table')).toBe(false);
  });

  it('runs the shared SQL dialect with named parameters and returns plain JSON values', async () => {
    await warehouse.insert('nba_analytics.upcoming_player_game_context', [
      {
        game_date: '2026-01-17',
        player_lookup: 'lebronjames',
        game_id: 'g1',
        has_prop_line: true,
        current_points_line: 24.5,
        processed_at: new Date('2026-01-17T22:01:40Z'),
      },
      { game_date: '2026-01-18', player_lookup: 'x', game_id: 'g2', has_prop_line: false },
    ]);
    const rows = await warehouse.query(
      `SELECT COUNT(*) AS players, MAX(processed_at) AS newest, SUM(CASE WHEN has_prop_line THEN 1 ELSE 0 END) AS with_lines
       FROM nba_analytics.upcoming_player_game_context WHERE game_date = CAST(@game_date AS DATE)`,
      { game_date: '2026-01-17' },
    );
    expect(rows).toEqual([{ players: 1, newest: '2026-01-17T22:01:40.000Z', with_lines: 1 }]);
  });

  it('binds input as parameters, never as SQL', async () => {
    const rows = await warehouse.query(
      'SELECT COUNT(*) AS n FROM nba_analytics.upcoming_player_game_context WHERE player_lookup = @who',
      { who: "x' OR '1'='1" },
    );
    expect(rows[0]?.n).toBe(0);
    expect(toDuckDbParameters("SELECT '@literal' AS a, @param AS b")).toBe(
      "SELECT '@literal' AS a, $param AS b",
    );
  });

  it('refuses table names that are not dataset.table', async () => {
    await expect(warehouse.insert('x; DROP TABLE y', [{ a: 1 }])).rejects.toThrow(/dataset.table/);
  });
});
