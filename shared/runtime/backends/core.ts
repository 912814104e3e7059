import { systemClock } from '../../adapters/clocks.js';
import { FetchHttpCaller } from '../../adapters/fetch.http-caller.js';
import { metadataIdTokens } from '../../adapters/metadata.id-token.js';
import type { Settings } from '../../config/env.js';
import { createLogger } from '../../logging/logger.js';
import { runtimeSettings } from '../settings.js';
import { alertOptionsFrom, alertSinkFor } from '../alerts.js';
import { firestoreStateStore } from './firestore.js';
import { pubsubBus } from './pubsub.js';

/**
 * What every event-driven function builds first, once per instance: settings,
 * the system clock, its logger, Firestore, Pub/Sub, the alert sink
 * (deduplicated in Firestore; Slack when the webhook secret is mounted), and
 * HTTP calls to the pipeline's services with ID tokens from the metadata server.
 * The Google clients load here, on the first event, so importing the function
 * (a cold start) does not pay for them.
 */
export async function coreBackends(functionName: string, settings: Settings = runtimeSettings()) {
  const [bus, state] = await Promise.all([pubsubBus(settings), firestoreStateStore(settings)]);
  const base = {
    config: settings.config,
    projectId: settings.projectId,
    clock: systemClock,
    logger: createLogger({ function: functionName }),
    state,
    bus,
    topology: bus,
    http: new FetchHttpCaller(metadataIdTokens()),
  };
  return { settings, ...base, alerts: alertSinkFor(base, alertOptionsFrom(settings.env)) };
}
