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
import { buildTopology } from '../../infra/topology.js';
import { loadPipelineConfig } from '../../shared/config/load.js';
import type { ProbeCheck } from '../../shared/probe/probe-answer.js';
import {
  DEFAULT_LOCAL_DATA,
  describeStack,
  emulatorAnswers,
  findLocalStack,
  onEmulatorsOnly,
  type StackRecord,
} from '../local/stack-record.js';
import { topologyFromConfig } from '../../shared/probe/expected-topology.js';
import type { ProbeScope } from '../../shared/probe/probe-request.js';
import { configuredSchedulerJobs } from '../../shared/probe/scheduler-jobs.port.js';
import { cliSettings } from './settings.js';
import { UserError } from './user-error.js';

interface ProbeCommandOptions {
  function: string[];
  data: string;
  project?: string;
  scope: ProbeScope;
  report?: string;
  json?: boolean;
}

/**
 * `shotclock probe`: the dependency probe against a local stack. The stack `shotclock local up`
 * runs (found by its record in the data folder) is probed in place; a stack that was started and
 * whose process is gone is red. With no stack up, it starts one for the probe and stops it after.
 * With `--function name=url` it probes those functions on the emulators of PUBSUB_EMULATOR_HOST.
 * Says which it probed; exits 1 when any check is red.
 */
export function register(program: Command): void {
  program
    .command('probe')
    .description(
      'Probe every function (env, lazy modules, backends) and the topology of the running `local up` stack (red when it died; with none, one started for the probe); exit 1 when red',
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
    .option('--data <dir>', 'data folder of the `local up` stack to probe', DEFAULT_LOCAL_DATA)
    .action(async (options: ProbeCommandOptions) => {
      // What is probed, in one line (stderr with --json, so stdout stays one JSON document).
      const say = (line: string) => (options.json ? console.error(line) : console.log(line));
      const report = await probeTarget(options, say);
      if (options.report) {
        mkdirSync(dirname(resolve(options.report)), { recursive: true });
        writeFileSync(options.report, `${JSON.stringify(report, null, 2)}\n`);
      }
      console.log(options.json ? JSON.stringify(report, null, 2) : summarizeProbe(report));
      process.exitCode = report.status === 'green' ? 0 : 1;
    });
}

async function probeTarget(options: ProbeCommandOptions, say: (line: string) => void): Promise<ProbeReport> {
  if (options.function.length > 0) {
    say(`probing ${options.function.length} function(s) given with --function`);
    return probeRunning(options);
  }
  const found = findLocalStack(resolve(options.data));
  if (found.state === 'running') {
    say(`probing ${describeStack(found.record)}`);
    return probeRecordedStack(found.record, options);
  }
  if (found.state === 'down') {
    say(`probing ${describeStack(found.record)}: its process is gone`);
    return redReport([
      {
        check: 'local-stack',
        status: 'red',
        latency_ms: 0,
        detail: `pid ${found.record.pid} is not running: start the stack again with shotclock local up (shotclock local down clears what it left)`,
      },
    ]);
  }
  say(`no local stack is running (no ${found.file}): probing a stack started for this probe, stopped after`);
  return probeLocalStack(options);
}

function redReport(checks: ProbeCheck[]): ProbeReport {
  const now = new Date().toISOString();
  return { started_at: now, finished_at: now, duration_ms: 0, status: 'red', checks };
}

/** The stack `local up` serves: its emulators, its function URLs, the topology of its config. */
async function probeRecordedStack(record: StackRecord, options: ProbeCommandOptions): Promise<ProbeReport> {
  const emulators = Object.entries(record.env).filter(([key]) => key.endsWith('_EMULATOR_HOST'));
  const silent = [];
  for (const [key, host] of emulators)
    if (!(await emulatorAnswers(host)))
      silent.push({
        check: `local-stack:${key}`,
        status: 'red' as const,
        latency_ms: 0,
        detail: `the emulator at ${host} does not answer: restart the stack (shotclock local down, then local up)`,
      });
  if (silent.length > 0 || !record.env.PUBSUB_EMULATOR_HOST) return redReport(silent);
  const config = loadPipelineConfig(record.override);
  onEmulatorsOnly();
  const pubsub = new PubSub({
    projectId: record.projectId,
    apiEndpoint: record.env.PUBSUB_EMULATOR_HOST,
    emulatorMode: true,
  });
  try {
    const { expectedFromInfra } = await import('../../functions/dependencyProbe/expected-from-infra.js');
    const expected = expectedFromInfra(buildTopology(config, record.projectId), record.urls);
    const targets = expected.functions.flatMap((fn) => (fn.url ? [{ function: fn.name, url: fn.url }] : []));
    return await runDependencyProbe(
      {
        topology: new PubSubBus(pubsub),
        scheduler: configuredSchedulerJobs(config),
        clock: systemClock,
        projectId: record.projectId,
      },
      expected,
      targets,
      { scope: options.scope, local: true },
    );
  } finally {
    await pubsub.close();
  }
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
