import * as functions from '@google-cloud/functions-framework';
import { coreBackends } from '../../shared/runtime/backends/core.js';
import { warehouseFor } from '../../shared/runtime/backends/warehouse.js';
import { lazily } from '../../shared/runtime/lazy.js';
import { type AlertMonitorDependencies, FUNCTION_NAME, makeAlertMonitorHandler } from './handler.js';

const dependencies = lazily(async (): Promise<AlertMonitorDependencies> => {
  const core = await coreBackends(FUNCTION_NAME);
  return { ...core, warehouse: await warehouseFor(core.settings) };
});

functions.cloudEvent('alertMonitor', makeAlertMonitorHandler(dependencies));
