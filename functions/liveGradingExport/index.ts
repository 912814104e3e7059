import * as functions from '@google-cloud/functions-framework';
import { BusAlertSink } from '../../shared/adapters/bus.alert-sink.js';
import { systemClock } from '../../shared/adapters/clocks.js';
import { readSettings } from '../../shared/config/env.js';
import { createLogger } from '../../shared/logging/logger.js';
import type { Warehouse } from '../../shared/ports/warehouse.port.js';
import { bigQueryWarehouse } from '../../shared/runtime/backends/bigquery.js';
import { pubsubBus } from '../../shared/runtime/backends/pubsub.js';
import { objectStore } from '../../shared/runtime/backends/storage.js';
import { lazily } from '../../shared/runtime/lazy.js';
import { FUNCTION_NAME, makeLiveGradingExportHandler, makeLiveGradingExportHttp } from './handler.js';

const backends = lazily(async () => {
  const settings = readSettings();
  const logger = createLogger({ function: FUNCTION_NAME });
  const bus = pubsubBus(settings);
  const warehouseSetting = settings.env.SHOTCLOCK_WAREHOUSE;
  const warehouse: Warehouse = warehouseSetting.startsWith('duckdb:')
    ? await (await import('../../shared/adapters/duckdb.warehouse.js')).DuckDbWarehouse.open(
        warehouseSetting.slice('duckdb:'.length),
      )
    : bigQueryWarehouse(settings);
  return {
    config: settings.config,
    projectId: settings.projectId,
    clock: systemClock,
    logger,
    bus,
    topology: bus,
    warehouse,
    objects: objectStore(settings),
    alerts: new BusAlertSink(bus, settings.config.topics.alerts, logger),
  };
});

functions.cloudEvent('liveGradingExport', makeLiveGradingExportHandler(backends));
functions.http('liveGradingExportHttp', makeLiveGradingExportHttp(backends));
