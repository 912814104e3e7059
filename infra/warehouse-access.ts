import type { BigQueryField, BigQuerySpec } from './bigquery.js';
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
  /** owned tables, with the schema and partitioning they are created with */
  tables: Array<{
    name: string;
    fields: BigQueryField[];
    /** the DATE column of its daily partitions */
    partitionColumn?: string;
    requirePartitionFilter: boolean;
  }>;
  /** function names that read it (BigQuery READER on the dataset) */
  readers: string[];
  /** function names that write into it (BigQuery WRITER on the dataset) */
  writers: string[];
}

/**
 * The datasets of `bigQuerySpec`: the one shotclock owns (created with its tables) and the
 * pipeline's ones its functions read or write. Each function gets READER on the datasets it reads
 * and WRITER on the ones it writes, nothing else.
 */
export function datasetsFromSpec(spec: BigQuerySpec, functions: FunctionSpec[]): DatasetSpec[] {
  const all = Object.values(spec.access);
  const ids = [
    ...new Set([
      spec.ownedDataset,
      ...all.flatMap((access) => [...access.datasetsRead, ...access.datasetsWritten]),
    ]),
  ].sort((a, b) => Number(b === spec.ownedDataset) - Number(a === spec.ownedDataset) || a.localeCompare(b));
  const using = (id: string, kind: 'datasetsRead' | 'datasetsWritten') =>
    functions.filter((fn) => spec.access[fn.source]?.[kind].includes(id)).map((fn) => fn.name);
  return ids.map((id) => {
    const owned = id === spec.ownedDataset;
    const writers = using(id, 'datasetsWritten');
    return {
      id,
      owned,
      description: owned ? "shotclock's own tables (graded predictions)" : `the pipeline's ${id} dataset`,
      tables: owned
        ? spec.ownedTables
            .filter((table) => table.table.startsWith(`${id}.`))
            .map(({ table, ...created }) => ({ name: table.slice(id.length + 1), ...created }))
        : [],
      // A writer reads too: WRITER includes reading, so it is not granted twice.
      readers: using(id, 'datasetsRead').filter((fn) => !writers.includes(fn)),
      writers,
    };
  });
}
