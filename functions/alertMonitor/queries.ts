import type { FreshnessCheckConfig } from '../../shared/domain/freshness.js';
import { tableName, type Warehouse } from '../../shared/ports/warehouse.port.js';
import { processedTimeSql } from '../../shared/queries/freshness.js';

export interface PredictionVolume {
  predictions: number;
  /** newest active prediction for the date: when predictions ran */
  newest_created_at: string | undefined;
}

/** Active predictions for a date (the incumbent's own volume query counts `is_active = TRUE`). */
export const predictionVolumeSql = (predictionsTable: string) =>
  `SELECT COUNT(*) AS predictions, MAX(created_at) AS newest
     FROM ${tableName(predictionsTable)}
     WHERE game_date = CAST(@game_date AS DATE) AND is_active = TRUE`;

export async function predictionVolume(
  warehouse: Warehouse,
  predictionsTable: string,
  gameDate: string,
): Promise<PredictionVolume> {
  const [row] = await warehouse.query<{ predictions: number; newest: string | null }>(
    predictionVolumeSql(predictionsTable),
    {
      game_date: gameDate,
    },
  );
  return {
    predictions: Number(row?.predictions ?? 0),
    newest_created_at: row?.newest ?? undefined,
  };
}

/** The newest processed time (see `processedTimeSql`) among a table's rows for the date; undefined when it has none. */
export async function newestProcessedAt(
  warehouse: Warehouse,
  check: Pick<
    FreshnessCheckConfig,
    'table' | 'date_column' | 'processed_column' | 'processed_fallback_column'
  >,
  gameDate: string,
): Promise<string | undefined> {
  const column = (name: string) => {
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a column name: ${JSON.stringify(name)}`);
    return name;
  };
  const [row] = await warehouse.query<{ newest: string | null }>(
    `SELECT MAX(${processedTimeSql(check)}) AS newest FROM ${tableName(check.table)}
     WHERE ${column(check.date_column)} = CAST(@game_date AS DATE)`,
    { game_date: gameDate },
  );
  return row?.newest ?? undefined;
}
