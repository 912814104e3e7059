import { createHash } from 'node:crypto';
import type { MonitoringSpec } from './monitoring.js';
import type { Topology } from './topology.js';
import { PUSH_INVOKER, serviceAccountId } from './topology.js';

/**
 * One resource of the deploy, as gcloud commands. `apply` runs `describe`
 * first: missing -> `create`; present and `differs(described)` -> `update`;
 * otherwise nothing. A step without `describe` is idempotent by itself
 * (IAM bindings).
 */
export interface DeployStep {
  phase: string;
  resource: string;
  describe?: string[];
  create: string[];
  update?: string[];
  /** does the described resource differ from what the plan wants? */
  differs?: (described: Record<string, unknown>) => boolean;
  /** for `describe` commands that list (and so succeed when nothing matches): does it exist? */
  exists?: (described: unknown) => boolean;
}

export interface PlanOptions {
  /** log-based metrics, alert policies and their notification channel (infra/monitoring.ts) */
  monitoring?: MonitoringSpec;
  /** hash of each function's bundle folder, so an unchanged function is not redeployed */
  bundleHashes?: Record<string, string>;
  /** pipeline config override deployed with every function (JSON) */
  configOverride?: unknown;
}

const SERVICES = [
  'cloudfunctions.googleapis.com',
  'run.googleapis.com',
  'cloudbuild.googleapis.com',
  'artifactregistry.googleapis.com',
  'pubsub.googleapis.com',
  'cloudscheduler.googleapis.com',
  'firestore.googleapis.com',
  'bigquery.googleapis.com',
  'storage.googleapis.com',
  'secretmanager.googleapis.com',
  'logging.googleapis.com',
  'monitoring.googleapis.com',
];

export function functionUrl(topology: Topology, name: string): string {
  return `https://${topology.region}-${topology.project}.cloudfunctions.net/${name}`;
}

export function serviceAccountEmail(topology: Topology, id: string): string {
  return `${id}@${topology.project}.iam.gserviceaccount.com`;
}

/** Label value that changes whenever what we deploy for a function changes. */
function deployHash(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
}

const labelsOf = (described: Record<string, unknown>) =>
  (described.labels ?? (described.serviceConfig as { labels?: unknown } | undefined)?.labels ?? {}) as Record<
    string,
    string
  >;

export function deployPlan(topology: Topology, options: PlanOptions = {}): DeployStep[] {
  const { project, region } = topology;
  const p = [`--project=${project}`];
  const steps: DeployStep[] = [];
  const pubsubAgent = `serviceAccount:service-\${PROJECT_NUMBER}@gcp-sa-pubsub.iam.gserviceaccount.com`;

  steps.push({
    phase: 'services',
    resource: 'apis',
    create: ['gcloud', 'services', 'enable', ...SERVICES, ...p],
  });

  for (const id of [PUSH_INVOKER, ...topology.serviceAccounts.map((account) => account.id)]) {
    const email = serviceAccountEmail(topology, id);
    const display =
      topology.serviceAccounts.find((account) => account.id === id)?.displayName ?? 'shotclock Pub/Sub push';
    steps.push({
      phase: 'service-accounts',
      resource: `service account ${id}`,
      describe: ['gcloud', 'iam', 'service-accounts', 'describe', email, ...p, '--format=json'],
      create: ['gcloud', 'iam', 'service-accounts', 'create', id, `--display-name=${display}`, ...p],
    });
  }
  for (const account of topology.serviceAccounts)
    for (const role of account.projectRoles)
      steps.push({
        phase: 'iam',
        resource: `${account.id} ${role}`,
        create: [
          'gcloud',
          'projects',
          'add-iam-policy-binding',
          project,
          `--member=serviceAccount:${serviceAccountEmail(topology, account.id)}`,
          `--role=${role}`,
          '--condition=None',
          '--quiet',
        ],
      });

  for (const topic of topology.topics)
    steps.push({
      phase: 'topics',
      resource: `topic ${topic}`,
      describe: ['gcloud', 'pubsub', 'topics', 'describe', topic, ...p, '--format=json'],
      create: ['gcloud', 'pubsub', 'topics', 'create', topic, ...p],
    });
  for (const account of topology.serviceAccounts)
    for (const topic of account.topicPublisher)
      steps.push({
        phase: 'iam',
        resource: `${account.id} publishes ${topic}`,
        create: [
          'gcloud',
          'pubsub',
          'topics',
          'add-iam-policy-binding',
          topic,
          `--member=serviceAccount:${serviceAccountEmail(topology, account.id)}`,
          '--role=roles/pubsub.publisher',
          ...p,
        ],
      });
  for (const account of topology.serviceAccounts) {
    const bucketAccess = [
      ...account.bucketWriter.map((bucket) => ({ bucket, verb: 'writes', role: 'roles/storage.objectUser' })),
      ...account.bucketReader.map((bucket) => ({
        bucket,
        verb: 'reads',
        role: 'roles/storage.objectViewer',
      })),
    ];
    for (const { bucket, verb, role } of bucketAccess)
      steps.push({
        phase: 'iam',
        resource: `${account.id} ${verb} gs://${bucket}`,
        create: [
          'gcloud',
          'storage',
          'buckets',
          'add-iam-policy-binding',
          `gs://${bucket}`,
          `--member=serviceAccount:${serviceAccountEmail(topology, account.id)}`,
          `--role=${role}`,
          ...p,
        ],
      });
    for (const secret of account.secretAccessor)
      steps.push({
        phase: 'iam',
        resource: `${account.id} reads secret ${secret}`,
        create: [
          'gcloud',
          'secrets',
          'add-iam-policy-binding',
          secret,
          `--member=serviceAccount:${serviceAccountEmail(topology, account.id)}`,
          '--role=roles/secretmanager.secretAccessor',
          ...p,
        ],
      });
  }

  for (const fn of topology.functions) {
    const env = {
      GOOGLE_CLOUD_PROJECT: project,
      ...(options.configOverride ? { SHOTCLOCK_CONFIG: JSON.stringify(options.configOverride) } : {}),
    };
    const hash = deployHash({ fn, env, bundle: options.bundleHashes?.[fn.source] ?? 'unbuilt' });
    const secrets = Object.entries(fn.secrets).map(([variable, secret]) => `${variable}=${secret}:latest`);
    steps.push({
      phase: 'functions',
      resource: `function ${fn.name}`,
      describe: [
        'gcloud',
        'functions',
        'describe',
        fn.name,
        '--gen2',
        `--region=${region}`,
        ...p,
        '--format=json',
      ],
      create: [
        'gcloud',
        'functions',
        'deploy',
        fn.name,
        '--gen2',
        `--region=${region}`,
        ...p,
        '--runtime=nodejs22',
        `--source=dist/${fn.source}`,
        `--entry-point=${fn.target}`,
        // Event functions are HTTP-triggered too: Pub/Sub push subscriptions (below) deliver to them,
        // so retry policy, backoff and dead-lettering are ours to set, per subscription.
        '--trigger-http',
        '--no-allow-unauthenticated',
        `--service-account=${serviceAccountEmail(topology, serviceAccountId(fn))}`,
        `--memory=${fn.memory}`,
        `--timeout=${fn.timeoutSeconds}s`,
        `--min-instances=${fn.minInstances}`,
        `--max-instances=${fn.maxInstances}`,
        // `^##^` switches gcloud's list delimiter, so JSON config with commas survives.
        `--set-env-vars=^##^${Object.entries(env)
          .map(([key, value]) => `${key}=${value}`)
          .join('##')}`,
        ...(secrets.length ? [`--set-secrets=${secrets.join(',')}`] : []),
        `--update-labels=shotclock-hash=${hash}`,
        '--quiet',
      ],
      differs: (described) => labelsOf(described)['shotclock-hash'] !== hash,
    });
    steps[steps.length - 1]!.update = steps[steps.length - 1]!.create;
  }
  for (const fn of topology.functions.filter((candidate) => candidate.kind === 'event'))
    steps.push({
      phase: 'iam',
      resource: `${PUSH_INVOKER} invokes ${fn.name}`,
      create: [
        'gcloud',
        'functions',
        'add-invoker-policy-binding',
        fn.name,
        `--region=${region}`,
        `--member=serviceAccount:${serviceAccountEmail(topology, PUSH_INVOKER)}`,
        ...p,
      ],
    });

  for (const subscription of topology.subscriptions) {
    const settings = [
      `--ack-deadline=${subscription.ackDeadlineSeconds}`,
      `--min-retry-delay=${subscription.minBackoffSeconds}s`,
      `--max-retry-delay=${subscription.maxBackoffSeconds}s`,
      ...(subscription.deadLetterTopic
        ? [
            `--dead-letter-topic=${subscription.deadLetterTopic}`,
            `--max-delivery-attempts=${subscription.maxDeliveryAttempts}`,
          ]
        : []),
      ...(subscription.retentionDays ? [`--message-retention-duration=${subscription.retentionDays}d`] : []),
      ...(subscription.pushTo
        ? [
            // The path carries the topic, so the functions framework can tell the CloudEvent's source.
            `--push-endpoint=${functionUrl(topology, subscription.pushTo)}/projects/${project}/topics/${subscription.topic}`,
            `--push-auth-service-account=${serviceAccountEmail(topology, PUSH_INVOKER)}`,
          ]
        : []),
    ];
    steps.push({
      phase: 'subscriptions',
      resource: `subscription ${subscription.name}`,
      describe: ['gcloud', 'pubsub', 'subscriptions', 'describe', subscription.name, ...p, '--format=json'],
      create: [
        'gcloud',
        'pubsub',
        'subscriptions',
        'create',
        subscription.name,
        `--topic=${subscription.topic}`,
        ...settings,
        ...p,
      ],
      update: ['gcloud', 'pubsub', 'subscriptions', 'update', subscription.name, ...settings, ...p],
      differs: (described) => {
        const policy = described.deadLetterPolicy as { deadLetterTopic?: string } | undefined;
        return (
          described.ackDeadlineSeconds !== subscription.ackDeadlineSeconds ||
          (policy?.deadLetterTopic?.split('/').pop() ?? undefined) !== subscription.deadLetterTopic
        );
      },
    });
    if (subscription.deadLetterTopic) {
      steps.push({
        phase: 'iam',
        resource: `Pub/Sub dead-letters from ${subscription.name}`,
        create: [
          'gcloud',
          'pubsub',
          'subscriptions',
          'add-iam-policy-binding',
          subscription.name,
          `--member=${pubsubAgent}`,
          '--role=roles/pubsub.subscriber',
          ...p,
        ],
      });
      steps.push({
        phase: 'iam',
        resource: `Pub/Sub dead-letters into ${subscription.deadLetterTopic}`,
        create: [
          'gcloud',
          'pubsub',
          'topics',
          'add-iam-policy-binding',
          subscription.deadLetterTopic,
          `--member=${pubsubAgent}`,
          '--role=roles/pubsub.publisher',
          ...p,
        ],
      });
    }
  }
  if (options.monitoring) steps.push(...monitoringSteps(topology, options.monitoring));
  return steps;
}

/**
 * The worker-errors rule: a log-based metric per service, a Pub/Sub
 * notification channel on the alerts topic, and an alert policy per metric.
 * `${ALERTS_CHANNEL}` is the channel's resource name, looked up at apply time.
 */
function monitoringSteps(topology: Topology, monitoring: MonitoringSpec): DeployStep[] {
  const p = [`--project=${topology.project}`];
  const steps: DeployStep[] = [];
  const nonEmpty = (described: unknown) => Array.isArray(described) && described.length > 0;
  for (const channel of monitoring.notificationChannels) {
    steps.push({
      phase: 'monitoring',
      resource: `notification channel ${channel.id}`,
      describe: [
        'gcloud',
        'beta',
        'monitoring',
        'channels',
        'list',
        `--filter=displayName="${channel.displayName}"`,
        ...p,
        '--format=json',
      ],
      exists: nonEmpty,
      create: [
        'gcloud',
        'beta',
        'monitoring',
        'channels',
        'create',
        `--display-name=${channel.displayName}`,
        `--type=${channel.type}`,
        `--channel-labels=topic=projects/${topology.project}/topics/${channel.topic}`,
        ...p,
      ],
    });
    steps.push({
      phase: 'monitoring',
      resource: `Monitoring publishes to ${channel.topic}`,
      create: [
        'gcloud',
        'pubsub',
        'topics',
        'add-iam-policy-binding',
        channel.topic,
        `--member=serviceAccount:service-\${PROJECT_NUMBER}@gcp-sa-monitoring-notification.iam.gserviceaccount.com`,
        '--role=roles/pubsub.publisher',
        ...p,
      ],
    });
  }
  for (const metric of monitoring.logMetrics)
    steps.push({
      phase: 'monitoring',
      resource: `log metric ${metric.name}`,
      describe: ['gcloud', 'logging', 'metrics', 'describe', metric.name, ...p, '--format=json'],
      create: [
        'gcloud',
        'logging',
        'metrics',
        'create',
        metric.name,
        `--description=${metric.description}`,
        `--log-filter=${metric.filter}`,
        ...p,
      ],
      update: ['gcloud', 'logging', 'metrics', 'update', metric.name, `--log-filter=${metric.filter}`, ...p],
      differs: (described) => described.filter !== metric.filter,
    });
  for (const policy of monitoring.alertPolicies) {
    const body = {
      displayName: policy.displayName,
      combiner: 'OR',
      severity: policy.severity,
      documentation: { content: policy.documentation, mimeType: 'text/markdown' },
      alertStrategy: { autoClose: `${policy.autoCloseSeconds}s` },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a placeholder apply fills in, not a template
      notificationChannels: policy.notificationChannels.map(() => '${ALERTS_CHANNEL}'),
      conditions: [
        {
          displayName: policy.displayName,
          conditionThreshold: {
            filter: policy.filter,
            comparison: policy.comparison,
            thresholdValue: policy.threshold,
            duration: `${policy.durationSeconds}s`,
            aggregations: [
              { alignmentPeriod: `${policy.alignmentPeriodSeconds}s`, perSeriesAligner: policy.aligner },
            ],
          },
        },
      ],
    };
    steps.push({
      phase: 'monitoring',
      resource: `alert policy ${policy.metric}`,
      describe: [
        'gcloud',
        'alpha',
        'monitoring',
        'policies',
        'list',
        `--filter=displayName="${policy.displayName}"`,
        ...p,
        '--format=json',
      ],
      exists: nonEmpty,
      create: [
        'gcloud',
        'alpha',
        'monitoring',
        'policies',
        'create',
        `--policy=${JSON.stringify(body)}`,
        ...p,
      ],
    });
  }
  return steps;
}

function quote(argument: string): string {
  return /^[A-Za-z0-9_./:=@%+,^#-]+$/.test(argument) ? argument : `'${argument.replace(/'/g, `'\\''`)}'`;
}

export function renderCommand(argv: string[]): string {
  return argv.map(quote).join(' ');
}

/** The plan as a person reads it: commands in order, grouped by phase, scheduler jobs last. */
export function renderPlan(topology: Topology, steps: DeployStep[]): string {
  const lines: string[] = [
    `# shotclock deploy plan: project ${topology.project}, region ${topology.region}`,
    '# PROJECT_NUMBER=$(gcloud projects describe ' + topology.project + ' --format="value(projectNumber)")',
  ];
  let phase = '';
  for (const step of steps) {
    if (step.phase !== phase) {
      phase = step.phase;
      lines.push('', `# ${phase}`);
    }
    lines.push(renderCommand(step.create));
  }
  lines.push(
    '',
    '# scheduler jobs (reconciled through the Cloud Scheduler API: create, update, pause, report extras)',
  );
  for (const job of topology.schedulerJobs)
    lines.push(
      `# job ${job.id}: "${job.cron}" ${job.timeZone} -> topic ${job.topic} ${JSON.stringify(job.body)} (retries ${job.retry.retryCount})`,
    );
  lines.push(
    '',
    '# after apply: shotclock probe against the deployed functions; a red probe fails the deploy',
  );
  return `${lines.join('\n')}\n`;
}
