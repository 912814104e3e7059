/**
 * How the deploy reads what exists: one REST read per resource, relative to the root of the
 * Google API it belongs to. `--apply` reads through these (fast, many at once); the printed script
 * reads through the `describe` command of the same step.
 */
export type GoogleApi =
  | 'serviceusage'
  | 'cloudresourcemanager'
  | 'iam'
  | 'pubsub'
  | 'cloudfunctions'
  | 'run'
  | 'secretmanager'
  | 'storage'
  | 'logging'
  | 'monitoring'
  | 'firestore'
  | 'bigquery';

export interface RestRead {
  api: GoogleApi;
  path: string;
  /** getIamPolicy is a POST on some APIs */
  method?: 'GET' | 'POST';
  /** for a list read: the array in the answer and the item that stands for the resource */
  list?: { key: string; where: (item: Record<string, unknown>) => boolean };
}

/** A role on one resource; the plan grants it with `add-iam-policy-binding` (or the dataset helper). */
export interface IamGrant {
  scope: 'project' | 'topic' | 'subscription' | 'service' | 'bucket' | 'secret' | 'dataset';
  /** short name of the resource (topic, bucket, function, dataset, ...) */
  target: string;
  role: string;
  member: string;
  condition?: { title: string; expression: string };
  /** where its policy is read */
  policy: RestRead;
}

/** Google's default API roots; `CLOUDSDK_API_ENDPOINT_OVERRIDES_<API>` replaces them, for gcloud and for us. */
export const API_ROOTS: Record<GoogleApi | 'cloudscheduler', string> = {
  serviceusage: 'https://serviceusage.googleapis.com/',
  cloudresourcemanager: 'https://cloudresourcemanager.googleapis.com/',
  iam: 'https://iam.googleapis.com/',
  pubsub: 'https://pubsub.googleapis.com/',
  cloudfunctions: 'https://cloudfunctions.googleapis.com/',
  run: 'https://run.googleapis.com/',
  secretmanager: 'https://secretmanager.googleapis.com/',
  storage: 'https://storage.googleapis.com/storage/v1/',
  logging: 'https://logging.googleapis.com/',
  monitoring: 'https://monitoring.googleapis.com/',
  firestore: 'https://firestore.googleapis.com/',
  bigquery: 'https://bigquery.googleapis.com/bigquery/v2/',
  cloudscheduler: 'https://cloudscheduler.googleapis.com/',
};
