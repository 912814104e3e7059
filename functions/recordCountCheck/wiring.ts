import { coreBackends } from '../../shared/runtime/backends/core.js';
import { warehouseFor } from '../../shared/runtime/backends/warehouse.js';
import { lazily } from '../../shared/runtime/lazy.js';
import { makeRecordCountCheckHandler } from './handler.js';

/**
 * recordCountCheck's targets wired to their production backends. `index.ts` loads this
 * module on the function's first event, not at cold start.
 */
const dependencies = lazily(async () => {
  const core = await coreBackends('recordCountCheck');
  // Jitter for retry backoff; tests inject a fixed source.
  return { ...core, warehouse: await warehouseFor(core.settings), random: Math.random };
});

export const recordCountCheck = makeRecordCountCheckHandler(dependencies);
