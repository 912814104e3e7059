import type { PipelineConfig } from '../config/schema.js';
import type { FreshnessCheckConfig, TableFigures } from '../domain/freshness.js';
import { tableName, type Warehouse } from '../ports/warehouse.port.js';

/** The incumbent's column names in the tables the gate reads. */
const PLAYER_COLUMN = 'player_lookup';
const GAME_COLUMN = 'game_id';
const LINE_COLUMN = 'has_prop_line';

const COLUMN = /^[a-z_][a-z0-9_]*$/;
function columnName(name: string): string {
  if (!COLUMN.test(name)) throw new Error(`not a column name: ${JSON.stringify(name)}`);
  return name;
}

/** The time a row was last processed: its processed column, else the fallback where that is NULL. */
export function processedTimeSql(
  check: Pick<FreshnessCheckConfig, 'processed_column' | 'processed_fallback_column'>,
): string {
  const processed = columnName(check.processed_column);
  return check.processed_fallback_column
    ? `COALESCE(${processed}, ${columnName(check.processed_fallback_column)})`
    : processed;
}

/** Whether a check looks at prop lines (only then is the line column read). */
export const readsLines = (check: FreshnessCheckConfig): boolean =>
  check.min_players_with_lines !== undefined || check.min_line_coverage !== undefined;

/** One date's figures for a checked table, plus earlier days when the expected count needs history. */
export interface CheckedTableDay extends TableFigures {
  game_date: string;
}

/**
 * One query per check, pushed to the warehouse: per date in
 * [`from`, `gameDate`], the row count, distinct players (with a line), games
 * with rows and the newest processed time for that date. `from` is `gameDate`
 * unless the expected count is a baseline over earlier days.
 */
export async function checkedTableDays(
  warehouse: Warehouse,
  check: FreshnessCheckConfig,
  gameDate: string,
  from: string = gameDate,
): Promise<CheckedTableDay[]> {
  const date = columnName(check.date_column);
  const processed = processedTimeSql(check);
  const lines = readsLines(check)
    ? `COUNT(DISTINCT CASE WHEN ${LINE_COLUMN} THEN ${PLAYER_COLUMN} END) AS players_with_lines,`
    : '';
  const rows = await warehouse.query<{
    game_date: string;
    row_count: number;
    players: number;
    players_with_lines?: number;
    games_with_rows: number;
    newest_processed_at: string | null;
  }>(
    `SELECT ${date} AS game_date,
            COUNT(*) AS row_count,
            COUNT(DISTINCT ${PLAYER_COLUMN}) AS players,
            ${lines}
            COUNT(DISTINCT ${GAME_COLUMN}) AS games_with_rows,
            MAX(${processed}) AS newest_processed_at
     FROM ${tableName(check.table)}
     WHERE ${date} BETWEEN CAST(@from_date AS DATE) AND CAST(@game_date AS DATE)
     GROUP BY ${date}`,
    { from_date: from, game_date: gameDate },
  );
  return rows.map((row) => ({
    game_date: String(row.game_date).slice(0, 10),
    rows: Number(row.row_count),
    players: Number(row.players),
    ...(row.players_with_lines === undefined
      ? {}
      : { players_with_lines: Number(row.players_with_lines ?? 0) }),
    games_with_rows: Number(row.games_with_rows),
    newest_processed_at: row.newest_processed_at ?? null,
  }));
}

/** The figures for `gameDate` alone out of `checkedTableDays`; a date without rows reads as zeros. */
export function figuresOn(
  days: CheckedTableDay[],
  check: FreshnessCheckConfig,
  gameDate: string,
): TableFigures {
  const day = days.find((candidate) => candidate.game_date === gameDate);
  if (day) {
    const { game_date: _date, ...figures } = day;
    return figures;
  }
  return {
    rows: 0,
    players: 0,
    ...(readsLines(check) ? { players_with_lines: 0 } : {}),
    games_with_rows: 0,
    newest_processed_at: null,
  };
}

/** Scheduled games per date in [`from`, `to`]; dates without games are absent. */
export async function gamesPerDate(
  warehouse: Warehouse,
  config: Pick<PipelineConfig, 'schedule_table'>,
  from: string,
  to: string,
): Promise<Map<string, number>> {
  const rows = await warehouse.query<{ game_date: string; games: number }>(
    `SELECT game_date, COUNT(DISTINCT game_id) AS games
     FROM ${tableName(config.schedule_table)}
     WHERE game_date BETWEEN CAST(@from_date AS DATE) AND CAST(@to_date AS DATE)
     GROUP BY game_date`,
    { from_date: from, to_date: to },
  );
  return new Map(rows.map((row) => [String(row.game_date).slice(0, 10), Number(row.games)]));
}
