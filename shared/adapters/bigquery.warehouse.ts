import { BigQuery, type TableField } from '@google-cloud/bigquery';
import { type SqlParameter, tableName, type Warehouse, type WarehouseRow } from '../ports/warehouse.port.js';
import { plainRow } from './bigquery.values.js';

/**
 * The GoogleSQL type the client sends for a parameter, as the client itself
 * infers it (a whole number is INT64, a Date a TIMESTAMP); NULL has no type
 * of its own, so it goes as STRING.
 */
export function parameterType(value: SqlParameter): string {
  if (value === null) return 'STRING';
  const descriptor = BigQuery.getTypeDescriptorFromValue_(value) as { type: string };
  return descriptor.type;
}

function nullParameterTypes(params: Record<string, SqlParameter>): Record<string, string> {
  const types: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) if (value === null) types[name] = parameterType(value);
  return types;
}

/** BigQuery's legacy type names in table metadata, as GoogleSQL spells them. */
const GOOGLE_SQL_TYPE: Readonly<Record<string, string>> = {
  INTEGER: 'INT64',
  FLOAT: 'FLOAT64',
  BOOLEAN: 'BOOL',
  RECORD: 'STRUCT',
};

function fieldType(field: TableField): string {
  const type = GOOGLE_SQL_TYPE[field.type ?? ''] ?? field.type ?? 'UNKNOWN';
  const parameters = field.precision === undefined ? '' : `(${field.precision},${field.scale ?? 0})`;
  return field.mode === 'REPEATED' ? `ARRAY<${type}${parameters}>` : `${type}${parameters}`;
}

/**
 * The Warehouse on BigQuery: tables are `dataset.table` in the client's
 * default project; jobs run in `location` (unset: where their datasets are).
 */
export class BigQueryWarehouse implements Warehouse {
  constructor(
    private readonly bigquery: BigQuery,
    private readonly location?: string,
  ) {}

  private job(sql: string, params: Record<string, SqlParameter>) {
    return {
      query: sql,
      params,
      types: nullParameterTypes(params),
      ...(this.location ? { location: this.location } : {}),
    };
  }

  async query<Row extends WarehouseRow = WarehouseRow>(
    sql: string,
    params: Record<string, SqlParameter> = {},
  ): Promise<Row[]> {
    // Integers wrapped and JSON parsed by the client, so `plainRow` sees every value's type.
    const [rows] = await this.bigquery.query({
      ...this.job(sql, params),
      wrapIntegers: true,
      parseJSON: true,
    });
    return (rows as Record<string, unknown>[]).map((row) => plainRow(row) as Row);
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
    await this.bigquery.createQueryJob({ ...this.job(sql, params), dryRun: true });
  }

  async columns(table: string): Promise<Record<string, string> | null> {
    const [dataset, name] = tableName(table).split('.');
    const reference = this.bigquery.dataset(dataset!).table(name!);
    const [exists] = await reference.exists();
    if (!exists) return null;
    const [metadata] = await reference.getMetadata();
    const fields = ((metadata as { schema?: { fields?: TableField[] } }).schema?.fields ??
      []) as TableField[];
    return Object.fromEntries(fields.map((field) => [field.name ?? '', fieldType(field)]));
  }
}
