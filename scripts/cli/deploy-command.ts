import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { topologyProblems } from '../../infra/invariants.js';
import { monitoringSpec } from '../../infra/monitoring.js';
import { deployPlan, type PlanOptions, renderPlan } from '../../infra/plan.js';
import { buildTopology } from '../../infra/topology.js';
import { bigQuerySpec } from '../../infra/bigquery.js';
import { firestoreTtlPolicies } from '../../infra/firestore-ttl.js';
import { datasetsFromSpec } from '../../infra/warehouse-access.js';
import type { PipelineConfig } from '../../shared/config/schema.js';
import { ApplyStopped } from '../deploy/apply.js';
import { runDeploy } from '../deploy/run-deploy.js';
import { cliSettings } from './settings.js';
import { UserError } from './user-error.js';

function hashFolder(folder: string): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else hash.update(name).update(readFileSync(path));
    }
  };
  walk(folder);
  return hash.digest('hex').slice(0, 16);
}

/** The topology and the steps, for `--plan` and `--apply` alike. */
export function planFor(
  config: PipelineConfig,
  project: string,
  options: Omit<PlanOptions, 'monitoring' | 'datasets' | 'ttlPolicies'> = {},
) {
  const topology = buildTopology(config, project);
  const steps = deployPlan(topology, {
    ...options,
    monitoring: monitoringSpec(config),
    datasets: datasetsFromSpec(bigQuerySpec(config), topology.functions),
    ttlPolicies: firestoreTtlPolicies(config.collections).map((policy) => ({
      collectionGroup: policy.collection,
      field: policy.field,
    })),
  });
  return { topology, steps };
}

interface DeployOptions {
  project: string;
  region?: string;
  plan?: boolean;
  apply?: boolean;
  takeOver?: boolean;
  giveBack?: boolean;
  slackWebhookFile?: string;
  statusViewer: string[];
  gateOverrider: string[];
}

const collect = (value: string, previous: string[]) => [...previous, value];
/** `someone@example.com` is a user; `group:…` / `user:…` are taken as IAM writes them. */
const member = (value: string) => {
  if (/^(user|group):[^@\s]+@[^@\s]+$/.test(value)) return value;
  if (/^[^@\s:]+@[^@\s]+$/.test(value)) return `user:${value}`;
  throw new UserError(`deploy: ${value} is not an email (or user:/group: followed by one)`);
};

const usage = (message: string): never => {
  throw new UserError(`deploy: ${message}`);
};

export function register(program: Command): void {
  program
    .command('deploy')
    .description(
      'Print (--plan, a runnable shell script) or run (--apply) the deploy of the topology derived from the config',
    )
    .requiredOption('--project <id>', 'Google Cloud project')
    .option('--region <region>', 'region for functions and scheduler jobs')
    .option('--plan', 'print the deploy as a shell script (default)')
    .option(
      '--apply',
      'run it: read what exists, create or update only what differs, end with the deployed probe',
    )
    .option(
      '--take-over',
      "pause / detach the incumbent's parts shotclock replaces (listed in config take_over); with --plan, the script does it by default",
    )
    .option(
      '--give-back',
      "resume / re-attach the incumbent's parts taken over; with --plan, the script's last section",
    )
    .option('--slack-webhook-file <file>', 'file holding the Slack webhook URL, stored as the secret value')
    .option(
      '--status-viewer <email>',
      'a person (or group:…) who may open the status page (repeatable)',
      collect,
      [],
    )
    .option(
      '--gate-overrider <email>',
      'a person who may check and override the freshness gate (repeatable)',
      collect,
      [],
    )
    .action(async (options: DeployOptions) => {
      if (options.takeOver && options.giveBack)
        return usage('--take-over and --give-back exclude each other');
      if (options.slackWebhookFile && !existsSync(options.slackWebhookFile))
        return usage(`--slack-webhook-file ${options.slackWebhookFile}: no such file`);
      const { config } = cliSettings();
      const merged = options.region
        ? { ...config, project: { ...config.project, region: options.region } }
        : config;
      const secret = config.alerts.slack_webhook_secret;
      const bundleHashes: Record<string, string> = {};
      // The bundles gcloud uploads (`--source=dist/<function>`, relative to where it runs: here), one per
      // function the topology deploys; never a scan of the sources, which an installed command has not got.
      if (options.apply)
        for (const source of [
          ...new Set(buildTopology(merged, options.project).functions.map((fn) => fn.source)),
        ]) {
          if (!existsSync(join('dist', source)))
            throw new UserError(`dist/${source} is missing: run npm run build before deploy --apply`);
          bundleHashes[source] = hashFolder(join('dist', source));
        }
      const people = {
        statusViewers: options.statusViewer.map(member),
        // The gate checks the email in the caller's ID token: a person, not a group.
        gateOverriders: options.gateOverrider.map((value) =>
          value.startsWith('group:')
            ? usage(
                `--gate-overrider ${value}: name people (the gate checks the email of the caller's ID token)`,
              )
            : member(value),
        ),
      };
      const { topology, steps } = planFor(merged, options.project, {
        bundleHashes,
        people,
        ...(secret && options.slackWebhookFile
          ? {
              secretValueFiles: {
                [secret]: {
                  path: resolve(options.slackWebhookFile),
                  content: readFileSync(options.slackWebhookFile, 'utf8'),
                },
              },
            }
          : {}),
      });
      const problems = topologyProblems(topology, steps);
      if (problems.length) {
        console.error(`topology is not sound:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
        process.exitCode = 2;
        return;
      }
      if (!options.apply) {
        const mode = options.takeOver ? 'take-over' : options.giveBack ? 'give-back' : undefined;
        process.stdout.write(renderPlan(topology, steps, config.take_over, mode));
        return;
      }
      try {
        const result = await runDeploy({
          topology,
          steps,
          takeOver: config.take_over,
          mode: { takeOver: options.takeOver ?? false, giveBack: options.giveBack ?? false },
        });
        const changed = result.outcomes.filter(
          (outcome) => !['unchanged', 'defined', 'differs'].includes(outcome.action),
        );
        const differing = result.outcomes.filter((outcome) => outcome.action === 'differs');
        console.log(
          `${changed.length} change(s); ${result.outcomes.length - changed.length - differing.length} resource(s) already as declared` +
            (differing.length ? `; ${differing.length} differ(s) and left as is` : ''),
        );
        for (const outcome of differing)
          console.error(`${outcome.resource} is left as is: ${(outcome.detail ?? []).join('; ')}`);
        console.log(result.probe.body.trimEnd());
        if (result.probe.status !== 200) {
          console.error(`dependency probe answered ${result.probe.status}: the deploy is not healthy`);
          process.exitCode = 1;
        }
      } catch (error) {
        if (!(error instanceof ApplyStopped)) throw error;
        console.error(`deploy stopped at ${error.resource}: ${error.reason}`);
        console.error('what was done stays done: run the same command again to continue from here');
        process.exitCode = error.exitCode;
      }
    });
}
