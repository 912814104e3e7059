import * as functions from '@google-cloud/functions-framework';
import { coreBackends } from '../../shared/runtime/backends/core.js';
import { warehouseFor } from '../../shared/runtime/backends/warehouse.js';
import { lazily } from '../../shared/runtime/lazy.js';
import { FUNCTION_NAME, makeFreshnessGateHandler, makeFreshnessGateHttp } from './handler.js';
import type { GateDependencies } from './run-gate.js';

const dependencies = lazily(async (): Promise<GateDependencies & { projectId: string }> => {
  const core = await coreBackends(FUNCTION_NAME);
  return { ...core, warehouse: await warehouseFor(core.settings) };
});

functions.cloudEvent('freshnessGate', makeFreshnessGateHandler(dependencies));
functions.http('freshnessGateHttp', makeFreshnessGateHttp(dependencies));
