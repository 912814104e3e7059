import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Command } from 'commander';
import { deployPlan, functionUrl, renderPlan } from '../../infra/plan.js';
import { topologyProblems } from '../../infra/invariants.js';
import { monitoringSpec } from '../../infra/monitoring.js';
import { buildTopology } from '../../infra/topology.js';
import { applyPlan } from '../deploy/apply.js';
import { cloudSchedulerJobs } from '../deploy/cloud-scheduler.js';
import { reconcileSchedulerJobs } from '../deploy/scheduler-reconcile.js';
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

async function gcloudValue(args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)('gcloud', args);
  return stdout.trim().split('\n')[0] ?? '';
}

export function register(program: Command): void {
  program
    .command('deploy')
    .description(
      'Print (--plan) or run (--apply) the gcloud commands that deploy the topology derived from the config',
    )
    .requiredOption('--project <id>', 'Google Cloud project')
    .option('--region <region>', 'region for functions and scheduler jobs')
    .option('--plan', 'print the commands in order (default)')
    .option('--apply', 'run them idempotently: describe, then create or update')
    .option('--pause-undeclared', 'pause scheduler jobs that exist but are not declared')
    .action(
      async (options: { project: string; region?: string; apply?: boolean; pauseUndeclared?: boolean }) => {
        const { config } = cliSettings();
        const topology = buildTopology(
          options.region ? { ...config, project: { ...config.project, region: options.region } } : config,
          options.project,
        );
        const bundleHashes: Record<string, string> = {};
        if (options.apply)
          for (const fn of topology.functions) {
            if (!existsSync(join('dist', fn.source)))
              throw new UserError(`dist/${fn.source} is missing: run npm run build before deploy --apply`);
            bundleHashes[fn.source] = hashFolder(join('dist', fn.source));
          }
        const steps = deployPlan(topology, { bundleHashes, monitoring: monitoringSpec(config) });
        const problems = topologyProblems(topology, steps);
        if (problems.length) {
          console.error(`topology is not sound:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
          process.exitCode = 2;
          return;
        }
        if (!options.apply) {
          process.stdout.write(renderPlan(topology, steps));
          return;
        }
        const projectNumber = await gcloudValue([
          'projects',
          'describe',
          topology.project,
          '--format=value(projectNumber)',
        ]);
        // Alert policies name the notification channel, which exists only once the steps before them ran.
        const policies = steps.filter((step) => step.resource.startsWith('alert policy'));
        await applyPlan(
          steps.filter((step) => !policies.includes(step)),
          { variables: { PROJECT_NUMBER: projectNumber } },
        );
        const channel = await gcloudValue([
          'beta',
          'monitoring',
          'channels',
          'list',
          `--project=${topology.project}`,
          '--filter=displayName="shotclock alerts topic"',
          '--format=value(name)',
        ]);
        await applyPlan(policies, { variables: { PROJECT_NUMBER: projectNumber, ALERTS_CHANNEL: channel } });
        const report = await reconcileSchedulerJobs(
          cloudSchedulerJobs(topology.project, topology.region),
          topology.schedulerJobs,
          { pauseUndeclared: options.pauseUndeclared ?? false },
        );
        console.log(`scheduler: ${JSON.stringify(report)}`);
        if (report.undeclared.length)
          console.warn(`scheduler jobs that exist but are not declared: ${report.undeclared.join(', ')}`);
        // The deployed dependency probe asks every function to load its lazy modules and touch its
        // backends, and checks the topology; a red probe fails the deploy.
        const token = await gcloudValue(['auth', 'print-identity-token']);
        const response = await fetch(`${functionUrl(topology, 'dependency-probe')}?format=text`, {
          headers: { authorization: `Bearer ${token}` },
          signal: AbortSignal.timeout(120_000),
        });
        console.log(await response.text());
        if (!response.ok) {
          console.error(`dependency probe answered ${response.status}: the deploy is not healthy`);
          process.exitCode = 1;
        }
      },
    );
}
