import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { SqlParameter, Warehouse, WarehouseRow } from '../../shared/ports/warehouse.port.js';

export interface SentStatement {
  method: 'query' | 'execute' | 'dryRun';
  sql: string;
  params: Record<string, SqlParameter>;
  /** the production line that sent it, `shared/queries/grading.ts:220` */
  site: string;
  /** what the engine underneath answered, when it refused */
  error?: string;
}

const ROOT = join(import.meta.dirname, '..', '..');

/** Where production code hands SQL to a warehouse (adapters pass on what they are given). */
function isProductionFile(path: string): boolean {
  return /^(functions|shared|scripts\/cli)\//.test(path) && !path.startsWith('shared/adapters/');
}

/** The first production frame of the current stack: who sent the statement. */
function callerSite(): string {
  for (const line of (new Error().stack ?? '').split('\n').slice(1)) {
    const frame = /\(?((?:file:\/\/)?\/[^():]+\.ts):(\d+):\d+\)?$/.exec(line.trim());
    if (!frame) continue;
    const path = relative(ROOT, frame[1]!.replace(/^file:\/\//, ''));
    if (isProductionFile(path)) return `${path}:${frame[2]}`;
  }
  return 'unknown';
}

/**
 * A Warehouse that passes every statement on to a real one (DuckDB) and keeps
 * what was sent, with the production line that sent it: the statements the
 * ZetaSQL test analyses are the ones the code paths really produce.
 */
export class RecordingWarehouse implements Warehouse {
  readonly sent: SentStatement[] = [];

  constructor(private readonly inner: Warehouse) {}

  private async record<T>(
    method: SentStatement['method'],
    sql: string,
    params: Record<string, SqlParameter>,
    run: () => Promise<T>,
  ): Promise<T> {
    const statement: SentStatement = { method, sql, params, site: callerSite() };
    this.sent.push(statement);
    try {
      return await run();
    } catch (error) {
      statement.error = (error as Error).message;
      throw error;
    }
  }

  query<Row extends WarehouseRow = WarehouseRow>(sql: string, params: Record<string, SqlParameter> = {}) {
    return this.record('query', sql, params, () => this.inner.query<Row>(sql, params));
  }

  execute(sql: string, params: Record<string, SqlParameter> = {}) {
    return this.record('execute', sql, params, () => this.inner.execute(sql, params));
  }

  dryRun(sql: string, params: Record<string, SqlParameter> = {}) {
    return this.record('dryRun', sql, params, () => this.inner.dryRun(sql, params));
  }

  insert(table: string, rows: WarehouseRow[]) {
    return this.inner.insert(table, rows);
  }

  tableExists(table: string) {
    return this.inner.tableExists(table);
  }
}

const SENDS_SQL = /\bwarehouse\s*\.\s*(query|execute|dryRun)\s*[<(]/;

/**
 * Every line of production code that hands a statement to a warehouse, found
 * by reading the source: `shared/queries/grading.ts:220`. A statement sent
 * from a line the collector never ran shows up here and not in `sent`.
 */
export function productionSendSites(): string[] {
  const sites: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (path.endsWith('.ts') && isProductionFile(path))
        readFileSync(join(ROOT, path), 'utf8')
          .split('\n')
          .forEach((line, index) => {
            if (SENDS_SQL.test(line)) sites.push(`${path}:${index + 1}`);
          });
    }
  };
  for (const dir of ['functions', 'shared', 'scripts/cli']) walk(dir);
  return sites.sort();
}
