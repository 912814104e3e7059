import * as functions from '@google-cloud/functions-framework';
import { BusAlertSink } from '../../shared/adapters/bus.alert-sink.js';
import { systemClock } from '../../shared/adapters/clocks.js';
import { readSettings, type Settings } from '../../shared/config/env.js';
import { createLogger } from '../../shared/logging/logger.js';
import { cloudSchedulerJobs } from '../../shared/probe/cloud-scheduler.jobs.js';
import { metadataIdToken } from '../../shared/probe/id-token.js';
import { functionSpecs } from '../../infra/functions.js';
import { buildTopology } from '../../infra/topology.js';
import { expectedFromInfra } from './expected-from-infra.js';
import { pubsubBus } from '../../shared/runtime/backends/pubsub.js';
import { lazily } from '../../shared/runtime/lazy.js';
import {
  FUNCTION_NAME,
  makeDependencyProbeHttp,
  makeDependencyProbeTickHandler,
  type ProbeFunctionDependencies,
} from './handler.js';

/** Cloud Functions URLs follow from region, project and name. */
function deployedUrls(settings: Settings): Record<string, string> {
  const { region } = settings.config.project;
  return Object.fromEntries(
    functionSpecs(settings.config).map((fn) => [
      fn.name,
      `https://${region}-${settings.projectId}.cloudfunctions.net/${fn.name}`,
    ]),
  );
}

const dependencies = lazily(async (): Promise<ProbeFunctionDependencies> => {
  const settings = readSettings();
  const logger = createLogger({ function: FUNCTION_NAME });
  const bus = pubsubBus(settings);
  return {
    config: settings.config,
    projectId: settings.projectId,
    clock: systemClock,
    logger,
    bus,
    topology: bus,
    scheduler: cloudSchedulerJobs(settings.projectId, settings.config.project.region),
    alerts: new BusAlertSink(bus, settings.config.topics.alerts, logger),
    expected: expectedFromInfra(buildTopology(settings.config, settings.projectId), deployedUrls(settings)),
    authorize: metadataIdToken,
  };
});

functions.http('dependencyProbe', makeDependencyProbeHttp(dependencies));
functions.cloudEvent('dependencyProbeTick', makeDependencyProbeTickHandler(dependencies));
