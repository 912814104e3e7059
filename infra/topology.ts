import type { PipelineConfig } from '../shared/config/schema.js';
import { type FunctionSpec, functionSpecs } from './functions.js';

/**
 * The whole Google Cloud topology as data, derived from the pipeline config.
 * `deploy --plan` renders it as gcloud commands; the local stack creates the
 * same topics and subscriptions on the emulators; the probe checks it.
 */
export interface SubscriptionSpec {
  name: string;
  topic: string;
  /** function name it pushes to; undefined for a pull subscription */
  pushTo?: string;
  deadLetterTopic?: string;
  maxDeliveryAttempts: number;
  ackDeadlineSeconds: number;
  minBackoffSeconds: number;
  maxBackoffSeconds: number;
  /** message retention for pull subscriptions people read by hand */
  retentionDays?: number;
}

export interface SchedulerJobSpec {
  id: string;
  description: string;
  cron: string;
  timeZone: string;
  topic: string;
  /** JSON body of the tick message */
  body: { job: string; target_date?: string };
  retry: { retryCount: number; minBackoffSeconds: number; maxBackoffSeconds: number };
}

export interface ServiceAccountSpec {
  /** account id (the part before @) */
  id: string;
  displayName: string;
  projectRoles: string[];
  topicPublisher: string[];
  /** functions this account calls over HTTP (Cloud Run invoker on each, nothing project-wide) */
  invokes: string[];
  bucketWriter: string[];
  bucketReader: string[];
  secretAccessor: string[];
}

export interface Topology {
  project: string;
  region: string;
  topics: string[];
  subscriptions: SubscriptionSpec[];
  functions: FunctionSpec[];
  schedulerJobs: SchedulerJobSpec[];
  serviceAccounts: ServiceAccountSpec[];
  /** the account Pub/Sub push uses to call functions (OIDC), the only invoker of event functions */
  pushInvoker: string;
  /** the account Cloud Build runs function builds as (new projects no longer lend theirs) */
  buildServiceAccount: string;
  /** the objects shotclock writes in the export bucket start with this */
  exportPrefix: string;
  /** topics that no one inside shotclock consumes: the pipeline's own processors subscribe to them */
  externallyConsumed: string[];
}

export const PUSH_INVOKER = 'shotclock-push-invoker';
/**
 * The secret holding the incumbent push configs take-over detached (a JSON object by subscription),
 * kept by `deploy --apply` and by the printed plan alike.
 */
export const TAKE_OVER_SECRET = 'shotclock-take-over';
export const BUILD_SERVICE_ACCOUNT = 'shotclock-build';

/** Pub/Sub allows at most 600 s; a push is acknowledged by the function's answer, so wait as long as it may run. */
export function ackDeadlineFor(fn: Pick<FunctionSpec, 'timeoutSeconds'> | undefined, floor: number): number {
  return Math.min(600, Math.max(floor, fn?.timeoutSeconds ?? 0));
}

export function serviceAccountId(fn: Pick<FunctionSpec, 'name'>): string {
  return `sc-${fn.name}`.slice(0, 30);
}

export function deadLetterTopicFor(subscription: string): string {
  return `${subscription}-dlq`;
}

export function buildTopology(config: PipelineConfig, project = config.project.id): Topology {
  const functions = functionSpecs(config);
  const { delivery } = config;
  const subscriptionDefaults = {
    maxDeliveryAttempts: delivery.max_delivery_attempts,
    ackDeadlineSeconds: delivery.ack_deadline_seconds,
    minBackoffSeconds: delivery.min_backoff_seconds,
    maxBackoffSeconds: delivery.max_backoff_seconds,
  };

  const subscriptions: SubscriptionSpec[] = [];
  for (const fn of functions)
    for (const topic of fn.triggers) {
      const name = `${fn.name}--${topic}`;
      // The terminal dead-letter topic has nowhere further to go: its readers ack everything.
      const terminal = topic === config.topics.dead_letter;
      subscriptions.push({
        ...subscriptionDefaults,
        ackDeadlineSeconds: ackDeadlineFor(fn, delivery.ack_deadline_seconds),
        name,
        topic,
        pushTo: fn.name,
        ...(terminal ? {} : { deadLetterTopic: deadLetterTopicFor(name) }),
      });
    }
  // Each dead-letter topic gets a monitor subscription that keeps what landed there for a person to read,
  // and forwards nothing: the alert monitor counts it through the terminal topic's alerts.
  for (const subscription of [...subscriptions])
    if (subscription.deadLetterTopic)
      subscriptions.push({
        ...subscriptionDefaults,
        name: `${subscription.deadLetterTopic}-monitor`,
        topic: subscription.deadLetterTopic,
        pushTo: 'alert-monitor',
        deadLetterTopic: config.topics.dead_letter,
      });
  subscriptions.push({
    ...subscriptionDefaults,
    name: `${config.topics.dead_letter}-archive`,
    topic: config.topics.dead_letter,
    retentionDays: 7,
  });

  const externallyConsumed = [
    config.record_count.rerun_topic,
    config.freshness_gate.output_topic,
    config.topics.alerts,
    config.topics.gate_decisions,
    ...config.transitions
      .filter((transition) => transition.output?.shape === 'phase4_trigger')
      .map((transition) => transition.output!.topic),
  ];
  const topics = [
    ...new Set([
      ...functions.flatMap((fn) => [...fn.triggers, ...fn.publishes]),
      ...config.phases.map((phase) => phase.completion_topic),
      ...externallyConsumed,
      ...subscriptions.flatMap((subscription) => subscription.deadLetterTopic ?? []),
      ...config.schedules.map((job) => job.topic),
    ]),
  ].sort();

  const schedulerJobs: SchedulerJobSpec[] = config.schedules.map((job) => ({
    id: job.id,
    description: job.description,
    cron: job.cron,
    timeZone: job.time_zone,
    topic: job.topic,
    body: { job: job.id, ...(job.target_date ? { target_date: job.target_date } : {}) },
    retry: { retryCount: 3, minBackoffSeconds: 10, maxBackoffSeconds: 300 },
  }));

  // Project-level roles only where Google offers nothing narrower (see infra/allowed-bindings.ts);
  // dataset, topic, bucket, secret and invoker rights are granted on each resource by the plan.
  // Logs need no role: Cloud Run collects what a function writes to stdout.
  const serviceAccounts: ServiceAccountSpec[] = functions.map((fn) => ({
    id: serviceAccountId(fn),
    displayName: `shotclock ${fn.name}`,
    projectRoles: [
      ...(fn.firestore ? ['roles/datastore.user'] : []),
      ...(fn.bigquery !== 'none' ? ['roles/bigquery.jobUser'] : []),
      // The probe reads the topology and calls every function's probe endpoint.
      ...(fn.source === 'dependencyProbe'
        ? ['roles/pubsub.viewer', 'roles/cloudscheduler.viewer', 'roles/cloudfunctions.viewer']
        : []),
    ],
    invokes:
      fn.source === 'dependencyProbe'
        ? functions.filter((other) => other.source !== 'dependencyProbe').map((other) => other.name)
        : [],
    topicPublisher: fn.publishes,
    bucketWriter: fn.buckets,
    bucketReader: fn.bucketsRead,
    secretAccessor: Object.values(fn.secrets),
  }));

  return {
    project,
    region: config.project.region,
    topics,
    subscriptions,
    functions,
    schedulerJobs,
    serviceAccounts,
    pushInvoker: PUSH_INVOKER,
    buildServiceAccount: BUILD_SERVICE_ACCOUNT,
    exportPrefix: config.grading.path_prefix,
    externallyConsumed,
  };
}
