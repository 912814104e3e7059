import { systemClock } from '../../shared/adapters/clocks.js';
import { runtimeSettings } from '../../shared/runtime/settings.js';
import { createLogger } from '../../shared/logging/logger.js';
import { firestoreStateStore } from '../../shared/runtime/backends/firestore.js';
import { objectStore } from '../../shared/runtime/backends/storage.js';
import { probeAwareHttp } from '../../shared/probe/function-probe.js';
import { lazily } from '../../shared/runtime/lazy.js';
import { descriptor } from './descriptor.js';
import { FUNCTION_NAME, makeStatusPageHttp, type StatusPageDependencies } from './handler.js';

/**
 * statusPage's targets wired to their production backends. `index.ts` loads this
 * module on the function's first event, not at cold start.
 */
const dependencies = lazily(async (): Promise<StatusPageDependencies> => {
  const settings = runtimeSettings();
  return {
    config: settings.config,
    clock: systemClock,
    logger: createLogger({ function: FUNCTION_NAME }),
    state: await firestoreStateStore(settings),
    objects: await objectStore(settings),
  };
});

export const statusPage = probeAwareHttp(descriptor, dependencies, makeStatusPageHttp(dependencies));
