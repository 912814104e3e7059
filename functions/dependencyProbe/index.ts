import * as functions from '@google-cloud/functions-framework';
import { BusAlertSink } from '../../shared/adapters/bus.alert-sink.js';
import { systemClock } from '../../shared/adapters/clocks.js';
import { readSettings } from '../../shared/config/env.js';
import { createLogger } from '../../shared/logging/logger.js';
import { cloudSchedulerJobs } from '../../shared/probe/cloud-scheduler.jobs.js';
import { topologyFromConfig } from '../../shared/probe/expected-topology.js';
import { pubsubBus } from '../../shared/runtime/backends/pubsub.js';
import { lazily } from '../../shared/runtime/lazy.js';
import {
  FUNCTION_NAME,
  makeDependencyProbeHttp,
  makeDependencyProbeTickHandler,
  type ProbeFunctionDependencies,
} from './handler.js';

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
    expected: topologyFromConfig(settings.config),
  };
});

functions.http('dependencyProbe', makeDependencyProbeHttp(dependencies));
functions.cloudEvent('dependencyProbeTick', makeDependencyProbeTickHandler(dependencies));
