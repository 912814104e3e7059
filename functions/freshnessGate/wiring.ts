import { coreBackends } from '../../shared/runtime/backends/core.js';
import { warehouseFor } from '../../shared/runtime/backends/warehouse.js';
import { lazily } from '../../shared/runtime/lazy.js';
import { FUNCTION_NAME, makeFreshnessGateHandler, makeFreshnessGateHttp } from './handler.js';
import type { GateDependencies } from './run-gate.js';

/**
 * freshnessGate's targets wired to their production backends. `index.ts` loads this
 * module on the function's first event, not at cold start.
 */
const dependencies = lazily(async (): Promise<GateDependencies & { projectId: string }> => {
  const core = await coreBackends(FUNCTION_NAME);
  return { ...core, warehouse: await warehouseFor(core.settings) };
});

export const freshnessGate = makeFreshnessGateHandler(dependencies);
export const freshnessGateHttp = makeFreshnessGateHttp(dependencies);
