import type { Settings } from '../../config/env.js';
import type { Warehouse } from '../../ports/warehouse.port.js';
import { bigQueryWarehouse } from './bigquery.js';

/**
 * BigQuery in production. `SHOTCLOCK_WAREHOUSE=duckdb:<file>` serves a bundle
 * against a local DuckDB file; that path is loaded on demand, and the build
 * replaces `@duckdb/*` with a module that throws, so no deployed function
 * carries or needs DuckDB.
 */
export async function warehouseFor(settings: Settings): Promise<Warehouse> {
  const target = settings.env.SHOTCLOCK_WAREHOUSE;
  if (!target.startsWith('duckdb:')) return bigQueryWarehouse(settings);
  const [{ DuckDbWarehouse }, { warehouseTablesOf }] = await Promise.all([
    import('../../adapters/duckdb.warehouse.js'),
    import('../../config/tables.js'),
  ]);
  return DuckDbWarehouse.open(target.slice('duckdb:'.length), warehouseTablesOf(settings.config));
}
