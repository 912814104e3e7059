import type { PipelineConfig } from '../shared/config/schema.js';

/**
 * The deployable functions, derived from the pipeline config: what triggers
 * each one, what it publishes, which backends it touches. Roles, subscriptions
 * and the deploy plan are all computed from this list.
 */
export interface FunctionSpec {
  /** Cloud Functions name (kebab-case) */
  name: string;
  /** entry point registered with the functions framework */
  target: string;
  /** folder under functions/ (and dist/) holding the bundle */
  source: string;
  /** `event`: Pub/Sub push to a CloudEvent function; `http`: called by people or the probe */
  kind: 'event' | 'http';
  triggers: string[];
  publishes: string[];
  firestore: boolean;
  bigquery: 'none' | 'read' | 'write';
  /** buckets written */
  buckets: string[];
  /** buckets only read */
  bucketsRead: string[];
  /** env var -> Secret Manager secret name */
  secrets: Record<string, string>;
  memory: string;
  timeoutSeconds: number;
  minInstances: number;
  maxInstances: number;
}

const unique = (values: string[]) => [...new Set(values)];

export function functionSpecs(config: PipelineConfig): FunctionSpec[] {
  const { topics } = config;
  const phaseTopic = new Map(config.phases.map((phase) => [phase.id, phase.completion_topic]));
  const transitionInputs = unique(config.transitions.map((transition) => phaseTopic.get(transition.from)!));
  const transitionOutputs = unique(
    config.transitions.flatMap((transition) => transition.output?.topic ?? []),
  );
  const recordCountInputs = unique(config.record_count.phases.map((phase) => phaseTopic.get(phase)!));
  const slack: Record<string, string> = config.alerts.slack_webhook_secret
    ? { SLACK_WEBHOOK_URL: config.alerts.slack_webhook_secret }
    : {};
  const alerting = [topics.alerts, topics.dead_letter];
  const base = {
    memory: '256Mi',
    timeoutSeconds: 60,
    minInstances: 0,
    maxInstances: 10,
    buckets: [],
    bucketsRead: [],
  };
  const specs: FunctionSpec[] = [
    {
      ...base,
      name: 'phase-transition',
      target: 'phaseTransition',
      source: 'phaseTransition',
      kind: 'event',
      triggers: [...transitionInputs, topics.tick],
      publishes: unique([...transitionOutputs, ...alerting]),
      firestore: true,
      bigquery: 'read',
      secrets: slack,
    },
    {
      ...base,
      name: 'record-count-check',
      target: 'recordCountCheck',
      source: 'recordCountCheck',
      kind: 'event',
      triggers: [...recordCountInputs, topics.tick],
      publishes: unique([config.record_count.rerun_topic, ...alerting]),
      firestore: true,
      bigquery: 'read',
      secrets: slack,
    },
    {
      ...base,
      name: 'freshness-gate',
      target: 'freshnessGate',
      source: 'freshnessGate',
      kind: 'event',
      triggers: [config.freshness_gate.wake_topic, topics.tick],
      publishes: unique([config.freshness_gate.output_topic, topics.gate_decisions, ...alerting]),
      firestore: true,
      bigquery: 'read',
      secrets: slack,
    },
    {
      ...base,
      name: 'live-grading-export',
      target: 'liveGradingExport',
      source: 'liveGradingExport',
      kind: 'event',
      memory: '512Mi',
      timeoutSeconds: 300,
      maxInstances: 2,
      triggers: [topics.tick],
      publishes: alerting,
      firestore: true,
      bigquery: 'write',
      buckets: [config.grading.bucket],
      secrets: slack,
    },
    {
      ...base,
      name: 'alert-monitor',
      target: 'alertMonitor',
      source: 'alertMonitor',
      kind: 'event',
      triggers: [topics.tick, topics.dead_letter, topics.monitoring_incidents],
      publishes: alerting,
      firestore: true,
      bigquery: 'read',
      secrets: slack,
    },
    {
      ...base,
      name: 'dependency-probe',
      target: 'dependencyProbe',
      source: 'dependencyProbe',
      kind: 'http',
      triggers: [],
      publishes: alerting,
      firestore: true,
      bigquery: 'read',
      bucketsRead: [config.grading.bucket],
      secrets: slack,
    },
    {
      ...base,
      name: 'status-page',
      target: 'statusPage',
      source: 'statusPage',
      kind: 'http',
      memory: '512Mi',
      triggers: [],
      publishes: [],
      firestore: true,
      bigquery: 'none',
      bucketsRead: [config.grading.bucket],
      secrets: {},
    },
    {
      ...base,
      name: 'health',
      target: 'health',
      source: 'health',
      kind: 'http',
      triggers: [],
      publishes: [],
      firestore: false,
      bigquery: 'none',
      secrets: {},
    },
  ];
  // Some bundles serve two entry points, deployed as two functions: the same code and rights,
  // one behind Pub/Sub push and one called over HTTP (people, the probe, on-demand runs).
  const twins: Array<[source: string, name: string, target: string, kind: FunctionSpec['kind']]> = [
    ['freshness-gate', 'freshness-gate-http', 'freshnessGateHttp', 'http'],
    ['live-grading-export', 'live-grading-export-http', 'liveGradingExportHttp', 'http'],
    ['dependency-probe', 'dependency-probe-tick', 'dependencyProbeTick', 'event'],
  ];
  for (const [of, name, target, kind] of twins) {
    const spec = specs.find((candidate) => candidate.name === of)!;
    specs.splice(specs.indexOf(spec) + 1, 0, {
      ...spec,
      name,
      target,
      kind,
      triggers: kind === 'event' ? [topics.tick] : [],
    });
  }
  return specs;
}
