import * as functions from '@google-cloud/functions-framework';
import { BusAlertSink } from '../../shared/adapters/bus.alert-sink.js';
import { systemClock } from '../../shared/adapters/clocks.js';
import { readSettings, type Settings } from '../../shared/config/env.js';
import { createLogger } from '../../shared/logging/logger.js';
import type { Warehouse } from '../../shared/ports/warehouse.port.js';
import { bigQueryWarehouse } from '../../shared/runtime/backends/bigquery.js';
import { firestoreStateStore } from '../../shared/runtime/backends/firestore.js';
import { pubsubBus } from '../../shared/runtime/backends/pubsub.js';
import { lazily } from '../../shared/runtime/lazy.js';
import type { PhaseTransitionDependencies } from './evaluate-date.js';
import { FUNCTION_NAME, makePhaseTransitionHandler } from './handler.js';

async function warehouse(settings: Settings): Promise<Warehouse> {
  const target = settings.env.SHOTCLOCK_WAREHOUSE;
  if (!target.startsWith('duckdb:')) return bigQueryWarehouse(settings);
  // Local stack only; loaded on demand so the deployed function never touches DuckDB.
  const { DuckDbWarehouse } = await import('../../shared/adapters/duckdb.warehouse.js');
  return DuckDbWarehouse.open(target.slice('duckdb:'.length));
}

const dependencies = lazily(async (): Promise<PhaseTransitionDependencies & { projectId: string }> => {
  const settings = readSettings();
  const logger = createLogger({ function: FUNCTION_NAME });
  const bus = pubsubBus(settings);
  return {
    config: settings.config,
    projectId: settings.projectId,
    clock: systemClock,
    logger,
    state: firestoreStateStore(settings),
    bus,
    warehouse: await warehouse(settings),
    alerts: new BusAlertSink(bus, settings.config.topics.alerts, logger),
  };
});

functions.cloudEvent('phaseTransition', makePhaseTransitionHandler(dependencies));
