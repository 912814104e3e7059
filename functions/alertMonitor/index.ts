import * as functions from '@google-cloud/functions-framework';
import { systemClock } from '../../shared/adapters/clocks.js';
import { readSettings, type Settings } from '../../shared/config/env.js';
import { createLogger } from '../../shared/logging/logger.js';
import type { Warehouse } from '../../shared/ports/warehouse.port.js';
import { alertOptionsFrom, alertSinkFor } from '../../shared/runtime/alerts.js';
import { bigQueryWarehouse } from '../../shared/runtime/backends/bigquery.js';
import { firestoreStateStore } from '../../shared/runtime/backends/firestore.js';
import { pubsubBus } from '../../shared/runtime/backends/pubsub.js';
import { lazily } from '../../shared/runtime/lazy.js';
import { type AlertMonitorDependencies, FUNCTION_NAME, makeAlertMonitorHandler } from './handler.js';

async function warehouse(settings: Settings): Promise<Warehouse> {
  const target = settings.env.SHOTCLOCK_WAREHOUSE;
  if (!target.startsWith('duckdb:')) return bigQueryWarehouse(settings);
  // Local stack only; loaded on demand so the deployed function never touches DuckDB.
  const { DuckDbWarehouse } = await import('../../shared/adapters/duckdb.warehouse.js');
  return DuckDbWarehouse.open(target.slice('duckdb:'.length));
}

const dependencies = lazily(async (): Promise<AlertMonitorDependencies> => {
  const settings = readSettings();
  const base = {
    config: settings.config,
    projectId: settings.projectId,
    clock: systemClock,
    logger: createLogger({ function: FUNCTION_NAME }),
    state: firestoreStateStore(settings),
    bus: pubsubBus(settings),
  };
  return {
    ...base,
    warehouse: await warehouse(settings),
    alerts: alertSinkFor(base, alertOptionsFrom(settings.env)),
  };
});

functions.cloudEvent('alertMonitor', makeAlertMonitorHandler(dependencies));
