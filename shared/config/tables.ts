import { DEFAULT_PIPELINE } from './default-pipeline.js';

/**
 * The warehouse tables shotclock reads and writes, declared once:
 * - the incumbent's tables with the columns shotclock relies on, named and
 *   typed as in the incumbent's own DDL (`schemas/bigquery/**` of
 *   najicham/nba-stats-scraper, later `ALTER TABLE ... ADD COLUMN`s included),
 *   with their partition column and `require_partition_filter`;
 * - the tables shotclock owns (`OWNED_TABLES`), which the deploy creates.
 *
 * The same declarations create the local DuckDB tables (NUMERIC as DECIMAL,
 * so local runs see what production sees), build the catalog the ZetaSQL
 * test analyses every production statement against, and are what the probe
 * compares the deployed tables with.
 */
export type ColumnType =
  | 'STRING'
  | 'INT64'
  | 'FLOAT64'
  | 'NUMERIC'
  | 'BIGNUMERIC'
  | 'BOOL'
  | 'DATE'
  | 'DATETIME'
  | 'TIMESTAMP'
  | 'JSON';

export interface ColumnDeclaration {
  type: ColumnType;
  /** NUMERIC(precision, scale) as declared; BigQuery's default is (38, 9) */
  precision?: number;
  scale?: number;
  /** NOT NULL in the DDL (BigQuery mode REQUIRED) */
  required: boolean;
}

export interface TableDeclaration {
  columns: Readonly<Record<string, ColumnDeclaration>>;
  /** the DATE column the table is partitioned by, if any */
  partition?: { column: string; require_filter: boolean };
  /** where the real definition lives: the incumbent's DDL file, or `shotclock` */
  source: string;
}

const COLUMN_SPEC =
  /^(STRING|INT64|FLOAT64|NUMERIC|BIGNUMERIC|BOOL|DATE|DATETIME|TIMESTAMP|JSON)(?:\((\d+),\s*(\d+)\))?( NOT NULL)?$/;

/** `'NUMERIC(5,1) NOT NULL'` -> a column declaration; written like the DDL so the two read side by side. */
function column(spec: string): ColumnDeclaration {
  const match = COLUMN_SPEC.exec(spec);
  if (!match) throw new Error(`bad column spec ${JSON.stringify(spec)}`);
  return {
    type: match[1] as ColumnType,
    ...(match[2] ? { precision: Number(match[2]), scale: Number(match[3]) } : {}),
    required: match[4] !== undefined,
  };
}

function table(
  source: string,
  columns: Record<string, string>,
  partition?: { column: string; require_filter: boolean },
): TableDeclaration {
  return {
    source,
    columns: Object.fromEntries(Object.entries(columns).map(([name, spec]) => [name, column(spec)])),
    ...(partition ? { partition } : {}),
  };
}

const byGameDate = (require_filter: boolean) => ({ column: 'game_date', require_filter });

/** The incumbent's tables shotclock's grading and alerts read, under their default names. */
export const SCHEDULE_TABLE = 'nba_raw.nbac_schedule';
export const PREDICTIONS_TABLE = 'nba_predictions.player_prop_predictions';
export const BOX_SCORES_TABLE = 'nba_analytics.player_game_summary';

/** The incumbent's tables shotclock reads (the columns it relies on). */
export const INCUMBENT_TABLES: Readonly<Record<string, TableDeclaration>> = {
  [SCHEDULE_TABLE]: table(
    'schemas/bigquery/raw/nbac_schedule_tables.sql',
    {
      game_id: 'STRING NOT NULL',
      game_date: 'DATE NOT NULL',
      game_status: 'INT64',
      home_team_tricode: 'STRING NOT NULL',
      away_team_tricode: 'STRING NOT NULL',
      created_at: 'TIMESTAMP NOT NULL',
      processed_at: 'TIMESTAMP NOT NULL',
    },
    byGameDate(true),
  ),
  'nba_raw.nbac_gamebook_player_stats': table(
    'schemas/bigquery/raw/nbac_gamebook_tables.sql',
    { game_id: 'STRING NOT NULL', game_date: 'DATE NOT NULL', processed_at: 'TIMESTAMP' },
    byGameDate(false),
  ),
  'nba_raw.bdl_player_boxscores': table(
    'schemas/bigquery/raw/bdl_boxscores_tables.sql',
    {
      game_id: 'STRING NOT NULL',
      game_date: 'DATE NOT NULL',
      created_at: 'TIMESTAMP NOT NULL',
      processed_at: 'TIMESTAMP NOT NULL',
    },
    byGameDate(true),
  ),
  'nba_raw.odds_api_game_lines': table(
    'schemas/bigquery/raw/odds_game_lines_tables.sql',
    {
      game_id: 'STRING NOT NULL',
      game_date: 'DATE NOT NULL',
      created_at: 'TIMESTAMP NOT NULL',
      processed_at: 'TIMESTAMP NOT NULL',
    },
    byGameDate(true),
  ),
  'nba_raw.bigdataball_play_by_play': table(
    'schemas/bigquery/raw/bigdataball_tables.sql',
    {
      game_id: 'STRING NOT NULL',
      game_date: 'DATE NOT NULL',
      created_at: 'TIMESTAMP NOT NULL',
      processed_at: 'TIMESTAMP NOT NULL',
    },
    byGameDate(true),
  ),
  // Range-partitioned by season_year: it has no date, so it cannot be counted per game date.
  'nba_raw.br_rosters_current': table('schemas/bigquery/raw/br_roster_tables.sql', {
    season_year: 'INT64 NOT NULL',
    team_abbrev: 'STRING NOT NULL',
    player_lookup: 'STRING NOT NULL',
    processed_at: 'TIMESTAMP',
  }),
  [BOX_SCORES_TABLE]: table(
    'schemas/bigquery/analytics/player_game_summary_tables.sql',
    {
      player_lookup: 'STRING NOT NULL',
      game_id: 'STRING NOT NULL',
      game_date: 'DATE NOT NULL',
      team_abbr: 'STRING NOT NULL',
      points: 'INT64',
      minutes_played: 'NUMERIC(5,1)',
      is_dnp: 'BOOL',
      created_at: 'TIMESTAMP',
      processed_at: 'TIMESTAMP',
    },
    byGameDate(false),
  ),
  'nba_analytics.team_offense_game_summary': table(
    'schemas/bigquery/analytics/team_offense_game_summary_tables.sql',
    {
      game_id: 'STRING NOT NULL',
      game_date: 'DATE NOT NULL',
      team_abbr: 'STRING NOT NULL',
      created_at: 'TIMESTAMP',
      processed_at: 'TIMESTAMP',
    },
    byGameDate(true),
  ),
  'nba_analytics.team_defense_game_summary': table(
    'schemas/bigquery/analytics/team_defense_game_summary_tables.sql',
    {
      game_id: 'STRING NOT NULL',
      game_date: 'DATE NOT NULL',
      defending_team_abbr: 'STRING NOT NULL',
      created_at: 'TIMESTAMP',
      processed_at: 'TIMESTAMP NOT NULL',
    },
    byGameDate(false),
  ),
  'nba_analytics.upcoming_player_game_context': table(
    'schemas/bigquery/analytics/upcoming_player_game_context_tables.sql',
    {
      player_lookup: 'STRING NOT NULL',
      game_id: 'STRING NOT NULL',
      game_date: 'DATE NOT NULL',
      has_prop_line: 'BOOL',
      current_points_line: 'NUMERIC(4,1)',
      created_at: 'TIMESTAMP',
      processed_at: 'TIMESTAMP',
    },
    byGameDate(false),
  ),
  'nba_analytics.upcoming_team_game_context': table(
    'schemas/bigquery/analytics/upcoming_team_game_context_tables.sql',
    {
      team_abbr: 'STRING NOT NULL',
      game_id: 'STRING NOT NULL',
      game_date: 'DATE NOT NULL',
      processed_at: 'TIMESTAMP NOT NULL',
      created_at: 'TIMESTAMP NOT NULL',
    },
    byGameDate(false),
  ),
  'nba_precompute.team_defense_zone_analysis': table(
    'schemas/bigquery/precompute/team_defense_zone_analysis.sql',
    {
      team_abbr: 'STRING NOT NULL',
      analysis_date: 'DATE NOT NULL',
      processed_at: 'TIMESTAMP NOT NULL',
      created_at: 'TIMESTAMP',
    },
    { column: 'analysis_date', require_filter: false },
  ),
  'nba_precompute.player_shot_zone_analysis': table(
    'schemas/bigquery/precompute/player_shot_zone_analysis.sql',
    {
      player_lookup: 'STRING NOT NULL',
      analysis_date: 'DATE NOT NULL',
      created_at: 'TIMESTAMP',
      processed_at: 'TIMESTAMP',
    },
    { column: 'analysis_date', require_filter: false },
  ),
  'nba_precompute.player_composite_factors': table(
    'schemas/bigquery/precompute/player_composite_factors.sql',
    {
      player_lookup: 'STRING NOT NULL',
      game_date: 'DATE NOT NULL',
      game_id: 'STRING NOT NULL',
      analysis_date: 'DATE',
      created_at: 'TIMESTAMP',
      processed_at: 'TIMESTAMP',
    },
    byGameDate(false),
  ),
  'nba_precompute.player_daily_cache': table(
    'schemas/bigquery/precompute/player_daily_cache.sql',
    {
      player_lookup: 'STRING NOT NULL',
      cache_date: 'DATE NOT NULL',
      created_at: 'TIMESTAMP',
      processed_at: 'TIMESTAMP',
    },
    { column: 'cache_date', require_filter: false },
  ),
  // No processed_at: created_at on insert, updated_at (else NULL) when its MERGE rewrites a row.
  'nba_predictions.ml_feature_store_v2': table(
    'schemas/bigquery/predictions/04_ml_feature_store_v2.sql',
    {
      player_lookup: 'STRING NOT NULL',
      game_date: 'DATE NOT NULL',
      game_id: 'STRING NOT NULL',
      created_at: 'TIMESTAMP NOT NULL',
      updated_at: 'TIMESTAMP',
    },
    byGameDate(true),
  ),
  [PREDICTIONS_TABLE]: table(
    'schemas/bigquery/predictions/01_player_prop_predictions.sql',
    {
      prediction_id: 'STRING NOT NULL',
      system_id: 'STRING NOT NULL',
      player_lookup: 'STRING NOT NULL',
      game_date: 'DATE NOT NULL',
      game_id: 'STRING NOT NULL',
      prediction_version: 'INT64 NOT NULL',
      predicted_points: 'NUMERIC(5,1) NOT NULL',
      confidence_score: 'NUMERIC(5,2) NOT NULL',
      recommendation: 'STRING NOT NULL',
      current_points_line: 'NUMERIC(4,1)',
      line_source: 'STRING',
      is_active: 'BOOL NOT NULL',
      created_at: 'TIMESTAMP NOT NULL',
    },
    byGameDate(true),
  ),
  // The incumbent's grader writes it; shotclock never does (see OWNED_TABLES).
  'nba_predictions.prediction_accuracy': table(
    'schemas/bigquery/nba_predictions/prediction_accuracy.sql',
    {
      player_lookup: 'STRING NOT NULL',
      game_id: 'STRING NOT NULL',
      game_date: 'DATE NOT NULL',
      system_id: 'STRING NOT NULL',
      predicted_points: 'NUMERIC(5,1)',
      recommendation: 'STRING',
      line_value: 'NUMERIC(5,1)',
      actual_points: 'INT64',
      minutes_played: 'NUMERIC(5,1)',
      absolute_error: 'NUMERIC(5,1)',
      signed_error: 'NUMERIC(5,1)',
      prediction_correct: 'BOOL',
      is_voided: 'BOOL',
      void_reason: 'STRING',
      graded_at: 'TIMESTAMP',
    },
    byGameDate(true),
  ),
};

/** The dataset shotclock owns by default; everything it writes lives here. */
export const SHOTCLOCK_DATASET = 'shotclock';
/** The `source` of a table shotclock declares and owns (the deploy creates it). */
export const SHOTCLOCK_SOURCE = 'shotclock';
export const GRADED_PREDICTIONS_TABLE = `${SHOTCLOCK_DATASET}.graded_predictions`;

/**
 * Tables shotclock owns and the deploy creates. `graded_predictions`: one row
 * per (date, system, player, game) that live grading resolved, written only
 * by shotclock's MERGE and keyed so a rerun rewrites its own rows; baselines
 * read it back. `graded_by` names the writer, so a run touches only its own.
 */
export const OWNED_TABLES: Readonly<Record<string, TableDeclaration>> = {
  [GRADED_PREDICTIONS_TABLE]: table(
    SHOTCLOCK_SOURCE,
    {
      game_date: 'DATE NOT NULL',
      system_id: 'STRING NOT NULL',
      player_lookup: 'STRING NOT NULL',
      game_id: 'STRING NOT NULL',
      prediction_id: 'STRING NOT NULL',
      predicted_points: 'NUMERIC(5,1)',
      recommendation: 'STRING',
      line_value: 'NUMERIC(4,1)',
      actual_points: 'INT64',
      minutes_played: 'NUMERIC(5,1)',
      absolute_error: 'NUMERIC(5,1)',
      signed_error: 'NUMERIC(5,1)',
      status: 'STRING NOT NULL',
      prediction_correct: 'BOOL',
      is_voided: 'BOOL NOT NULL',
      void_reason: 'STRING',
      graded_by: 'STRING NOT NULL',
      graded_at: 'TIMESTAMP NOT NULL',
    },
    byGameDate(true),
  ),
};

export const WAREHOUSE_TABLES: Readonly<Record<string, TableDeclaration>> = {
  ...INCUMBENT_TABLES,
  ...OWNED_TABLES,
};

/** `NUMERIC(5,1)`, `STRING`: the type as BigQuery's DDL and its table metadata spell it. */
export function describeType(declaration: ColumnDeclaration): string {
  return declaration.precision === undefined
    ? declaration.type
    : `${declaration.type}(${declaration.precision},${declaration.scale})`;
}

/** Where a pipeline config may put the tables shotclock's queries name. */
export interface ConfiguredTables {
  schedule_table: string;
  grading: { tables: { predictions: string; box_scores: string; graded: string } };
  phases?: ReadonlyArray<{ processors: ReadonlyArray<{ name: string; table?: string }> }>;
}

/** The default pipeline's table of each processor, by processor name. */
const DEFAULT_PROCESSOR_TABLES = new Map(
  (DEFAULT_PIPELINE.phases ?? []).flatMap((phase) =>
    phase.processors.flatMap((processor) =>
      processor.table ? [[processor.name, processor.table] as const] : [],
    ),
  ),
);

/**
 * The declared tables, plus each one under the name the pipeline config moves it to: the schedule,
 * the grading tables, and a processor's table (matched by processor name with the default
 * pipeline). A moved table carries the declaration of the one it stands in for, so the local
 * warehouse creates it, a scenario may fill it and the probe checks its columns.
 */
export function warehouseTablesOf(config: ConfiguredTables): Readonly<Record<string, TableDeclaration>> {
  const moves: Array<[string, string]> = [
    [SCHEDULE_TABLE, config.schedule_table],
    [PREDICTIONS_TABLE, config.grading.tables.predictions],
    [BOX_SCORES_TABLE, config.grading.tables.box_scores],
    [GRADED_PREDICTIONS_TABLE, config.grading.tables.graded],
    ...(config.phases ?? []).flatMap((phase) =>
      phase.processors.flatMap((processor): Array<[string, string]> => {
        const standsIn = DEFAULT_PROCESSOR_TABLES.get(processor.name);
        return standsIn && processor.table ? [[standsIn, processor.table]] : [];
      }),
    ),
  ];
  const tables: Record<string, TableDeclaration> = { ...WAREHOUSE_TABLES };
  for (const [declared, configured] of moves) {
    const declaration = WAREHOUSE_TABLES[declared];
    if (declaration && !(configured in tables)) tables[configured] = declaration;
  }
  return tables;
}

/** The tables shotclock owns (the deploy creates them) under the config's names. */
export function ownedTablesOf(config: ConfiguredTables): Readonly<Record<string, TableDeclaration>> {
  return { [config.grading.tables.graded]: OWNED_TABLES[GRADED_PREDICTIONS_TABLE]! };
}
