import type { BigQuery } from '@google-cloud/bigquery';
import { type SqlParameter, tableName, type Warehouse, type WarehouseRow } from '../ports/warehouse.port.js';

/** BigQuery wraps DATE, TIMESTAMP and big integers in objects; the port promises plain values. */
function plainValue(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'object' && 'value' in (value as object)) {
    const inner = (value as { value: unknown }).value;
    if (typeof inner === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(inner)) return new Date(inner).toISOString();
    if (typeof inner === 'string' && /^-?\d+$/.test(inner)) return Number(inner);
    return inner;
  }
  if (value instanceof Date) return value.toISOString();
  return value;
}

function parameterTypes(params: Record<string, SqlParameter>): Record<string, string> {
  const types: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) if (value === null) types[name] = 'STRING';
  return types;
}

/** The Warehouse on BigQuery: tables are `dataset.table` in the client's default project. */
export class BigQueryWarehouse implements Warehouse {
  constructor(
    private readonly bigquery: BigQuery,
    private readonly location?: string,
  ) {}

  async query<Row extends WarehouseRow = WarehouseRow>(
    sql: string,
    params: Record<string, SqlParameter> = {},
  ): Promise<Row[]> {
    const [rows] = await this.bigquery.query({
      query: sql,
      params,
      types: parameterTypes(params),
      ...(this.location ? { location: this.location } : {}),
    });
    return (rows as WarehouseRow[]).map(
      (row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key, plainValue(value)])) as Row,
    );
  }

  /** DML runs as a query job; its result set is empty. */
  async execute(sql: string, params: Record<string, SqlParameter> = {}): Promise<void> {
    await this.query(sql, params);
  }

  async insert(table: string, rows: WarehouseRow[]): Promise<void> {
    if (rows.length === 0) return;
    const [dataset, name] = tableName(table).split('.');
    await this.bigquery.dataset(dataset!).table(name!).insert(rows);
  }

  async tableExists(table: string): Promise<boolean> {
    const [dataset, name] = tableName(table).split('.');
    const [exists] = await this.bigquery.dataset(dataset!).table(name!).exists();
    return exists;
  }

  async dryRun(sql: string, params: Record<string, SqlParameter> = {}): Promise<void> {
    await this.bigquery.createQueryJob({
      query: sql,
      params,
      types: parameterTypes(params),
      dryRun: true,
      ...(this.location ? { location: this.location } : {}),
    });
  }
}
