import type { ColumnType } from '../shared/config/tables.js';
import { WAREHOUSE_TABLES } from '../shared/config/tables.js';
import type { FunctionSpec } from './functions.js';

/**
 * The BigQuery datasets the deploy knows: the ones shotclock owns (created with their tables and
 * schemas) and the pipeline's own ones it only reads or writes into (checked and granted on, never
 * created). Rights are granted per dataset, never on the project.
 */
export interface DatasetSpec {
  id: string;
  /** shotclock creates it and its tables; otherwise it belongs to the pipeline and must exist */
  owned: boolean;
  description: string;
  tables: Array<{ name: string; columns: Record<string, ColumnType> }>;
  /** function names that read it (BigQuery READER on the dataset) */
  readers: string[];
  /** function names that write into it (BigQuery WRITER on the dataset) */
  writers: string[];
}

/** Datasets a function writes: the live grading exporter records accuracy beside the predictions. */
const WRITES: Record<string, string[]> = { liveGradingExport: ['nba_predictions'] };

/**
 * Default dataset access, derived from the warehouse table catalogue: every function that reads
 * the warehouse reads the datasets of the catalogued tables. `infra/bigquery.ts`, when present,
 * declares owned datasets and per-function reads more finely; `deployPlan` takes either.
 */
export function defaultDatasets(functions: FunctionSpec[]): DatasetSpec[] {
  const ids = [...new Set(Object.keys(WAREHOUSE_TABLES).map((table) => table.split('.')[0]!))].sort();
  return ids.map((id) => ({
    id,
    owned: false,
    description: `the pipeline's ${id} dataset`,
    tables: [],
    readers: functions.filter((fn) => fn.bigquery !== 'none').map((fn) => fn.name),
    writers: functions.filter((fn) => WRITES[fn.source]?.includes(id)).map((fn) => fn.name),
  }));
}
