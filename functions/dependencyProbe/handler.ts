import type { HttpFunction } from '@google-cloud/functions-framework';
import { roleOfJob } from '../../shared/config/job-roles.js';
import type { PipelineConfig } from '../../shared/config/schema.js';
import type { Logger } from '../../shared/logging/logger.js';
import { decodeJson } from '../../shared/messages/pubsub-event.js';
import { SchedulerTick } from '../../shared/messages/tick.js';
import {
  type DependencyProbeDependencies,
  type ProbeReport,
  runDependencyProbe,
  summarizeProbe,
} from '../../shared/probe/dependency-probe.js';
import type { ExpectedTopology } from '../../shared/probe/expected-topology.js';
import { answerProbe } from '../../shared/probe/function-probe.js';
import { PROBE_HEADER, probeScopeOf } from '../../shared/probe/probe-request.js';
import type { Bus } from '../../shared/ports/bus.port.js';
import { pubsubEventHandler } from '../../shared/runtime/event-handler.js';
import { PermanentError } from '../../shared/runtime/errors.js';
import { descriptor } from './descriptor.js';

export const FUNCTION_NAME = 'dependencyProbe';

export interface ProbeFunctionDependencies extends DependencyProbeDependencies {
  config: PipelineConfig;
  bus: Bus;
  logger: Logger;
  projectId: string;
  /** the topology to hold the deployment to, with each function's URL */
  expected: ExpectedTopology;
}

async function probeOnce(deps: ProbeFunctionDependencies): Promise<ProbeReport> {
  const targets = deps.expected.functions.flatMap((fn) =>
    fn.url ? [{ function: fn.name, url: fn.url }] : [],
  );
  const report = await runDependencyProbe(deps, deps.expected, targets);
  deps.logger.log(report.status === 'green' ? 'INFO' : 'ERROR', summarizeProbe(report), {
    probe_status: report.status,
    duration_ms: report.duration_ms,
  });
  return report;
}

/** HTTP: runs the probe; 200 with the JSON report when green, 503 when anything is red. */
export function makeDependencyProbeHttp(
  dependencies: () => Promise<ProbeFunctionDependencies>,
): HttpFunction {
  return async (request, response) => {
    const scope = probeScopeOf(request.get(PROBE_HEADER));
    if (scope) {
      response.status(200).json(await answerProbe(FUNCTION_NAME, dependencies, scope, descriptor));
      return;
    }
    const report = await probeOnce(await dependencies());
    if (request.query.format === 'text')
      response
        .status(report.status === 'green' ? 200 : 503)
        .type('text/plain')
        .send(`${summarizeProbe(report)}\n`);
    else response.status(report.status === 'green' ? 200 : 503).json(report);
  };
}

/** The scheduler tick: runs the probe on the config's `dependency_probe` job, ignores every other job. */
export function makeDependencyProbeTickHandler(dependencies: () => Promise<ProbeFunctionDependencies>) {
  return pubsubEventHandler(
    FUNCTION_NAME,
    dependencies,
    async ({ message }, deps) => {
      const tick = decodeJson(message.data, SchedulerTick);
      if (!tick.ok) throw new PermanentError(`not a scheduler tick: ${tick.reason}`);
      if (roleOfJob(deps.config, tick.value.job) !== 'dependency_probe') return;
      await probeOnce(deps);
    },
    { probe: descriptor },
  );
}
