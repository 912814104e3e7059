import {
  type DuckDBAppender,
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBType,
  DuckDBTypeId,
} from '@duckdb/node-api';
import {
  type ColumnDeclaration,
  type ColumnType,
  SHOTCLOCK_SOURCE,
  type TableDeclaration,
  WAREHOUSE_TABLES,
} from '../config/tables.js';
import { type SqlParameter, tableName, type Warehouse, type WarehouseRow } from '../ports/warehouse.port.js';

const DUCKDB_TYPE: Record<ColumnType, string> = {
  STRING: 'VARCHAR',
  INT64: 'BIGINT',
  FLOAT64: 'DOUBLE',
  NUMERIC: 'DECIMAL(38,9)',
  BIGNUMERIC: 'DECIMAL(38,9)',
  BOOL: 'BOOLEAN',
  DATE: 'DATE',
  DATETIME: 'TIMESTAMP',
  TIMESTAMP: 'TIMESTAMP',
  JSON: 'JSON',
};

/**
 * The DuckDB column for a declared one: NUMERIC(p,s) as DECIMAL(p,s), so a
 * value the real column would round is rounded here too. REQUIRED is enforced
 * on the tables shotclock writes; the incumbent's are seeded with partial rows.
 */
function duckDbColumn(name: string, declaration: ColumnDeclaration, enforceRequired: boolean): string {
  const type =
    declaration.precision !== undefined && declaration.type === 'NUMERIC'
      ? `DECIMAL(${declaration.precision},${declaration.scale})`
      : DUCKDB_TYPE[declaration.type];
  return `${name} ${type}${enforceRequired && declaration.required ? ' NOT NULL' : ''}`;
}

const GOOGLE_SQL_TYPE: Readonly<Record<string, string>> = {
  VARCHAR: 'STRING',
  BIGINT: 'INT64',
  DOUBLE: 'FLOAT64',
  BOOLEAN: 'BOOL',
  DATE: 'DATE',
  TIMESTAMP: 'TIMESTAMP',
  JSON: 'JSON',
  'DECIMAL(38,9)': 'NUMERIC',
};

/** DuckDB's `information_schema` type as the GoogleSQL type it stands in for. */
function googleSqlType(duckDbType: string): string {
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(duckDbType);
  if (decimal && duckDbType !== 'DECIMAL(38,9)') return `NUMERIC(${decimal[1]},${decimal[2]})`;
  return GOOGLE_SQL_TYPE[duckDbType] ?? duckDbType;
}

/** `@name` (BigQuery) -> `$name` (DuckDB); string literals are left alone. */
export function toDuckDbParameters(sql: string): string {
  return sql.replace(
    /('(?:[^']|'')*')|@([A-Za-z_][A-Za-z0-9_]*)/g,
    (match, literal: string | undefined, name) => (literal ? match : `$${name}`),
  );
}

/**
 * One value of a row, typed as a bound parameter would be (whole numbers as
 * INTEGER or BIGINT, others DOUBLE, text, booleans; objects as JSON text,
 * dates as ISO text): the appender casts it to the column's type from there.
 */
function appendValue(appender: DuckDBAppender, value: unknown): void {
  if (value === undefined || value === null) appender.appendNull();
  else if (typeof value === 'boolean') appender.appendBoolean(value);
  else if (typeof value === 'number')
    if (!Number.isInteger(value)) appender.appendDouble(value);
    else if (value >= -2_147_483_648 && value <= 2_147_483_647) appender.appendInteger(value);
    else appender.appendBigInt(BigInt(value));
  else if (value instanceof Date) appender.appendVarchar(value.toISOString());
  else if (typeof value === 'object') appender.appendVarchar(JSON.stringify(value));
  else appender.appendVarchar(String(value));
}

function bindValue(value: SqlParameter): string | number | boolean | null {
  return value instanceof Date ? value.toISOString() : value;
}

const INTEGER_TYPES = new Set<DuckDBTypeId>([
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UBIGINT,
  DuckDBTypeId.INTEGER,
  DuckDBTypeId.SMALLINT,
  DuckDBTypeId.TINYINT,
  DuckDBTypeId.DECIMAL,
]);
const TIMESTAMP_TYPES = new Set<DuckDBTypeId>([
  DuckDBTypeId.TIMESTAMP,
  DuckDBTypeId.TIMESTAMP_MS,
  DuckDBTypeId.TIMESTAMP_S,
  DuckDBTypeId.TIMESTAMP_NS,
  DuckDBTypeId.TIMESTAMP_TZ,
]);

function plainValue(value: unknown, type: DuckDBType | undefined): unknown {
  if (value === null || value === undefined || !type) return value ?? null;
  if (INTEGER_TYPES.has(type.typeId)) return Number(value);
  if (TIMESTAMP_TYPES.has(type.typeId)) {
    const text = String(value).replace(' ', 'T');
    const parsed = new Date(/[zZ]|[+-]\d\d(:?\d\d)?$/.test(text) ? text : `${text}Z`);
    return Number.isNaN(parsed.getTime()) ? String(value) : parsed.toISOString();
  }
  return value;
}

/**
 * DuckDB standing in for BigQuery: the same `dataset.table` names (datasets are
 * schemas), the same SQL text, `@name` parameters rebound as `$name`.
 */
export class DuckDbWarehouse implements Warehouse {
  /** One connection, one statement at a time: DuckDB transactions are per connection. */
  private queue: Promise<unknown> = Promise.resolve();

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  /** Opens (or creates) the database file; `:memory:` for a throwaway one. */
  static async open(path: string, tables: Readonly<Record<string, TableDeclaration>> = WAREHOUSE_TABLES) {
    const instance = await DuckDBInstance.create(path);
    const warehouse = new DuckDbWarehouse(instance, await instance.connect());
    await warehouse.createTables(tables);
    return warehouse;
  }

  createTables(tables: Readonly<Record<string, TableDeclaration>>): Promise<void> {
    return this.serially(() => this.createMissingTables(tables));
  }

  private async createMissingTables(tables: Readonly<Record<string, TableDeclaration>>): Promise<void> {
    for (const [name, declaration] of Object.entries(tables)) {
      const [dataset] = tableName(name).split('.');
      const columnList = Object.entries(declaration.columns)
        .map(([column, type]) => duckDbColumn(column, type, declaration.source === SHOTCLOCK_SOURCE))
        .join(', ');
      await this.connection.run(`CREATE SCHEMA IF NOT EXISTS ${dataset}`);
      await this.connection.run(`CREATE TABLE IF NOT EXISTS ${name} (${columnList})`);
    }
  }

  async query<Row extends WarehouseRow = WarehouseRow>(
    sql: string,
    params: Record<string, SqlParameter> = {},
  ): Promise<Row[]> {
    return this.serially(() => this.runQuery<Row>(sql, params));
  }

  private async runQuery<Row extends WarehouseRow>(
    sql: string,
    params: Record<string, SqlParameter>,
  ): Promise<Row[]> {
    const bound = Object.fromEntries(Object.entries(params).map(([name, value]) => [name, bindValue(value)]));
    const reader = await this.connection.runAndReadAll(toDuckDbParameters(sql), bound);
    const types = reader.columnTypes();
    const names = reader.columnNames();
    return reader.getRowObjectsJson().map((row) => {
      const plain: WarehouseRow = {};
      names.forEach((name, i) => {
        plain[name] = plainValue(row[name], types[i]);
      });
      return plain as Row;
    });
  }

  async execute(sql: string, params: Record<string, SqlParameter> = {}): Promise<void> {
    await this.query(sql, params);
  }

  insert(table: string, rows: WarehouseRow[]): Promise<void> {
    return this.serially(() => this.insertRows(table, rows));
  }

  /**
   * Through DuckDB's appender, which casts each value to its column's type as
   * a bound INSERT parameter is cast: one prepared INSERT per row took about a
   * millisecond a row (the 2026-01-18 replay seeds 5,200 rows: 6.3 s against
   * 0.2 s). A column the rows do not name is NULL, as in an INSERT naming only
   * the others.
   */
  private async insertRows(table: string, rows: WarehouseRow[]): Promise<void> {
    if (rows.length === 0) return;
    const named = [...new Set(rows.flatMap((row) => Object.keys(row)))];
    for (const column of named)
      if (!/^[a-z_][a-z0-9_]*$/.test(column)) throw new Error(`bad column ${column}`);
    const [dataset, name] = tableName(table).split('.') as [string, string];
    const columns = (
      await this.runQuery<{ column_name: string }>(
        `SELECT column_name FROM information_schema.columns
         WHERE table_schema = @dataset AND table_name = @name ORDER BY ordinal_position`,
        { dataset, name },
      )
    ).map((row) => row.column_name);
    if (columns.length === 0) throw new Error(`Table with name ${table} does not exist`);
    const unknown = named.filter((column) => !columns.includes(column));
    if (unknown.length) throw new Error(`Table ${table} does not have a column named ${unknown.join(', ')}`);
    await this.connection.run('BEGIN TRANSACTION');
    try {
      const appender = await this.connection.createAppender(name, dataset);
      try {
        for (const row of rows) {
          for (const column of columns) appendValue(appender, row[column]);
          appender.endRow();
        }
        appender.flushSync();
      } finally {
        appender.closeSync();
      }
      await this.connection.run('COMMIT');
    } catch (error) {
      await this.connection.run('ROLLBACK');
      throw error;
    }
  }

  async tableExists(table: string): Promise<boolean> {
    const [dataset, name] = tableName(table).split('.');
    const rows = await this.query(
      'SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = @dataset AND table_name = @name',
      { dataset: dataset!, name: name! },
    );
    return Number(rows[0]?.n) > 0;
  }

  /** The columns as their GoogleSQL types, so the probe compares them with the declarations alike. */
  async columns(table: string): Promise<Record<string, string> | null> {
    const [dataset, name] = tableName(table).split('.');
    const rows = await this.query<{ column_name: string; data_type: string }>(
      `SELECT column_name, data_type FROM information_schema.columns
       WHERE table_schema = @dataset AND table_name = @name ORDER BY ordinal_position`,
      { dataset: dataset!, name: name! },
    );
    if (rows.length === 0) return null;
    return Object.fromEntries(rows.map((row) => [row.column_name, googleSqlType(row.data_type)]));
  }

  async dryRun(sql: string, params: Record<string, SqlParameter> = {}): Promise<void> {
    await this.query(`EXPLAIN ${sql}`, params);
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
