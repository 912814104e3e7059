/**
 * The warehouse (BigQuery in production, DuckDB locally).
 *
 * SQL is written once, in the subset both engines run the same way:
 * - tables as `dataset.table` (validated names, see `tableName`),
 * - named parameters as `@name`, with explicit casts where the type matters:
 *   `CAST(@game_date AS DATE)`, `CAST(@as_of AS TIMESTAMP)`,
 * - no engine-specific functions.
 * Rows come back as plain JSON values, whatever the engine:
 * - DATE `YYYY-MM-DD`; TIMESTAMP an ISO 8601 string in UTC; DATETIME
 *   `YYYY-MM-DDTHH:MM:SS[.ffffff]`, civil time without a zone;
 * - INT64, NUMERIC, BIGNUMERIC and FLOAT64 as numbers, except a value a
 *   number cannot hold exactly (an INT64 beyond 2^53, a NUMERIC with more
 *   digits than a double keeps), which comes as its exact decimal text;
 * - JSON parsed; BOOL as boolean; NULL as null.
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
  /**
   * The table's columns and their GoogleSQL types as deployed (`NUMERIC(5,1)`,
   * `STRING`, `ARRAY<STRING>`); null when the table does not exist.
   */
  columns?(table: string): Promise<Readonly<Record<string, string>> | null>;
}

const TABLE_NAME = /^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/;

/** The only way a table name enters SQL text: checked against `dataset.table`. */
export function tableName(name: string): string {
  if (!TABLE_NAME.test(name)) throw new Error(`not a dataset.table name: ${JSON.stringify(name)}`);
  return name;
}
