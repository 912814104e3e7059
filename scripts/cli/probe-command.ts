import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PubSub } from '@google-cloud/pubsub';
import { type Command, Option } from 'commander';
import { systemClock } from '../../shared/adapters/clocks.js';
import { PubSubBus } from '../../shared/adapters/pubsub.bus.js';
import {
  type ProbeReport,
  type ProbeTarget,
  runDependencyProbe,
  summarizeProbe,
} from '../../shared/probe/dependency-probe.js';
import { topologyFromConfig } from '../../shared/probe/expected-topology.js';
import type { ProbeScope } from '../../shared/probe/probe-request.js';
import { configuredSchedulerJobs } from '../../shared/probe/scheduler-jobs.port.js';
import { cliSettings } from './settings.js';
import { UserError } from './user-error.js';

interface ProbeCommandOptions {
  function: string[];
  project?: string;
  scope: ProbeScope;
  report?: string;
  json?: boolean;
}

/**
 * `shotclock probe`: the dependency probe against a local stack. With
 * `--function name=url` it probes a stack already running (emulators from
 * PUBSUB_EMULATOR_HOST); without, it starts the local stack, probes every
 * function it serves and the topology it created, and stops it.
 * Exits 1 when any check is red.
 */
export function register(program: Command): void {
  program
    .command('probe')
    .description(
      'Probe every function (env, lazy modules, backends) and the topology of a local stack; exit 1 when red',
    )
    .option('--function <name=url>', 'a running function to probe (repeatable)', collect, [])
    .option('--project <id>', 'project id on the emulators (default GOOGLE_CLOUD_PROJECT)')
    .addOption(
      new Option('--scope <scope>', 'modules: env and lazy modules only; full: also touch each backend')
        .choices(['modules', 'full'])
        .default('full'),
    )
    .option('--report <file>', 'write the JSON report here')
    .option('--json', 'print the JSON report instead of the summary')
    .action(async (options: ProbeCommandOptions) => {
      const report =
        options.function.length > 0 ? await probeRunning(options) : await probeLocalStack(options);
      if (options.report) {
        mkdirSync(dirname(resolve(options.report)), { recursive: true });
        writeFileSync(options.report, `${JSON.stringify(report, null, 2)}\n`);
      }
      console.log(options.json ? JSON.stringify(report, null, 2) : summarizeProbe(report));
      process.exitCode = report.status === 'green' ? 0 : 1;
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function targetsFrom(pairs: string[]): ProbeTarget[] {
  return pairs.map((pair) => {
    const at = pair.indexOf('=');
    if (at < 1) throw new UserError(`--function expects name=url, got ${pair}`);
    return { function: pair.slice(0, at), url: pair.slice(at + 1) };
  });
}

async function probeRunning(options: ProbeCommandOptions): Promise<ProbeReport> {
  const settings = cliSettings();
  if (!settings.env.PUBSUB_EMULATOR_HOST)
    throw new UserError('PUBSUB_EMULATOR_HOST is not set: point it at the local stack’s Pub/Sub emulator');
  const projectId = options.project ?? settings.projectId;
  const bus = new PubSubBus(
    new PubSub({ projectId, apiEndpoint: settings.env.PUBSUB_EMULATOR_HOST, emulatorMode: true }),
  );
  return runDependencyProbe(
    { topology: bus, scheduler: configuredSchedulerJobs(settings.config), clock: systemClock, projectId },
    topologyFromConfig(settings.config),
    targetsFrom(options.function),
    { scope: options.scope, local: true },
  );
}

async function probeLocalStack(options: ProbeCommandOptions): Promise<ProbeReport> {
  const settings = cliSettings();
  const { startLocalStack } = await import('../local/stack.js');
  const { expectedFromInfra } = await import('../../functions/dependencyProbe/expected-from-infra.js');
  const stack = await startLocalStack({
    config: settings.config,
    clock: systemClock,
    dataDir: resolve('.shotclock/probe'),
    ...(options.project ? { projectId: options.project } : {}),
    // Emulators already running (PUBSUB_EMULATOR_HOST and FIRESTORE_EMULATOR_HOST) are reused.
    ...(settings.env.PUBSUB_EMULATOR_HOST && settings.env.FIRESTORE_EMULATOR_HOST
      ? {
          emulatorHosts: {
            pubsub: settings.env.PUBSUB_EMULATOR_HOST,
            firestore: settings.env.FIRESTORE_EMULATOR_HOST,
          },
        }
      : {}),
  });
  try {
    const expected = expectedFromInfra(stack.topology, stack.urls);
    const targets = expected.functions.flatMap((fn) => (fn.url ? [{ function: fn.name, url: fn.url }] : []));
    return await runDependencyProbe(
      {
        topology: new PubSubBus(stack.pubsub),
        scheduler: configuredSchedulerJobs(settings.config),
        clock: systemClock,
        alerts: stack.backends.alerts,
        projectId: stack.projectId,
      },
      expected,
      targets,
      { scope: options.scope, local: true },
    );
  } finally {
    await stack.stop();
  }
}
