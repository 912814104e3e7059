import type { PipelineConfig } from '../config/schema.js';
import { tableName, type Warehouse } from '../ports/warehouse.port.js';

export interface ScheduledGames {
  game_date: string;
  games: number;
  final: number;
  in_progress: number;
}

/** What the schedule table says about a date. No rows means no games, and nothing retries or alerts. */
export async function scheduledGames(
  warehouse: Warehouse,
  config: Pick<PipelineConfig, 'schedule_table'>,
  gameDate: string,
): Promise<ScheduledGames> {
  const [row] = await warehouse.query<{ games: number; final: number | null; in_progress: number | null }>(
    // One row per game, but a re-scraped schedule may hold a game twice: its furthest status counts.
    `SELECT COUNT(*) AS games,
            SUM(CASE WHEN game_status = 3 THEN 1 ELSE 0 END) AS final,
            SUM(CASE WHEN game_status = 2 THEN 1 ELSE 0 END) AS in_progress
     FROM (
       SELECT game_id, MAX(game_status) AS game_status
       FROM ${tableName(config.schedule_table)}
       WHERE game_date = CAST(@game_date AS DATE)
       GROUP BY game_id
     ) AS games_on_date`,
    { game_date: gameDate },
  );
  return {
    game_date: gameDate,
    games: Number(row?.games ?? 0),
    final: Number(row?.final ?? 0),
    in_progress: Number(row?.in_progress ?? 0),
  };
}
