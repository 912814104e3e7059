import { FetchHttpCaller } from '../../shared/adapters/fetch.http-caller.js';
import { localIdTokens } from '../../shared/adapters/local.id-token.js';
import type { PipelineConfig } from '../../shared/config/schema.js';
import type { Clock } from '../../shared/ports/clock.port.js';
import type { HttpCaller } from '../../shared/ports/http-call.port.js';
import { AnalyticsServiceStandIn } from './analytics-service.js';
import { PredictionCoordinatorStandIn } from './prediction-coordinator.js';

/** The incumbent's services shotclock calls, as loopback stand-ins, keyed like `config.downstream.services`. */
export interface LocalServices {
  prediction_coordinator: PredictionCoordinatorStandIn;
  analytics_service: AnalyticsServiceStandIn;
}

export async function startLocalServices(clock: Clock): Promise<LocalServices & { close(): Promise<void> }> {
  const [coordinator, analytics] = await Promise.all([
    new PredictionCoordinatorStandIn(clock).start(),
    new AnalyticsServiceStandIn(clock).start(),
  ]);
  return {
    prediction_coordinator: coordinator,
    analytics_service: analytics,
    close: async () => {
      await Promise.all([coordinator.close(), analytics.close()]);
    },
  };
}

/** The config with the stand-ins' loopback URLs (their own audiences) in place of the Cloud Run services. */
export function onLocalServices(config: PipelineConfig, services: LocalServices): PipelineConfig {
  return {
    ...config,
    downstream: {
      ...config.downstream,
      services: {
        ...config.downstream.services,
        prediction_coordinator: { url: services.prediction_coordinator.url },
        analytics_service: { url: services.analytics_service.url },
      },
    },
  };
}

/** HTTP calls as the local stack makes them: fetch, with unsigned local ID tokens the stand-ins check. */
export function localHttpCaller(): HttpCaller {
  return new FetchHttpCaller(localIdTokens());
}
