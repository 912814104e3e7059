import type { HttpFunction } from '@google-cloud/functions-framework';
import { seededRandom } from '../../shared/domain/seeded-random.js';
import type { Backends } from '../../shared/runtime/dependencies.js';

/**
 * How the local stack builds each deployed function from local backends: the
 * same `make...` factories each function's production `wiring.ts` uses, handed the
 * emulators, DuckDB and the simulated clock instead of Google Cloud.
 * Keyed by entry point (`FunctionSpec.target` in infra/functions.ts).
 */
export type LocalFunction =
  | { kind: 'event'; handler: (event: never) => Promise<void> }
  | { kind: 'http'; handler: HttpFunction };

export type LocalFactory = (backends: () => Promise<Backends>) => Promise<LocalFunction>;

export const LOCAL_FUNCTIONS: Record<string, LocalFactory> = {
  health: async (backends) => {
    const { makeHealthHandler } = await import('../../functions/health/handler.js');
    return { kind: 'http', handler: makeHealthHandler((await backends()).clock) };
  },
  phaseTransition: async (backends) => {
    const { makePhaseTransitionHandler } = await import('../../functions/phaseTransition/handler.js');
    return { kind: 'event', handler: makePhaseTransitionHandler(backends) };
  },
  recordCountCheck: async (backends) => {
    const { makeRecordCountCheckHandler } = await import('../../functions/recordCountCheck/handler.js');
    // Retry jitter from a fixed seed: the same scenario replays to the same minute.
    const random = seededRandom(20260118);
    return {
      kind: 'event',
      handler: makeRecordCountCheckHandler(async () => ({ ...(await backends()), random })),
    };
  },
  freshnessGate: async (backends) => {
    const { makeFreshnessGateHandler } = await import('../../functions/freshnessGate/handler.js');
    return { kind: 'event', handler: makeFreshnessGateHandler(backends) };
  },
  freshnessGateHttp: async (backends) => {
    const { makeFreshnessGateHttp } = await import('../../functions/freshnessGate/handler.js');
    return { kind: 'http', handler: makeFreshnessGateHttp(backends) };
  },
  liveGradingExport: async (backends) => {
    const { makeLiveGradingExportHandler } = await import('../../functions/liveGradingExport/handler.js');
    return { kind: 'event', handler: makeLiveGradingExportHandler(backends) };
  },
  liveGradingExportHttp: async (backends) => {
    const { makeLiveGradingExportHttp } = await import('../../functions/liveGradingExport/handler.js');
    return { kind: 'http', handler: makeLiveGradingExportHttp(backends) };
  },
  alertMonitor: async (backends) => {
    const { makeAlertMonitorHandler } = await import('../../functions/alertMonitor/handler.js');
    return { kind: 'event', handler: makeAlertMonitorHandler(backends) };
  },
  statusPage: async (backends) => {
    const { makeStatusPageHttp } = await import('../../functions/statusPage/handler.js');
    return { kind: 'http', handler: makeStatusPageHttp(backends) };
  },
};
