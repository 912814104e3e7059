import { BigQuery } from '@google-cloud/bigquery';
import { BigQueryWarehouse } from '../../adapters/bigquery.warehouse.js';
import type { Settings } from '../../config/env.js';

/** Jobs run where the datasets are (`SHOTCLOCK_BIGQUERY_LOCATION`), never in the functions' region by default. */
export function bigQueryWarehouse(settings: Settings): BigQueryWarehouse {
  return new BigQueryWarehouse(
    new BigQuery({ projectId: settings.projectId }),
    settings.env.SHOTCLOCK_BIGQUERY_LOCATION,
  );
}
