import type { Settings } from '../../shared/config/env.js';
import { cloudSchedulerJobs } from '../../shared/probe/cloud-scheduler.jobs.js';
import { metadataIdToken } from '../../shared/probe/id-token.js';
import { functionSpecs } from '../../infra/functions.js';
import { buildTopology } from '../../infra/topology.js';
import { expectedFromInfra } from './expected-from-infra.js';
import { coreBackends } from '../../shared/runtime/backends/core.js';
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

/**
 * dependencyProbe's targets wired to their production backends. `index.ts` loads this
 * module on the function's first event, not at cold start.
 */
const dependencies = lazily(async (): Promise<ProbeFunctionDependencies> => {
  const { settings, ...core } = await coreBackends(FUNCTION_NAME);
  return {
    ...core,
    scheduler: cloudSchedulerJobs(settings.projectId, settings.config.project.region),
    expected: expectedFromInfra(buildTopology(settings.config, settings.projectId), deployedUrls(settings)),
    authorize: metadataIdToken,
  };
});

export const dependencyProbe = makeDependencyProbeHttp(dependencies);
export const dependencyProbeTick = makeDependencyProbeTickHandler(dependencies);
