import { createHash } from 'node:crypto';
import type { IamGrant, RestRead } from './google-resources.js';
import type { MonitoringSpec } from './monitoring.js';
import type { Topology } from './topology.js';
import { PUSH_INVOKER, serviceAccountId } from './topology.js';
import type { DatasetSpec } from './warehouse-access.js';

/**
 * One resource of the deploy. `--apply` reads it (`read`, a REST GET); missing (404) -> `create`;
 * present and `drift` names settings that differ -> `update`; otherwise nothing. The printed
 * script does the same with `describe`. Commands may name `${VARIABLES}` defined earlier in the
 * plan (the project number, URLs read back from deployed functions, the alerts channel).
 */
export interface DeployStep {
  phase: string;
  resource: string;
  /** the gcloud command a person runs to see whether it exists (NOT_FOUND = missing) */
  describe?: string[];
  read?: RestRead;
  create: string[];
  update?: string[];
  /** the declared settings that differ from what exists (empty: nothing to do) */
  drift?: (current: Record<string, unknown>, variables: Record<string, string>) => string[];
  /** a role on a resource: read its policy, add the binding only when it is missing */
  grant?: IamGrant;
  /** this step defines a variable: `create` prints it, `read` + `pick` give it to apply */
  defines?: { name: string; pick: (answer: Record<string, unknown>) => string | undefined };
  /** files the commands read, written first (the script writes them with a here-document) */
  files?: Record<string, string>;
  /** errors that mean "not propagated yet": retried with bounded polling, up to `seconds` */
  /**
   * Google says `says` (in its error) while something this step needs is still propagating: the step
   * is tried again for up to `seconds` (by apply, and by the printed script's `waiting_for`).
   */
  waitsFor?: { says: string; what: string; seconds: number };
  /**
   * For the printed script: a read that prints something (`asDeclaredValue`, when given) when the
   * resource is already as declared, so the script leaves it alone.
   */
  asDeclared?: string[];
  asDeclaredValue?: string;
  /** when the resource is missing and is not ours to create: the message, and the step is skipped */
  mustExist?: string;
  /** a missing `mustExist` resource stops the deploy (later steps need it) instead of being skipped */
  blocking?: boolean;
  /** creation that takes many names in one command: the missing ones of a phase are created in one run */
  batch?: { command: string[]; name: string; flags: string[] };
  /** for resources found by listing: the variable that holds the found one's name (for `update`) */
  selfVariable?: string;
}

export interface PlanOptions {
  /** log-based metrics, alert policies and their notification channel (infra/monitoring.ts) */
  monitoring?: MonitoringSpec;
  /** hash of each function's bundle folder, so an unchanged function is not redeployed */
  bundleHashes?: Record<string, string>;
  /** pipeline config override deployed with every function (JSON) */
  configOverride?: Record<string, unknown>;
  /** BigQuery datasets: owned ones are created with their tables; rights are per dataset */
  datasets?: DatasetSpec[];
  /** Firestore TTL policies (collection group + timestamp field) */
  ttlPolicies?: Array<{ collectionGroup: string; field: string }>;
  /**
   * people who may open the private status page (Cloud Run invoker on it, reached with
   * `shotclock status --open`) and who may override the freshness gate (invoker on its HTTP
   * function and listed in its SHOTCLOCK_GATE_OVERRIDERS); members as IAM names them (`user:…`, `group:…`)
   */
  people?: { statusViewers?: string[]; gateOverriders?: string[] };
  /** values for Secret Manager secrets (the Slack webhook): the file the command reads and what it holds */
  secretValueFiles?: Record<string, { path: string; content: string }>;
}

export const SERVICES = [
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

/** Shell variable holding a deployed function's URL, read back from the function. */
export function urlVariable(name: string): string {
  return `URL_${name.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}`;
}

export function serviceAccountEmail(topology: Topology, id: string): string {
  return `${id}@${topology.project}.iam.gserviceaccount.com`;
}

/** Label value that changes whenever what we deploy for a function changes. */
function deployHash(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
}

const labelsOf = (described: Record<string, unknown>) => (described.labels ?? {}) as Record<string, string>;

const seconds = (value: unknown) =>
  typeof value === 'string' ? Number.parseFloat(value) : Number(value ?? 0);
const substitute = (text: string, variables: Record<string, string>) =>
  text.replace(/\$\{([A-Z0-9_]+)\}/g, (placeholder, name: string) => variables[name] ?? placeholder);

// biome-ignore lint/suspicious/noTemplateCurlyInString: shell variables the plan defines at its top
const PROJECT_NUMBER = '${PROJECT_NUMBER}';
// biome-ignore lint/suspicious/noTemplateCurlyInString: names of resources found by listing, read back
const SELF_CHANNEL = '${ALERTS_CHANNEL}';
// biome-ignore lint/suspicious/noTemplateCurlyInString: names of resources found by listing, read back
const SELF_POLICY = '${POLICY}';
// biome-ignore lint/suspicious/noTemplateCurlyInString: the folder the plan writes the files its commands read
export const WORK = '${WORK}';
/** Steps regrouped so each phase is one run: a phase's steps run side by side, phases one after another. */
/**
 * How an owned table that exists differs from the one the deploy would create: columns it lacks,
 * and its partitioning (BigQuery fixes both when the table is created).
 */
function ownedTableDrift(table: DatasetSpec['tables'][number], current: Record<string, unknown>): string[] {
  const have = new Set(
    ((current.schema as { fields?: Array<{ name: string }> } | undefined)?.fields ?? []).map(
      (field) => field.name,
    ),
  );
  const differs = table.fields
    .filter((field) => !have.has(field.name))
    .map((field) => `no column ${field.name}`);
  const partitioning = current.timePartitioning as
    | { field?: string; type?: string; requirePartitionFilter?: boolean }
    | undefined;
  if (table.partitionColumn && partitioning?.field !== table.partitionColumn)
    differs.push(
      `not partitioned by ${table.partitionColumn}: every query reads the whole table (BigQuery partitions a table only when it is created)`,
    );
  else if (
    table.requirePartitionFilter &&
    !(current.requirePartitionFilter ?? partitioning?.requirePartitionFilter)
  )
    differs.push('a query may leave out the partition filter (require_partition_filter is off)');
  return differs;
}

/** `gcloud functions describe` of a gen2 function (shotclock's own, or an incumbent's). */
export function describeFunction(name: string, region: string, project: string): string[] {
  return ['gcloud', 'functions', 'describe', name, '--gen2', `--region=${region}`, `--project=${project}`];
}

/** A resource read from its kind's list (one list per kind per run), found by its full name. */
const listed = (
  api: RestRead['api'],
  path: string,
  key: string,
  is: (item: Record<string, unknown>) => boolean,
): RestRead => ({ api, path, list: { key, where: is } });
const named = (name: string) => (item: Record<string, unknown>) => item.name === name;
const inPhaseOrder = (steps: DeployStep[], order: string[]) =>
  [...steps].sort((a, b) => order.indexOf(a.phase) - order.indexOf(b.phase));

const PUBSUB_AGENT = `serviceAccount:service-${PROJECT_NUMBER}@gcp-sa-pubsub.iam.gserviceaccount.com`;
const MONITORING_AGENT = `serviceAccount:service-${PROJECT_NUMBER}@gcp-sa-monitoring-notification.iam.gserviceaccount.com`;
const SA_PROPAGATION = {
  says: 'does not exist',
  what: 'the new service account',
  seconds: 120,
};

export function deployPlan(topology: Topology, options: PlanOptions = {}): DeployStep[] {
  const { project, region } = topology;
  const p = [`--project=${project}`];
  const steps: DeployStep[] = [];
  const email = (id: string) => serviceAccountEmail(topology, id);
  const grantStep = (phase: string, resource: string, grant: IamGrant, create: string[]): DeployStep => ({
    phase,
    resource,
    grant,
    create,
    waitsFor: SA_PROPAGATION,
  });

  steps.push({
    phase: 'services',
    resource: 'apis',
    read: { api: 'serviceusage', path: `v1/projects/${project}/services?filter=state:ENABLED&pageSize=200` },
    create: ['gcloud', 'services', 'enable', ...SERVICES, ...p],
    drift: (current) => {
      const enabled = new Set(
        ((current.services ?? []) as Array<{ config?: { name?: string } }>).map((s) => s.config?.name),
      );
      return SERVICES.filter((service) => !enabled.has(service));
    },
  });
  steps[0]!.update = steps[0]!.create;

  steps.push({
    phase: 'firestore',
    resource: 'firestore database (default)',
    describe: ['gcloud', 'firestore', 'databases', 'describe', '--database=(default)', ...p, '--format=json'],
    read: { api: 'firestore', path: `v1/projects/${project}/databases/(default)` },
    create: [
      'gcloud',
      'firestore',
      'databases',
      'create',
      `--location=${region}`,
      '--type=firestore-native',
      ...p,
    ],
  });
  const listTtls = (collectionGroup: string) => [
    'gcloud',
    'firestore',
    'fields',
    'ttls',
    'list',
    `--collection-group=${collectionGroup}`,
    ...p,
  ];
  for (const ttl of options.ttlPolicies ?? [])
    steps.push({
      // after the database exists
      phase: 'firestore-ttl',
      resource: `TTL ${ttl.collectionGroup}.${ttl.field}`,
      // One list of every field with a TTL policy (what `gcloud firestore fields ttls list` asks for).
      read: listed(
        'firestore',
        `v1/projects/${project}/databases/(default)/collectionGroups/-/fields?filter=ttlConfig:*`,
        'fields',
        named(
          `projects/${project}/databases/(default)/collectionGroups/${ttl.collectionGroup}/fields/${ttl.field}`,
        ),
      ),
      describe: [...listTtls(ttl.collectionGroup), '--format=json'],
      create: [
        'gcloud',
        'firestore',
        'fields',
        'ttls',
        'update',
        ttl.field,
        `--collection-group=${ttl.collectionGroup}`,
        '--enable-ttl',
        '--async',
        ...p,
      ],
      asDeclared: [
        ...listTtls(ttl.collectionGroup),
        `--filter=name~/fields/${ttl.field}$ AND ttlConfig.state:(CREATING ACTIVE)`,
        '--format=value(name)',
      ],
      // CREATING turns ACTIVE on its own; NEEDS_REPAIR (or no policy) is enabled again.
      drift: (current) =>
        ['CREATING', 'ACTIVE'].includes(String((current.ttlConfig as { state?: string } | undefined)?.state))
          ? []
          : ['ttl'],
    });
  for (const step of steps.filter((s) => s.resource.startsWith('TTL '))) step.update = step.create;

  const accounts = [
    { id: PUSH_INVOKER, displayName: 'shotclock Pub/Sub push' },
    { id: topology.buildServiceAccount, displayName: 'shotclock function builds' },
    ...topology.serviceAccounts,
  ];
  for (const account of accounts)
    steps.push({
      phase: 'service-accounts',
      resource: `service account ${account.id}`,
      describe: ['gcloud', 'iam', 'service-accounts', 'describe', email(account.id), ...p, '--format=json'],
      read: listed(
        'iam',
        `v1/projects/${project}/serviceAccounts?pageSize=100`,
        'accounts',
        (item) => item.email === email(account.id),
      ),
      create: [
        'gcloud',
        'iam',
        'service-accounts',
        'create',
        account.id,
        `--display-name=${account.displayName}`,
        ...p,
      ],
    });

  const projectPolicy: RestRead = {
    api: 'cloudresourcemanager',
    path: `v1/projects/${project}:getIamPolicy`,
    method: 'POST',
  };
  const projectGrant = (member: string, role: string) =>
    grantStep(
      'iam',
      `${member.replace(/^serviceAccount:|@.*$/g, '')} ${role}`,
      { scope: 'project', target: project, role, member, policy: projectPolicy },
      [
        'gcloud',
        'projects',
        'add-iam-policy-binding',
        project,
        `--member=${member}`,
        `--role=${role}`,
        '--condition=None',
        '--quiet',
      ],
    );
  // Builds run as our own account: new projects no longer let the default compute account build.
  steps.push(
    projectGrant(`serviceAccount:${email(topology.buildServiceAccount)}`, 'roles/cloudbuild.builds.builder'),
  );
  for (const account of topology.serviceAccounts)
    for (const role of account.projectRoles)
      steps.push(projectGrant(`serviceAccount:${email(account.id)}`, role));

  steps.push(...secretSteps(topology, options));
  steps.push(...bucketSteps(topology));
  steps.push(...datasetSteps(topology, options.datasets ?? []));

  for (const topic of topology.topics)
    steps.push({
      phase: 'topics',
      resource: `topic ${topic}`,
      describe: ['gcloud', 'pubsub', 'topics', 'describe', topic, ...p, '--format=json'],
      read: listed(
        'pubsub',
        `v1/projects/${project}/topics?pageSize=1000`,
        'topics',
        named(`projects/${project}/topics/${topic}`),
      ),
      create: ['gcloud', 'pubsub', 'topics', 'create', topic, ...p],
      // `gcloud pubsub topics create` takes many topics: the missing ones are created in one run.
      batch: { command: ['gcloud', 'pubsub', 'topics', 'create'], name: topic, flags: p },
    });
  const topicGrant = (topic: string, member: string, role: string, resource: string) =>
    grantStep(
      'iam',
      resource,
      {
        scope: 'topic',
        target: topic,
        role,
        member,
        policy: { api: 'pubsub', path: `v1/projects/${project}/topics/${topic}:getIamPolicy` },
      },
      [
        'gcloud',
        'pubsub',
        'topics',
        'add-iam-policy-binding',
        topic,
        `--member=${member}`,
        `--role=${role}`,
        ...p,
      ],
    );
  for (const account of topology.serviceAccounts)
    for (const topic of account.topicPublisher)
      steps.push(
        topicGrant(
          topic,
          `serviceAccount:${email(account.id)}`,
          'roles/pubsub.publisher',
          `${account.id} publishes ${topic}`,
        ),
      );

  steps.push(...functionSteps(topology, options));

  for (const subscription of topology.subscriptions) {
    const pushUrl = subscription.pushTo ? `\${${urlVariable(subscription.pushTo)}}` : undefined;
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
      `--message-retention-duration=${subscription.retentionDays ?? 7}d`,
      ...(pushUrl
        ? [
            // The path carries the topic, so the functions framework can tell the CloudEvent's source;
            // the token's audience is the function's own URL, which is what Cloud Run checks.
            `--push-endpoint=${pushUrl}/projects/${project}/topics/${subscription.topic}`,
            `--push-auth-service-account=${email(PUSH_INVOKER)}`,
            `--push-auth-token-audience=${pushUrl}`,
          ]
        : []),
    ];
    steps.push({
      phase: 'subscriptions',
      resource: `subscription ${subscription.name}`,
      describe: ['gcloud', 'pubsub', 'subscriptions', 'describe', subscription.name, ...p, '--format=json'],
      read: listed(
        'pubsub',
        `v1/projects/${project}/subscriptions?pageSize=1000`,
        'subscriptions',
        named(`projects/${project}/subscriptions/${subscription.name}`),
      ),
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
      update: [
        'gcloud',
        'pubsub',
        'subscriptions',
        'update',
        subscription.name,
        ...settings,
        ...(pushUrl ? [] : ['--push-endpoint=']),
        ...p,
      ],
      waitsFor: SA_PROPAGATION,
      drift: (current, variables) => {
        const differs: string[] = [];
        const push = (current.pushConfig ?? {}) as {
          pushEndpoint?: string;
          oidcToken?: { audience?: string; serviceAccountEmail?: string };
        };
        const dead = (current.deadLetterPolicy ?? {}) as {
          deadLetterTopic?: string;
          maxDeliveryAttempts?: number;
        };
        const retry = (current.retryPolicy ?? {}) as { minimumBackoff?: string; maximumBackoff?: string };
        const url = pushUrl ? substitute(pushUrl, variables) : undefined;
        if (current.topic !== `projects/${project}/topics/${subscription.topic}`) differs.push('topic');
        if (
          (push.pushEndpoint ?? undefined) !==
          (url ? `${url}/projects/${project}/topics/${subscription.topic}` : undefined)
        )
          differs.push('endpoint');
        if ((push.oidcToken?.audience ?? undefined) !== url) differs.push('audience');
        if (url && push.oidcToken?.serviceAccountEmail !== email(PUSH_INVOKER)) differs.push('push account');
        if (Number(current.ackDeadlineSeconds) !== subscription.ackDeadlineSeconds)
          differs.push('ack deadline');
        if (
          seconds(retry.minimumBackoff) !== subscription.minBackoffSeconds ||
          seconds(retry.maximumBackoff) !== subscription.maxBackoffSeconds
        )
          differs.push('retry policy');
        if ((dead.deadLetterTopic?.split('/').pop() ?? undefined) !== subscription.deadLetterTopic)
          differs.push('dead-letter topic');
        if (subscription.deadLetterTopic && dead.maxDeliveryAttempts !== subscription.maxDeliveryAttempts)
          differs.push('attempts');
        if (
          seconds(current.messageRetentionDuration ?? '604800s') !==
          (subscription.retentionDays ?? 7) * 86_400
        )
          differs.push('retention');
        return differs;
      },
    });
  }
  for (const subscription of topology.subscriptions.filter((s) => s.deadLetterTopic)) {
    steps.push(
      grantStep(
        'iam',
        `Pub/Sub dead-letters from ${subscription.name}`,
        {
          scope: 'subscription',
          target: subscription.name,
          role: 'roles/pubsub.subscriber',
          member: PUBSUB_AGENT,
          policy: {
            api: 'pubsub',
            path: `v1/projects/${project}/subscriptions/${subscription.name}:getIamPolicy`,
          },
        },
        [
          'gcloud',
          'pubsub',
          'subscriptions',
          'add-iam-policy-binding',
          subscription.name,
          `--member=${PUBSUB_AGENT}`,
          '--role=roles/pubsub.subscriber',
          ...p,
        ],
      ),
    );
    steps.push(
      topicGrant(
        subscription.deadLetterTopic!,
        PUBSUB_AGENT,
        'roles/pubsub.publisher',
        `Pub/Sub dead-letters into ${subscription.deadLetterTopic}`,
      ),
    );
  }
  if (options.monitoring) steps.push(...monitoringSteps(topology, options.monitoring));
  // Several subscriptions dead-letter into the same topic: its grant to Pub/Sub is declared once.
  const granted = new Set<string>();
  return steps.filter((step) => {
    if (!step.grant) return true;
    const { scope, target, role, member, condition } = step.grant;
    const key = JSON.stringify([scope, target, role, member, condition?.expression]);
    if (granted.has(key)) return false;
    granted.add(key);
    return true;
  });
}

function secretSteps(topology: Topology, options: PlanOptions): DeployStep[] {
  const p = [`--project=${topology.project}`];
  const steps: DeployStep[] = [];
  const secrets = [...new Set(topology.functions.flatMap((fn) => Object.values(fn.secrets)))];
  for (const secret of secrets) {
    steps.push({
      phase: 'secrets',
      resource: `secret ${secret}`,
      describe: ['gcloud', 'secrets', 'describe', secret, ...p, '--format=json'],
      read: listed(
        'secretmanager',
        `v1/projects/${topology.project}/secrets?pageSize=250`,
        'secrets',
        (item) => String(item.name).endsWith(`/secrets/${secret}`),
      ),
      create: [
        'gcloud',
        'secrets',
        'create',
        secret,
        '--replication-policy=automatic',
        '--labels=managed-by=shotclock',
        ...p,
      ],
    });
    const file = options.secretValueFiles?.[secret];
    steps.push({
      phase: 'secret-values',
      resource: `secret ${secret} value`,
      describe: [
        'gcloud',
        'secrets',
        'versions',
        'describe',
        'latest',
        `--secret=${secret}`,
        ...p,
        '--format=json',
      ],
      read: {
        api: 'secretmanager',
        path: `v1/projects/${topology.project}/secrets/${secret}/versions/latest:access`,
      },
      create: [
        'gcloud',
        'secrets',
        'versions',
        'add',
        secret,
        `--data-file=${file?.path ?? 'SLACK_WEBHOOK_FILE'}`,
        ...p,
      ],
      ...(file
        ? {
            update: ['gcloud', 'secrets', 'versions', 'add', secret, `--data-file=${file.path}`, ...p],
            drift: (current: Record<string, unknown>) =>
              (current.payload as { data?: string } | undefined)?.data ===
              Buffer.from(file.content).toString('base64')
                ? []
                : ['value'],
          }
        : {
            blocking: true,
            mustExist: `secret ${secret} has no value yet: run deploy again with --slack-webhook-file <file holding the webhook URL>, or add one with \`gcloud secrets versions add ${secret} --data-file=<file> --project=${topology.project}\``,
          }),
    });
  }
  for (const account of topology.serviceAccounts)
    for (const secret of account.secretAccessor)
      steps.push({
        phase: 'iam',
        resource: `${account.id} reads secret ${secret}`,
        grant: {
          scope: 'secret',
          target: secret,
          role: 'roles/secretmanager.secretAccessor',
          member: `serviceAccount:${serviceAccountEmail(topology, account.id)}`,
          policy: {
            api: 'secretmanager',
            path: `v1/projects/${topology.project}/secrets/${secret}:getIamPolicy`,
          },
        },
        create: [
          'gcloud',
          'secrets',
          'add-iam-policy-binding',
          secret,
          `--member=serviceAccount:${serviceAccountEmail(topology, account.id)}`,
          '--role=roles/secretmanager.secretAccessor',
          ...p,
        ],
        waitsFor: SA_PROPAGATION,
      });
  return inPhaseOrder(steps, ['secrets', 'secret-values', 'iam']);
}

function bucketSteps(topology: Topology): DeployStep[] {
  const p = [`--project=${topology.project}`];
  const steps: DeployStep[] = [];
  const writers = topology.serviceAccounts.flatMap((account) =>
    account.bucketWriter.map((bucket) => ({ account, bucket })),
  );
  const readers = topology.serviceAccounts.flatMap((account) =>
    account.bucketReader.map((bucket) => ({ account, bucket })),
  );
  const buckets = [...new Set([...writers, ...readers].map((entry) => entry.bucket))];
  for (const bucket of buckets)
    steps.push({
      phase: 'buckets',
      resource: `bucket gs://${bucket}`,
      // A bucket name is global: it may already be the pipeline's. Reachable -> used as is; missing -> created here.
      describe: ['gcloud', 'storage', 'buckets', 'describe', `gs://${bucket}`, ...p, '--format=json'],
      read: { api: 'storage', path: `b/${bucket}` },
      create: [
        'gcloud',
        'storage',
        'buckets',
        'create',
        `gs://${bucket}`,
        `--location=${topology.region}`,
        '--uniform-bucket-level-access',
        ...p,
      ],
    });
  const bucketGrant = (
    bucket: string,
    account: string,
    role: string,
    verb: string,
    prefix?: string,
  ): DeployStep => ({
    phase: 'iam',
    resource: `${account} ${verb} gs://${bucket}${prefix ? `/${prefix}` : ''}`,
    grant: {
      scope: 'bucket',
      target: bucket,
      role,
      member: `serviceAccount:${serviceAccountEmail(topology, account)}`,
      ...(prefix
        ? {
            condition: {
              title: `shotclock ${prefix}`,
              expression: `resource.name.startsWith("projects/_/buckets/${bucket}/objects/${prefix}")`,
            },
          }
        : {}),
      policy: { api: 'storage', path: `b/${bucket}/iam?optionsRequestedPolicyVersion=3` },
    },
    create: [
      'gcloud',
      'storage',
      'buckets',
      'add-iam-policy-binding',
      `gs://${bucket}`,
      `--member=serviceAccount:${serviceAccountEmail(topology, account)}`,
      `--role=${role}`,
      ...(prefix
        ? [
            `--condition=title=shotclock ${prefix},expression=resource.name.startsWith("projects/_/buckets/${bucket}/objects/${prefix}")`,
          ]
        : []),
      ...p,
    ],
    waitsFor: SA_PROPAGATION,
  });
  // The exporter rewrites the same files, which needs create and delete; the condition keeps both inside its prefix.
  for (const { account, bucket } of writers)
    steps.push(bucketGrant(bucket, account.id, 'roles/storage.objectUser', 'writes', topology.exportPrefix));
  for (const { account, bucket } of readers)
    steps.push(bucketGrant(bucket, account.id, 'roles/storage.objectViewer', 'reads', topology.exportPrefix));
  return steps;
}

function datasetSteps(topology: Topology, datasets: DatasetSpec[]): DeployStep[] {
  const p = [`--project=${topology.project}`];
  const steps: DeployStep[] = [];
  for (const dataset of datasets) {
    const read: RestRead = { api: 'bigquery', path: `projects/${topology.project}/datasets/${dataset.id}` };
    steps.push({
      phase: 'datasets',
      resource: `dataset ${dataset.id}`,
      describe: ['gcloud', 'alpha', 'bq', 'datasets', 'describe', dataset.id, ...p, '--format=json'],
      read: listed(
        'bigquery',
        `projects/${topology.project}/datasets?all=true&maxResults=1000`,
        'datasets',
        (item) => (item.datasetReference as { datasetId?: string } | undefined)?.datasetId === dataset.id,
      ),
      create: [
        'gcloud',
        'alpha',
        'bq',
        'datasets',
        'create',
        dataset.id,
        `--description=${dataset.description}`,
        ...p,
      ],
      ...(dataset.owned
        ? {}
        : {
            mustExist: `dataset ${dataset.id} belongs to the pipeline and does not exist in ${topology.project}: its grants are skipped until it does`,
          }),
    });
    for (const table of dataset.owned ? dataset.tables : []) {
      const schemaFile = `${WORK}/schemas/${dataset.id}.${table.name}.json`;
      const { fields, partitionColumn, requirePartitionFilter } = table;
      steps.push({
        phase: 'tables',
        resource: `table ${dataset.id}.${table.name}`,
        describe: [
          'gcloud',
          'alpha',
          'bq',
          'tables',
          'describe',
          table.name,
          `--dataset=${dataset.id}`,
          ...p,
          '--format=json',
        ],
        read: {
          api: 'bigquery',
          path: `projects/${topology.project}/datasets/${dataset.id}/tables/${table.name}`,
        },
        files: { [schemaFile]: `${JSON.stringify(fields, null, 1)}\n` },
        // bq, not `gcloud alpha bq tables create`: only bq creates a table with its partitioning.
        create: [
          'bq',
          `--project_id=${topology.project}`,
          'mk',
          '--table',
          `--schema=${schemaFile}`,
          ...(partitionColumn
            ? [`--time_partitioning_field=${partitionColumn}`, '--time_partitioning_type=DAY']
            : []),
          ...(requirePartitionFilter ? ['--require_partition_filter=true'] : []),
          `${topology.project}:${dataset.id}.${table.name}`,
        ],
        // No update: BigQuery cannot partition a table that exists, nor add a REQUIRED column to
        // one; the deploy reports the difference and leaves the table and its rows as they are.
        drift: (current) => ownedTableDrift(table, current),
      });
    }
    const grants = [
      ...dataset.readers.map((fn) => ({ fn, role: 'READER' })),
      ...dataset.writers.map((fn) => ({ fn, role: 'WRITER' })),
    ];
    for (const { fn, role } of grants) {
      const account = serviceAccountEmail(topology, serviceAccountId({ name: fn }));
      steps.push({
        phase: 'iam',
        resource: `${serviceAccountId({ name: fn })} ${role === 'READER' ? 'reads' : 'writes'} dataset ${dataset.id}`,
        grant: {
          scope: 'dataset',
          target: dataset.id,
          role: `bigquery.${role}`,
          member: `serviceAccount:${account}`,
          policy: read,
        },
        // A dataset's access list is replaced as a whole: the helper at the top of the script adds one entry to it.
        create: ['grant_dataset', dataset.id, role, account],
        waitsFor: SA_PROPAGATION,
      });
    }
  }
  return inPhaseOrder(steps, ['datasets', 'tables', 'iam']);
}

function functionSteps(topology: Topology, options: PlanOptions): DeployStep[] {
  const { project, region } = topology;
  const p = [`--project=${project}`];
  const steps: DeployStep[] = [];
  // The status page deploys first: its URL is what every alert links to.
  const ordered = [...topology.functions].sort(
    (a, b) => Number(b.source === 'statusPage') - Number(a.source === 'statusPage'),
  );
  const statusPage = topology.functions.find((fn) => fn.source === 'statusPage');
  for (const fn of ordered) {
    const linksTo =
      statusPage && fn !== statusPage
        ? { project: { status_page_url: `\${${urlVariable(statusPage.name)}}` } }
        : undefined;
    const override = { ...(options.configOverride ?? {}), ...(linksTo ?? {}) };
    const overriders = (options.people?.gateOverriders ?? []).map((member) => member.replace(/^[a-z]+:/, ''));
    const env = {
      GOOGLE_CLOUD_PROJECT: project,
      ...(Object.keys(override).length ? { SHOTCLOCK_CONFIG: JSON.stringify(override) } : {}),
      ...(fn.target === 'freshnessGateHttp' && overriders.length
        ? { SHOTCLOCK_GATE_OVERRIDERS: overriders.join(',') }
        : {}),
    };
    const secrets = Object.entries(fn.secrets).map(([variable, secret]) => `${variable}=${secret}:latest`);
    const hash = deployHash({ fn, env, bundle: options.bundleHashes?.[fn.source] ?? 'unbuilt' });
    const functionsOf = `projects/${project}/locations/${region}/functions`;
    const name = `${functionsOf}/${fn.name}`;
    const deploy = [
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
      `--build-service-account=projects/${project}/serviceAccounts/${serviceAccountEmail(topology, topology.buildServiceAccount)}`,
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
    ];
    const phase = fn === statusPage ? 'status-page' : 'functions';
    const describe = describeFunction(fn.name, region, topology.project);
    steps.push({
      phase,
      resource: `function ${fn.name}`,
      describe: [...describe, '--format=json'],
      read: listed('cloudfunctions', `v2/${functionsOf}`, 'functions', named(name)),
      create: deploy,
      update: deploy,
      // The printed script redeploys only a function whose code or settings differ from its label
      // (the bundles' hashes as built when the plan was printed).
      asDeclared: [...describe, `--format=value(labels.shotclock-hash)`],
      asDeclaredValue: hash,
      waitsFor: SA_PROPAGATION,
      drift: (current, variables) => {
        const deployed =
          (current.serviceConfig as { environmentVariables?: Record<string, string> } | undefined)
            ?.environmentVariables ?? {};
        return [
          ...(labelsOf(current)['shotclock-hash'] !== hash ? ['code or settings'] : []),
          // The URLs the config embeds are read back at apply time: a recreated status page changes them.
          ...(env.SHOTCLOCK_CONFIG !== undefined &&
          deployed.SHOTCLOCK_CONFIG !== substitute(env.SHOTCLOCK_CONFIG, variables)
            ? ['status page link']
            : []),
        ];
      },
    });
    steps.push({
      phase: `${phase}-urls`,
      resource: `url of ${fn.name}`,
      read: listed('cloudfunctions', `v2/${functionsOf}`, 'functions', named(name)),
      create: [...describe, '--format=value(serviceConfig.uri)'],
      defines: {
        name: urlVariable(fn.name),
        pick: (answer) => (answer.serviceConfig as { uri?: string } | undefined)?.uri,
      },
    });
  }
  const invokers = [
    ...topology.functions
      .filter((fn) => fn.kind === 'event')
      .map((fn) => ({
        fn: fn.name,
        member: `serviceAccount:${serviceAccountEmail(topology, PUSH_INVOKER)}`,
        who: PUSH_INVOKER,
      })),
    ...topology.serviceAccounts.flatMap((account) =>
      account.invokes.map((fn) => ({
        fn,
        member: `serviceAccount:${serviceAccountEmail(topology, account.id)}`,
        who: account.id,
      })),
    ),
    // People: the status page to read, the gate's HTTP function to check and (listed above) override.
    ...(statusPage
      ? (options.people?.statusViewers ?? []).map((member) => ({ fn: statusPage.name, member, who: member }))
      : []),
    ...topology.functions
      .filter((fn) => fn.target === 'freshnessGateHttp')
      .flatMap((fn) =>
        (options.people?.gateOverriders ?? []).map((member) => ({ fn: fn.name, member, who: member })),
      ),
  ];
  for (const { fn, member, who } of invokers)
    steps.push({
      phase: 'iam',
      resource: `${who} invokes ${fn}`,
      grant: {
        scope: 'service',
        target: fn,
        role: 'roles/run.invoker',
        member,
        policy: {
          api: 'run',
          path: `v1/projects/${project}/locations/${region}/services/${fn}:getIamPolicy`,
        },
      },
      create: [
        'gcloud',
        'functions',
        'add-invoker-policy-binding',
        fn,
        `--region=${region}`,
        `--member=${member}`,
        ...p,
      ],
      waitsFor: SA_PROPAGATION,
    });
  return inPhaseOrder(steps, ['status-page', 'status-page-urls', 'functions', 'functions-urls', 'iam']);
}

/**
 * The worker-errors rule: a log-based metric per service, a Pub/Sub notification channel on the
 * alerts topic, and an alert policy per metric. `${ALERTS_CHANNEL}` is the channel's resource
 * name, read back once the channel exists.
 */
function monitoringSteps(topology: Topology, monitoring: MonitoringSpec): DeployStep[] {
  const p = [`--project=${topology.project}`];
  const steps: DeployStep[] = [];
  const byName = (displayName: string) => (item: Record<string, unknown>) => item.displayName === displayName;
  for (const channel of monitoring.notificationChannels) {
    const labels = `topic=projects/${topology.project}/topics/${channel.topic}`;
    const read: RestRead = {
      api: 'monitoring',
      path: `v3/projects/${topology.project}/notificationChannels`,
      list: { key: 'notificationChannels', where: byName(channel.displayName) },
    };
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
        '--format=value(name)',
      ],
      read,
      create: [
        'gcloud',
        'beta',
        'monitoring',
        'channels',
        'create',
        `--display-name=${channel.displayName}`,
        `--type=${channel.type}`,
        `--channel-labels=${labels}`,
        ...p,
      ],
      update: [
        'gcloud',
        'beta',
        'monitoring',
        'channels',
        'update',
        SELF_CHANNEL,
        `--update-channel-labels=${labels}`,
        ...p,
      ],
      selfVariable: 'ALERTS_CHANNEL',
      drift: (current) =>
        (current.labels as Record<string, string> | undefined)?.topic ===
          `projects/${topology.project}/topics/${channel.topic}` && current.type === channel.type
          ? []
          : ['topic'],
    });
    steps.push({
      phase: 'monitoring',
      resource: `Monitoring publishes to ${channel.topic}`,
      grant: {
        scope: 'topic',
        target: channel.topic,
        role: 'roles/pubsub.publisher',
        member: MONITORING_AGENT,
        policy: {
          api: 'pubsub',
          path: `v1/projects/${topology.project}/topics/${channel.topic}:getIamPolicy`,
        },
      },
      create: [
        'gcloud',
        'pubsub',
        'topics',
        'add-iam-policy-binding',
        channel.topic,
        `--member=${MONITORING_AGENT}`,
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
      read: listed(
        'logging',
        `v2/projects/${topology.project}/metrics?pageSize=1000`,
        'metrics',
        (item) => item.name === metric.name || String(item.name).endsWith(`/metrics/${metric.name}`),
      ),
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
      update: [
        'gcloud',
        'logging',
        'metrics',
        'update',
        metric.name,
        `--description=${metric.description}`,
        `--log-filter=${metric.filter}`,
        ...p,
      ],
      drift: (current) => [
        ...(current.filter !== metric.filter ? ['filter'] : []),
        ...(current.description !== metric.description ? ['description'] : []),
      ],
    });
  for (const policy of monitoring.alertPolicies) {
    const body = {
      displayName: policy.displayName,
      combiner: 'OR',
      severity: policy.severity,
      documentation: { content: policy.documentation, mimeType: 'text/markdown' },
      alertStrategy: { autoClose: `${policy.autoCloseSeconds}s` },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: defined by the plan once the channel exists
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
    const file = `${WORK}/policies/${policy.metric}.json`;
    steps.push({
      phase: 'alert-policies',
      resource: `alert policy ${policy.metric}`,
      describe: [
        'gcloud',
        'alpha',
        'monitoring',
        'policies',
        'list',
        `--filter=displayName="${policy.displayName}"`,
        ...p,
        '--format=value(name)',
      ],
      selfVariable: 'POLICY',
      read: {
        api: 'monitoring',
        path: `v3/projects/${topology.project}/alertPolicies`,
        list: { key: 'alertPolicies', where: byName(policy.displayName) },
      },
      files: { [file]: `${JSON.stringify(body, null, 1)}\n` },
      create: ['gcloud', 'alpha', 'monitoring', 'policies', 'create', `--policy-from-file=${file}`, ...p],
      update: [
        'gcloud',
        'alpha',
        'monitoring',
        'policies',
        'update',
        SELF_POLICY,
        `--policy-from-file=${file}`,
        ...p,
      ],
      // Cloud Monitoring learns of a new log-based metric up to ~10 minutes after it is created.
      waitsFor: {
        says: 'Cannot find metric',
        what: `log metric ${policy.metric} to reach Cloud Monitoring`,
        seconds: 900,
      },
      drift: (current, variables) => {
        const want = JSON.parse(substitute(JSON.stringify(body), variables)) as typeof body;
        const differs: string[] = [];
        const condition =
          ((current.conditions ?? []) as Array<{ conditionThreshold?: Record<string, unknown> }>)[0]
            ?.conditionThreshold ?? {};
        const threshold = want.conditions[0]!.conditionThreshold;
        if (condition.filter !== threshold.filter) differs.push('filter');
        if (Number(condition.thresholdValue) !== threshold.thresholdValue) differs.push('threshold');
        if (condition.duration !== threshold.duration || condition.comparison !== threshold.comparison)
          differs.push('condition');
        if (JSON.stringify(condition.aggregations) !== JSON.stringify(threshold.aggregations))
          differs.push('aggregation');
        if (JSON.stringify(current.notificationChannels ?? []) !== JSON.stringify(want.notificationChannels))
          differs.push('channels');
        if (
          (current.documentation as { content?: string } | undefined)?.content !== want.documentation.content
        )
          differs.push('documentation');
        if (current.severity !== want.severity) differs.push('severity');
        if (
          (current.alertStrategy as { autoClose?: string } | undefined)?.autoClose !==
          want.alertStrategy.autoClose
        )
          differs.push('auto-close');
        return differs;
      },
    });
  }
  return steps;
}

export { renderCommand, renderPlan } from './plan-script.js';
