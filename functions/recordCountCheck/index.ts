import * as functions from '@google-cloud/functions-framework';
import { BusAlertSink } from '../../shared/adapters/bus.alert-sink.js';
import { systemClock } from '../../shared/adapters/clocks.js';
import { readSettings } from '../../shared/config/env.js';
import { createLogger } from '../../shared/logging/logger.js';
import type { Warehouse } from '../../shared/ports/warehouse.port.js';
import { bigQueryWarehouse } from '../../shared/runtime/backends/bigquery.js';
import { firestoreStateStore } from '../../shared/runtime/backends/firestore.js';
import { pubsubBus } from '../../shared/runtime/backends/pubsub.js';
import type { Settings } from '../../shared/config/env.js';
import { lazily } from '../../shared/runtime/lazy.js';
import { makeRecordCountCheckHandler } from './handler.js';

async function warehouse(settings: Settings): Promise<Warehouse> {
  const choice = settings.env.SHOTCLOCK_WAREHOUSE;
  if (choice === 'bigquery') return bigQueryWarehouse(settings);
  // The local stack only: DuckDB is loaded on demand so the deployed bundle never needs it.
  const { DuckDbWarehouse } = await import('../../shared/adapters/duckdb.warehouse.js');
  return DuckDbWarehouse.open(choice.slice('duckdb:'.length));
}

const dependencies = lazily(async () => {
  const settings = readSettings();
  const logger = createLogger({ function: 'recordCountCheck' });
  const bus = pubsubBus(settings);
  return {
    config: settings.config,
    projectId: settings.projectId,
    clock: systemClock,
    logger,
    state: firestoreStateStore(settings),
    bus,
    warehouse: await warehouse(settings),
    // Another developer's deduplicating sink replaces this; the AlertSink port stays.
    alerts: new BusAlertSink(bus, settings.config.topics.alerts, logger),
    random: Math.random,
  };
});

functions.cloudEvent('recordCountCheck', makeRecordCountCheckHandler(dependencies));
