import { describeType, WAREHOUSE_TABLES } from '../config/tables.js';

/**
 * How a deployed table differs from its declaration, one line per column
 * shotclock relies on: missing, or of another type (both named). Columns the
 * table has beyond the declaration are not drift.
 */
export function tableDrift(table: string, deployed: Readonly<Record<string, string>>): string[] {
  const declaration = WAREHOUSE_TABLES[table];
  if (!declaration) return [`${table} has no declaration in shared/config/tables.ts`];
  return Object.entries(declaration.columns).flatMap(([column, declared]) => {
    const expected = describeType(declared);
    const actual = deployed[column];
    if (actual === undefined) return [`${table}.${column} is missing (declared ${expected})`];
    return actual === expected ? [] : [`${table}.${column} is ${actual}, declared ${expected}`];
  });
}
