import { BigQueryWarehouse } from '../../adapters/bigquery.warehouse.js';
import type { Settings } from '../../config/env.js';

/** The BigQuery client is loaded when the warehouse is first built (the first event), not at import. */
export async function bigQueryWarehouse(settings: Settings): Promise<BigQueryWarehouse> {
  const { BigQuery } = await import('@google-cloud/bigquery');
  return new BigQueryWarehouse(new BigQuery({ projectId: settings.projectId }), settings.config.project.region);
}
