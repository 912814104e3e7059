import { loadPipelineConfig } from '../shared/config/load.js';
import type { PipelineConfig } from '../shared/config/schema.js';
import { type ColumnDeclaration, ownedTablesOf, type TableDeclaration } from '../shared/config/tables.js';

/**
 * shotclock's part of BigQuery as data: the dataset and tables it owns (the
 * deploy creates them), and which tables and datasets each function reads and
 * writes (the deploy grants `dataViewer` on the datasets read and
 * `dataEditor` on the one owned, never on the project). The owned dataset
 * lives where the datasets it reads live: the deploy reads that location and
 * also sets it as the functions' `SHOTCLOCK_BIGQUERY_LOCATION`.
 */
export interface BigQueryField {
  name: string;
  type: string;
  mode: 'REQUIRED' | 'NULLABLE';
  precision?: string;
  scale?: string;
}

export interface OwnedTableSpec {
  /** `dataset.table` */
  table: string;
  /** as `bq mk --schema` and `tables.insert` take it */
  fields: BigQueryField[];
  partitionColumn?: string;
  requirePartitionFilter: boolean;
}

export interface WarehouseAccess {
  reads: string[];
  writes: string[];
  datasetsRead: string[];
  datasetsWritten: string[];
}

export interface BigQuerySpec {
  ownedDataset: string;
  ownedTables: OwnedTableSpec[];
  /** datasets whose location the owned dataset and the jobs follow */
  locationFrom: string[];
  /** keyed by the function's folder under functions/ */
  access: Record<string, WarehouseAccess>;
}

/** The legacy names BigQuery's table API uses for GoogleSQL types. */
const API_TYPE: Readonly<Record<string, string>> = { INT64: 'INTEGER', FLOAT64: 'FLOAT', BOOL: 'BOOLEAN' };

function field(name: string, column: ColumnDeclaration): BigQueryField {
  return {
    name,
    type: API_TYPE[column.type] ?? column.type,
    mode: column.required ? 'REQUIRED' : 'NULLABLE',
    ...(column.precision === undefined
      ? {}
      : { precision: String(column.precision), scale: String(column.scale ?? 0) }),
  };
}

function ownedTable(table: string, declaration: TableDeclaration): OwnedTableSpec {
  return {
    table,
    fields: Object.entries(declaration.columns).map(([name, column]) => field(name, column)),
    ...(declaration.partition ? { partitionColumn: declaration.partition.column } : {}),
    requirePartitionFilter: declaration.partition?.require_filter ?? false,
  };
}

const unique = (values: string[]) => [...new Set(values)].sort();
const datasetOf = (table: string) => table.split('.')[0]!;

function access(reads: string[], writes: string[] = []): WarehouseAccess {
  return {
    reads: unique(reads),
    writes: unique(writes),
    datasetsRead: unique(reads.map(datasetOf)),
    datasetsWritten: unique(writes.map(datasetOf)),
  };
}

/** The tables each function's queries name, from the same config the queries are built from. */
export function warehouseAccess(config: PipelineConfig): Record<string, WarehouseAccess> {
  const checked = config.freshness_gate.checks.map((check) => check.table);
  const { predictions, box_scores, graded } = config.grading.tables;
  const counted = config.phases
    .filter((phase) => config.record_count.phases.includes(phase.id))
    .flatMap((phase) => phase.processors.flatMap((processor) => processor.table ?? []));
  const byFunction: Record<string, WarehouseAccess> = {
    // The schedule says which dates have games.
    phaseTransition: access([config.schedule_table]),
    liveGradingExport: access([config.schedule_table, predictions, box_scores, graded], [graded]),
    freshnessGate: access([config.schedule_table, ...checked]),
    recordCountCheck: access([config.schedule_table, ...counted]),
    alertMonitor: access([config.schedule_table, predictions, ...checked]),
  };
  // The deployed probe dry-runs every function's queries and compares every table's columns: it reads them all.
  const everything = Object.values(byFunction).flatMap((fn) => [...fn.reads, ...fn.writes]);
  return { ...byFunction, dependencyProbe: access(everything) };
}

/** Every table a function reads or writes under the default pipeline (what its probe checks). */
export function tablesTouchedBy(
  functionName: string,
  config: PipelineConfig = loadPipelineConfig(),
): string[] {
  const touched = warehouseAccess(config)[functionName];
  return touched ? unique([...touched.reads, ...touched.writes]) : [];
}

export function bigQuerySpec(config: PipelineConfig): BigQuerySpec {
  const functions = warehouseAccess(config);
  const read = unique(Object.values(functions).flatMap((fn) => fn.datasetsRead));
  // shotclock owns the dataset its graded table lives in (`shotclock` unless the config moves it).
  const ownedDataset = datasetOf(config.grading.tables.graded);
  return {
    ownedDataset,
    ownedTables: Object.entries(ownedTablesOf(config)).map(([table, declaration]) =>
      ownedTable(table, declaration),
    ),
    locationFrom: read.filter((dataset) => dataset !== ownedDataset),
    access: functions,
  };
}
