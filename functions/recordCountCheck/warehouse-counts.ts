import { PermanentError } from '../../shared/runtime/errors.js';
import { tableName, type Warehouse } from '../../shared/ports/warehouse.port.js';

/** A table the checker reads does not exist: permanent, and alerted once. */
export class MissingTableError extends PermanentError {
  constructor(readonly table: string) {
    super(`table ${table} does not exist`);
  }
}

/**
 * Runs `read`; when it fails, asks whether `table` exists at all. A missing
 * table is permanent; anything else (and a failing existence check) is the
 * warehouse's own error, thrown on as transient.
 */
export async function readingTable<T>(
  warehouse: Warehouse,
  table: string,
  read: () => Promise<T>,
): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (!(await warehouse.tableExists(table))) throw new MissingTableError(table);
    throw error;
  }
}

const COLUMN = /^[a-z_][a-z0-9_]*$/;

/** The one count query, in the subset BigQuery and DuckDB run alike. */
export function countRowsSql(table: string, dateColumn: string): string {
  if (!COLUMN.test(dateColumn)) throw new PermanentError(`not a column name: ${JSON.stringify(dateColumn)}`);
  return `SELECT COUNT(*) AS row_count FROM ${tableName(table)} WHERE ${dateColumn} = CAST(@game_date AS DATE)`;
}

/** Rows of `gameDate` in `table`: the figure the checker judges. */
export async function countRows(
  warehouse: Warehouse,
  table: string,
  dateColumn: string,
  gameDate: string,
): Promise<number> {
  const sql = countRowsSql(table, dateColumn);
  return readingTable(warehouse, table, async () => {
    const [row] = await warehouse.query<{ row_count: number }>(sql, { game_date: gameDate });
    return Number(row?.row_count ?? 0);
  });
}
