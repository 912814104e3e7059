import { coreBackends } from '../../shared/runtime/backends/core.js';
import { objectStore } from '../../shared/runtime/backends/storage.js';
import { warehouseFor } from '../../shared/runtime/backends/warehouse.js';
import { lazily } from '../../shared/runtime/lazy.js';
import { FUNCTION_NAME, makeLiveGradingExportHandler, makeLiveGradingExportHttp } from './handler.js';

/**
 * liveGradingExport's targets wired to their production backends. `index.ts` loads this
 * module on the function's first event, not at cold start.
 */
const backends = lazily(async () => {
  const core = await coreBackends(FUNCTION_NAME);
  return { ...core, warehouse: await warehouseFor(core.settings), objects: await objectStore(core.settings) };
});

export const liveGradingExport = makeLiveGradingExportHandler(backends);
export const liveGradingExportHttp = makeLiveGradingExportHttp(backends);
