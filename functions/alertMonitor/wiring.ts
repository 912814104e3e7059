import { coreBackends } from '../../shared/runtime/backends/core.js';
import { warehouseFor } from '../../shared/runtime/backends/warehouse.js';
import { lazily } from '../../shared/runtime/lazy.js';
import { type AlertMonitorDependencies, FUNCTION_NAME, makeAlertMonitorHandler } from './handler.js';

/**
 * alertMonitor's targets wired to their production backends. `index.ts` loads this
 * module on the function's first event, not at cold start.
 */
const dependencies = lazily(async (): Promise<AlertMonitorDependencies> => {
  const core = await coreBackends(FUNCTION_NAME);
  return { ...core, warehouse: await warehouseFor(core.settings) };
});

export const alertMonitor = makeAlertMonitorHandler(dependencies);
