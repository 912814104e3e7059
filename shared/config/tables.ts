/**
 * The warehouse tables shotclock reads and writes, with the incumbent's column
 * names. The DuckDB adapter creates them locally; `infra/` declares the
 * BigQuery ones shotclock owns. All are partitioned by `game_date`.
 */
export type ColumnType = 'STRING' | 'INT64' | 'FLOAT64' | 'BOOL' | 'DATE' | 'TIMESTAMP';
export type TableColumns = Readonly<Record<string, ColumnType>>;

const processed = { created_at: 'TIMESTAMP', processed_at: 'TIMESTAMP' } as const;
const rawTable = { game_date: 'DATE', game_id: 'STRING', ...processed } as const;
const teamGame = { game_date: 'DATE', game_id: 'STRING', team_tricode: 'STRING', ...processed } as const;
const playerDay = { game_date: 'DATE', player_lookup: 'STRING', game_id: 'STRING', ...processed } as const;

export const WAREHOUSE_TABLES: Readonly<Record<string, TableColumns>> = {
  'nba_raw.nbac_schedule': {
    game_id: 'STRING',
    game_date: 'DATE',
    home_team_tricode: 'STRING',
    away_team_tricode: 'STRING',
    game_status: 'INT64',
  },
  'nba_raw.nbac_gamebook_player_stats': rawTable,
  'nba_raw.bdl_player_boxscores': rawTable,
  'nba_raw.odds_api_game_lines': rawTable,
  'nba_raw.bigdataball_play_by_play': rawTable,
  'nba_raw.br_rosters_current': rawTable,
  'nba_analytics.player_game_summary': {
    game_date: 'DATE',
    player_lookup: 'STRING',
    game_id: 'STRING',
    points: 'INT64',
    minutes_played: 'FLOAT64',
    is_dnp: 'BOOL',
    ...processed,
  },
  'nba_analytics.team_offense_game_summary': teamGame,
  'nba_analytics.team_defense_game_summary': teamGame,
  'nba_analytics.upcoming_player_game_context': {
    game_date: 'DATE',
    player_lookup: 'STRING',
    game_id: 'STRING',
    has_prop_line: 'BOOL',
    current_points_line: 'FLOAT64',
    ...processed,
  },
  'nba_analytics.upcoming_team_game_context': teamGame,
  'nba_precompute.team_defense_zone_analysis': playerDay,
  'nba_precompute.player_shot_zone_analysis': playerDay,
  'nba_precompute.player_composite_factors': playerDay,
  'nba_precompute.player_daily_cache': playerDay,
  'nba_predictions.ml_feature_store_v2': playerDay,
  'nba_predictions.player_prop_predictions': {
    prediction_id: 'STRING',
    system_id: 'STRING',
    player_lookup: 'STRING',
    game_date: 'DATE',
    game_id: 'STRING',
    prediction_version: 'INT64',
    predicted_points: 'FLOAT64',
    confidence_score: 'FLOAT64',
    recommendation: 'STRING',
    current_points_line: 'FLOAT64',
    line_source: 'STRING',
    is_active: 'BOOL',
    created_at: 'TIMESTAMP',
  },
  'nba_predictions.prediction_accuracy': {
    player_lookup: 'STRING',
    game_id: 'STRING',
    system_id: 'STRING',
    game_date: 'DATE',
    predicted_points: 'FLOAT64',
    recommendation: 'STRING',
    line_value: 'FLOAT64',
    actual_points: 'INT64',
    minutes_played: 'FLOAT64',
    absolute_error: 'FLOAT64',
    signed_error: 'FLOAT64',
    prediction_correct: 'BOOL',
    is_voided: 'BOOL',
    void_reason: 'STRING',
    graded_at: 'TIMESTAMP',
  },
};
