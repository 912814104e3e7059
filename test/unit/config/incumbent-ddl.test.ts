import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeType, INCUMBENT_TABLES } from '../../../shared/config/tables.js';

/**
 * The declarations against the incumbent's own DDL (a checkout of
 * najicham/nba-stats-scraper, `SHOTCLOCK_INCUMBENT_DIR`): every declared
 * column exists with the declared type and NOT NULL, including columns added
 * later by `ALTER TABLE ... ADD COLUMN`; partition column and
 * `require_partition_filter` as declared. Skipped where no checkout exists.
 */
const checkout = process.env.SHOTCLOCK_INCUMBENT_DIR ?? '/work/incumbent';
const schemas = join(checkout, 'schemas', 'bigquery');

const TYPE_NAMES: Readonly<Record<string, string>> = { BOOLEAN: 'BOOL', INTEGER: 'INT64', FLOAT: 'FLOAT64' };

interface DdlColumn {
  type: string;
  required: boolean;
}

const withoutComments = (sql: string) => sql.replace(/--[^\n]*/g, '');

function normalType(raw: string): string {
  const compact = raw.replace(/\s+/g, '').toUpperCase();
  const base = compact.replace(/\(.*$/, '');
  return (TYPE_NAMES[base] ?? base) + compact.slice(base.length);
}

const COLUMN_LINE =
  /^\s*(?:ADD COLUMN (?:IF NOT EXISTS )?)?([a-z_][a-z0-9_]*)\s+([A-Z0-9]+(?:\s*\(\s*\d+\s*,\s*\d+\s*\))?)([^,\n]*)/gim;

function columnsIn(body: string): Map<string, DdlColumn> {
  const columns = new Map<string, DdlColumn>();
  for (const match of body.matchAll(COLUMN_LINE)) {
    const [, name, type, rest] = match;
    if (['PARTITION', 'CLUSTER', 'OPTIONS', 'ALTER', 'ADD'].includes(name!.toUpperCase())) continue;
    columns.set(name!, { type: normalType(type!), required: /NOT NULL/i.test(rest!) });
  }
  return columns;
}

/** The CREATE TABLE body of `table` in `file`, and what follows it up to the next `;`. */
function createTable(file: string, table: string): { body: string; tail: string } | undefined {
  const sql = withoutComments(readFileSync(join(checkout, file), 'utf8'));
  const name = table.split('.')[1]!;
  const start = new RegExp(
    `CREATE\\s+(?:OR\\s+REPLACE\\s+)?TABLE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?\`?[\\w.-]*\\b${name}\`?\\s*\\(`,
    'i',
  ).exec(sql);
  if (!start) return undefined;
  let depth = 1;
  let i = start.index + start[0].length;
  for (; depth > 0 && i < sql.length; i += 1) depth += sql[i] === '(' ? 1 : sql[i] === ')' ? -1 : 0;
  return { body: sql.slice(start.index + start[0].length, i - 1), tail: sql.slice(i).split(';')[0]! };
}

/** Columns every `ALTER TABLE <table> ADD COLUMN` in the schema tree adds. */
function addedColumns(table: string): Map<string, DdlColumn> {
  const added = new Map<string, DdlColumn>();
  const name = table.split('.')[1]!;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.sql'))
        for (const statement of withoutComments(readFileSync(path, 'utf8')).split(';'))
          if (new RegExp(`ALTER\\s+TABLE\\s+\`?[\\w.-]*\\b${name}\`?\\s+ADD`, 'i').test(statement))
            for (const [column, declared] of columnsIn(statement)) added.set(column, declared);
    }
  };
  walk(schemas);
  return added;
}

describe.skipIf(!existsSync(schemas))('declared tables match the incumbent’s DDL', () => {
  it.each(Object.entries(INCUMBENT_TABLES))('%s', (table, declaration) => {
    const created = createTable(declaration.source, table);
    expect(created, `CREATE TABLE ${table} in ${declaration.source}`).toBeDefined();
    const real = new Map([...addedColumns(table), ...columnsIn(created!.body)]);
    const problems: string[] = [];
    for (const [column, declared] of Object.entries(declaration.columns)) {
      const ddl = real.get(column);
      if (!ddl) problems.push(`${column}: not in the DDL`);
      else if (ddl.type !== describeType(declared))
        problems.push(`${column}: DDL ${ddl.type}, declared ${describeType(declared)}`);
      else if (ddl.required !== declared.required)
        problems.push(`${column}: DDL NOT NULL ${ddl.required}, declared ${declared.required}`);
    }
    const partition = /PARTITION\s+BY\s+(?:DATE\s*\(\s*)?([a-z_]+)/i.exec(created!.tail)?.[1];
    if (
      declaration.partition?.column !== (partition?.toUpperCase() === 'RANGE_BUCKET' ? undefined : partition)
    )
      problems.push(`partition: DDL ${partition}, declared ${declaration.partition?.column}`);
    const requireFilter = /require_partition_filter\s*=\s*true/i.test(created!.tail);
    if ((declaration.partition?.require_filter ?? false) !== requireFilter)
      problems.push(
        `require_partition_filter: DDL ${requireFilter}, declared ${declaration.partition?.require_filter}`,
      );
    expect(problems).toEqual([]);
  });
});
