import { describeType, type TableDeclaration, WAREHOUSE_TABLES } from '../config/tables.js';

/**
 * How a deployed table differs from its declaration, one line per column
 * shotclock relies on: missing, or of another type (both named). Columns the
 * table has beyond the declaration are not drift. `declarations` are keyed by the names the
 * pipeline config gives the tables (`warehouseTablesOf`).
 */
export function tableDrift(
  table: string,
  deployed: Readonly<Record<string, string>>,
  declarations: Readonly<Record<string, TableDeclaration>> = WAREHOUSE_TABLES,
): string[] {
  const declaration = declarations[table];
  if (!declaration) return [`${table} has no declaration in shared/config/tables.ts`];
  return Object.entries(declaration.columns).flatMap(([column, declared]) => {
    const expected = describeType(declared);
    const actual = deployed[column];
    if (actual === undefined) return [`${table}.${column} is missing (declared ${expected})`];
    return actual === expected ? [] : [`${table}.${column} is ${actual}, declared ${expected}`];
  });
}
