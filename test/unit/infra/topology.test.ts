import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { topologyProblems } from '../../../infra/invariants.js';
import { monitoringSpec } from '../../../infra/monitoring.js';
import { deployPlan, renderPlan } from '../../../infra/plan.js';
import { buildTopology } from '../../../infra/topology.js';
import { loadPipelineConfig } from '../../../shared/config/load.js';
import { planFor } from '../../../scripts/cli/deploy-command.js';

const config = loadPipelineConfig();

describe('topology derived from the default NBA pipeline', () => {
  const topology = buildTopology(config);
  const steps = deployPlan(topology, { monitoring: monitoringSpec(config) });

  it('holds every invariant: published topics exist, subscriptions dead-letter, jobs hit read topics, nothing public', () => {
    expect(topologyProblems(topology, steps)).toEqual([]);
  });

  it('subscribes the transition function to every phase it watches, and the tick', () => {
    const pushed = topology.subscriptions.filter((s) => s.pushTo === 'phase-transition').map((s) => s.topic);
    expect(pushed.sort()).toEqual(
      [
        'nba-phase2-raw-complete',
        'nba-phase3-analytics-complete',
        'nba-phase4-precompute-complete',
        'shotclock-tick',
      ].sort(),
    );
  });

  it('gives every function subscription its own dead-letter topic with 5 delivery attempts', () => {
    const fromFunctions = topology.subscriptions.filter((s) => s.pushTo && !s.topic.endsWith('-dlq'));
    for (const subscription of fromFunctions.filter((s) => s.topic !== config.topics.dead_letter)) {
      expect(subscription.deadLetterTopic).toBe(`${subscription.name}-dlq`);
      expect(subscription.maxDeliveryAttempts).toBe(5);
      expect(topology.topics).toContain(subscription.deadLetterTopic);
    }
  });

  it('deploys every function on nodejs22, private, under its own service account', () => {
    const deploys = steps.filter((step) => step.resource.startsWith('function ')).map((step) => step.create);
    expect(deploys).toHaveLength(topology.functions.length);
    for (const argv of deploys) {
      expect(argv).toContain('--runtime=nodejs22');
      expect(argv).toContain('--no-allow-unauthenticated');
    }
    expect(new Set(topology.serviceAccounts.map((account) => account.id)).size).toBe(
      topology.functions.length,
    );
  });

  it('passes the Slack webhook by Secret Manager reference, never as a value', () => {
    const phaseTransition = steps.find((step) => step.resource === 'function phase-transition')!.create;
    expect(phaseTransition).toContain('--set-secrets=SLACK_WEBHOOK_URL=shotclock-slack-webhook:latest');
    expect(phaseTransition.join(' ')).not.toMatch(/hooks\.slack\.com/);
  });

  it('renders the checked-in plan (test/golden/deploy-plan.txt); regenerate with `shotclock deploy --plan` when it changes on purpose', () => {
    const golden = readFileSync('test/golden/deploy-plan.txt', 'utf8');
    const plan = planFor(config, config.project.id);
    expect(renderPlan(plan.topology, plan.steps, config.take_over)).toBe(golden);
  });

  it('prints a script bash accepts, with every variable it uses defined before use', () => {
    const plan = planFor(config, config.project.id);
    const script = renderPlan(plan.topology, plan.steps, config.take_over);
    expect(spawnSync('bash', ['-n'], { input: script }).status).toBe(0);
    const defined = new Set(['PROJECT', 'REGION', 'PROJECT_NUMBER', 'WORK', 'TAKE_OVER']);
    for (const line of script.split('\n')) {
      for (const [, name] of line.matchAll(/\$\{([A-Z0-9_]+)\}/g))
        expect(defined, `${name} in: ${line.slice(0, 120)}`).toContain(name);
      for (const [, name] of line.matchAll(/^\s*([A-Z][A-Z0-9_]*)=/g)) defined.add(name!);
      for (const [, name] of line.matchAll(/ ([A-Z][A-Z0-9_]*)="\$\(/g)) defined.add(name!);
    }
    // No shell variable sits inside single quotes, where it would not expand.
    expect(script).not.toMatch(/'[^'\n]*\$\{[A-Z_]+\}[^'\n]*'/);
  });
});

describe('invariants catch a broken topology', () => {
  it('names a published topic that is not declared, a subscription without dead letters, a job nobody reads, a public function', () => {
    const topology = buildTopology(config);
    topology.topics = topology.topics.filter((topic) => topic !== 'nba-phase4-trigger');
    const sub = topology.subscriptions.find(
      (s) => s.name === 'record-count-check--nba-phase3-analytics-complete',
    )!;
    delete sub.deadLetterTopic;
    topology.schedulerJobs.push({ ...topology.schedulerJobs[0]!, id: 'orphan', topic: 'nobody-reads-this' });
    topology.topics.push('nobody-reads-this');
    const steps = deployPlan(topology);
    steps.find((step) => step.resource === 'function status-page')!.create.push('--allow-unauthenticated');
    steps
      .find((step) => step.resource === 'function status-page')!
      .create.splice(
        steps
          .find((step) => step.resource === 'function status-page')!
          .create.indexOf('--no-allow-unauthenticated'),
        1,
      );
    const problems = topologyProblems(topology, steps);
    expect(problems).toEqual(
      expect.arrayContaining([
        'phase-transition publishes to nba-phase4-trigger, which is not declared',
        'subscription record-count-check--nba-phase3-analytics-complete has no dead-letter topic',
        'scheduler job orphan targets nobody-reads-this, which nobody reads',
        'function status-page is deployed without --no-allow-unauthenticated',
      ]),
    );
  });

  it('follows the config: a new transition output topic appears with its publisher rights', () => {
    const custom = loadPipelineConfig({
      transitions: [
        ...config.transitions.slice(0, 2),
        { ...config.transitions[2]!, output: { topic: 'my-predictions-ready', shape: 'phase_ready' } },
      ],
      freshness_gate: { wake_topic: 'my-predictions-ready' },
    });
    const topology = buildTopology(custom);
    expect(topology.topics).toContain('my-predictions-ready');
    expect(topology.topics).not.toContain('shotclock-predictions-ready');
    const account = topology.serviceAccounts.find((a) => a.id === 'sc-phase-transition')!;
    expect(account.topicPublisher).toContain('my-predictions-ready');
    expect(topologyProblems(topology, deployPlan(topology))).toEqual([]);
  });
});
