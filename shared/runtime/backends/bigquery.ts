import { BigQuery } from '@google-cloud/bigquery';
import { BigQueryWarehouse } from '../../adapters/bigquery.warehouse.js';
import type { Settings } from '../../config/env.js';

export function bigQueryWarehouse(settings: Settings): BigQueryWarehouse {
  return new BigQueryWarehouse(
    new BigQuery({ projectId: settings.projectId }),
    settings.config.project.region,
  );
}
