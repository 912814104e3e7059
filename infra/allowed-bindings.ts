import type { IamGrant } from './google-resources.js';

/**
 * Every IAM binding the deploy may make, and why. `test/unit/infra/least-privilege.test.ts` checks
 * the plan against this list: a binding not listed here fails the build. Project-wide roles are
 * listed only where Google offers nothing narrower.
 */
export interface AllowedBinding {
  scope: IamGrant['scope'];
  role: string;
  /** which members: a function's account (`sc-…`), the push invoker, the build account, a Google agent */
  member: RegExp;
  reason: string;
}

const FUNCTION_ACCOUNT = /^serviceAccount:sc-[a-z0-9-]+@/;

export const ALLOWED_BINDINGS: AllowedBinding[] = [
  {
    scope: 'project',
    role: 'roles/datastore.user',
    member: FUNCTION_ACCOUNT,
    reason: 'Firestore has no per-collection IAM: state documents are read and written in transactions',
  },
  {
    scope: 'project',
    role: 'roles/bigquery.jobUser',
    member: FUNCTION_ACCOUNT,
    reason: 'running a query is a project-level right; what it may read is granted per dataset',
  },
  {
    scope: 'project',
    role: 'roles/pubsub.viewer',
    member: /^serviceAccount:sc-dependency-probe(-tick)?@/,
    reason: 'the probe lists topics and subscriptions to check the topology (read-only)',
  },
  {
    scope: 'project',
    role: 'roles/cloudscheduler.viewer',
    member: /^serviceAccount:sc-dependency-probe(-tick)?@/,
    reason: 'the probe lists scheduler jobs to check they exist and are enabled (read-only)',
  },
  {
    scope: 'project',
    role: 'roles/cloudfunctions.viewer',
    member: /^serviceAccount:sc-dependency-probe(-tick)?@/,
    reason: 'the probe reads deployed functions to find their URLs (read-only)',
  },
  {
    scope: 'project',
    role: 'roles/cloudbuild.builds.builder',
    member: /^serviceAccount:shotclock-build@/,
    reason: "function builds run as shotclock's own build account: new projects lend no default one",
  },
  {
    scope: 'dataset',
    role: 'bigquery.READER',
    member: FUNCTION_ACCOUNT,
    reason: 'reads the warehouse tables it checks, on their dataset only',
  },
  {
    scope: 'dataset',
    role: 'bigquery.WRITER',
    member: /^serviceAccount:sc-live-grading-export(-http)?@/,
    reason: 'the live grading exporter records graded accuracy in its dataset',
  },
  {
    scope: 'topic',
    role: 'roles/pubsub.publisher',
    member: FUNCTION_ACCOUNT,
    reason: 'a function publishes only to the topics it declares (outputs, alerts, dead letters)',
  },
  {
    scope: 'topic',
    role: 'roles/pubsub.publisher',
    member:
      /^serviceAccount:service-\$\{PROJECT_NUMBER\}@gcp-sa-(pubsub|monitoring-notification)\.iam\.gserviceaccount\.com$/,
    reason: "Google's agents: Pub/Sub forwards dead letters; Monitoring notifies on the alerts topic",
  },
  {
    scope: 'subscription',
    role: 'roles/pubsub.subscriber',
    member: /^serviceAccount:service-\$\{PROJECT_NUMBER\}@gcp-sa-pubsub\.iam\.gserviceaccount\.com$/,
    reason: 'Pub/Sub must acknowledge a message it moves to the dead-letter topic',
  },
  {
    scope: 'service',
    role: 'roles/run.invoker',
    member: /^serviceAccount:shotclock-push-invoker@/,
    reason: 'Pub/Sub push calls event functions with this account’s token, and only those',
  },
  {
    scope: 'service',
    role: 'roles/run.invoker',
    member: /^serviceAccount:sc-dependency-probe(-tick)?@/,
    reason: "the probe calls each shotclock function's probe endpoint, never another service",
  },
  {
    scope: 'service',
    role: 'roles/run.invoker',
    member: /^(user|group):/,
    reason:
      'people named with deploy --status-viewer / --gate-overrider: on the status page and the gate HTTP function only',
  },
  {
    scope: 'secret',
    role: 'roles/secretmanager.secretAccessor',
    member: FUNCTION_ACCOUNT,
    reason: 'functions that alert read the Slack webhook, that one secret only',
  },
  {
    scope: 'bucket',
    role: 'roles/storage.objectUser',
    member: /^serviceAccount:sc-live-grading-export(-http)?@/,
    reason:
      'the exporter rewrites its files, under a condition that keeps create and delete inside its prefix',
  },
  {
    scope: 'bucket',
    role: 'roles/storage.objectViewer',
    member: FUNCTION_ACCOUNT,
    reason: 'the status page and the probe read the export, under the same prefix condition',
  },
];
