/**
 * The warehouse (BigQuery in production, DuckDB locally).
 *
 * SQL is written once, in the subset both engines run the same way:
 * - tables as `dataset.table` (validated names, see `tableName`),
 * - named parameters as `@name`, with explicit casts where the type matters:
 *   `CAST(@game_date AS DATE)`, `CAST(@as_of AS TIMESTAMP)`,
 * - no engine-specific functions.
 * Rows come back as plain JSON values: DATE as `YYYY-MM-DD`, TIMESTAMP as an
 * ISO 8601 string in UTC, integers as numbers.
 */
export type SqlParameter = string | number | boolean | null | Date;
export type WarehouseRow = Record<string, unknown>;

export interface Warehouse {
  query<Row extends WarehouseRow = WarehouseRow>(
    sql: string,
    params?: Record<string, SqlParameter>,
  ): Promise<Row[]>;
  /**
   * Runs one DML statement (MERGE, INSERT ... SELECT, DELETE) in the shared
   * dialect. A single statement is atomic on both engines.
   */
  execute(sql: string, params?: Record<string, SqlParameter>): Promise<void>;
  /** Appends rows; column names must exist in the table. */
  insert(table: string, rows: WarehouseRow[]): Promise<void>;
  tableExists(table: string): Promise<boolean>;
  /** Validates the query without running it (a BigQuery dry run). */
  dryRun(sql: string, params?: Record<string, SqlParameter>): Promise<void>;
}

const TABLE_NAME = /^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/;

/** The only way a table name enters SQL text: checked against `dataset.table`. */
export function tableName(name: string): string {
  if (!TABLE_NAME.test(name)) throw new Error(`not a dataset.table name: ${JSON.stringify(name)}`);
  return name;
}
