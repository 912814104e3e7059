import * as functions from '@google-cloud/functions-framework';
import { coreBackends } from '../../shared/runtime/backends/core.js';
import { warehouseFor } from '../../shared/runtime/backends/warehouse.js';
import { lazily } from '../../shared/runtime/lazy.js';
import { makeRecordCountCheckHandler } from './handler.js';

const dependencies = lazily(async () => {
  const core = await coreBackends('recordCountCheck');
  // Jitter for retry backoff; tests inject a fixed source.
  return { ...core, warehouse: await warehouseFor(core.settings), random: Math.random };
});

functions.cloudEvent('recordCountCheck', makeRecordCountCheckHandler(dependencies));
