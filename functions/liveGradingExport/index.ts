import * as functions from '@google-cloud/functions-framework';
import { coreBackends } from '../../shared/runtime/backends/core.js';
import { objectStore } from '../../shared/runtime/backends/storage.js';
import { warehouseFor } from '../../shared/runtime/backends/warehouse.js';
import { lazily } from '../../shared/runtime/lazy.js';
import { FUNCTION_NAME, makeLiveGradingExportHandler, makeLiveGradingExportHttp } from './handler.js';

const backends = lazily(async () => {
  const core = await coreBackends(FUNCTION_NAME);
  return { ...core, warehouse: await warehouseFor(core.settings), objects: await objectStore(core.settings) };
});

functions.cloudEvent('liveGradingExport', makeLiveGradingExportHandler(backends));
functions.http('liveGradingExportHttp', makeLiveGradingExportHttp(backends));
