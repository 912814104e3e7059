import type { BigQueryWarehouse } from '../../adapters/bigquery.warehouse.js';
import type { Settings } from '../../config/env.js';

/**
 * The BigQuery client and its adapter are loaded when the warehouse is first
 * built (the first event), not at import. Jobs run where the datasets are
 * (`SHOTCLOCK_BIGQUERY_LOCATION`), never in the functions' region by default.
 */
export async function bigQueryWarehouse(settings: Settings): Promise<BigQueryWarehouse> {
  const [{ BigQuery }, { BigQueryWarehouse }] = await Promise.all([
    import('../../adapters/google-clients/bigquery.client.js'),
    import('../../adapters/bigquery.warehouse.js'),
  ]);
  return new BigQueryWarehouse(
    new BigQuery({ projectId: settings.projectId }),
    settings.env.SHOTCLOCK_BIGQUERY_LOCATION,
  );
}
