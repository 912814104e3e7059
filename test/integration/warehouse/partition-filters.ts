import type { TableDeclaration } from '../../../shared/config/tables.js';

type Node = Record<string, unknown>;

interface ScannedColumn {
  columnId?: { low?: number; high?: number };
  name?: string;
}

const idOf = (column: ScannedColumn) => `${column.columnId?.low ?? 0}:${column.columnId?.high ?? 0}`;

/** Subtrees that restrict which rows (so which partitions) are read: WHERE, a MERGE's ON, DML's WHERE. */
const FILTER_KEYS = new Set(['filterExpr', 'mergeExpr', 'whereExpr']);

/**
 * BigQuery refuses a query on a table with `require_partition_filter` unless
 * it filters on the partition column. Read from ZetaSQL's resolved statement:
 * each scan of such a table must have its partition column referenced inside
 * a WHERE (or a MERGE's ON) somewhere in the statement.
 */
export function partitionFilterProblems(
  resolved: unknown,
  tables: Readonly<Record<string, TableDeclaration>>,
): string[] {
  const scans: Array<{ table: string; column: string; id: string | undefined }> = [];
  const filtered = new Set<string>();

  const walk = (value: unknown, key: string, inFilter: boolean): void => {
    if (Array.isArray(value)) {
      for (const item of value) walk(item, key, inFilter);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const node = value as Node;
    if (key === 'resolvedTableScanNode' || key === 'tableScan') {
      const table = (node.table as { fullName?: string } | undefined)?.fullName;
      const partition = table ? tables[table]?.partition : undefined;
      if (table && partition?.require_filter) {
        const columns = ((node.parent as { columnList?: ScannedColumn[] } | undefined)?.columnList ??
          []) as ScannedColumn[];
        const column = columns.find((candidate) => candidate.name === partition.column);
        scans.push({ table, column: partition.column, id: column ? idOf(column) : undefined });
      }
    }
    if (inFilter && key === 'resolvedColumnRefNode') {
      const column = node.column as ScannedColumn | undefined;
      if (column) filtered.add(idOf(column));
    }
    for (const [child, inner] of Object.entries(node)) walk(inner, child, inFilter || FILTER_KEYS.has(child));
  };
  walk(resolved, '', false);

  return scans
    .filter((scan) => scan.id === undefined || !filtered.has(scan.id))
    .map((scan) => `${scan.table} is scanned without a filter on its partition column ${scan.column}`);
}
