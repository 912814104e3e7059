import { CloudSchedulerClient } from '@google-cloud/scheduler';
import { OAuth2Client } from 'google-auth-library';
import { MANAGED_BY } from '../../infra/plan-script.js';
import type { SchedulerJobSpec } from '../../infra/topology.js';
import type { ExistingSchedulerJob, SchedulerJobs } from './scheduler-reconcile.js';

const seconds = (duration: { seconds?: unknown } | null | undefined) => Number(duration?.seconds ?? 0);

/**
 * SchedulerJobs on the Cloud Scheduler API, as the same identity gcloud uses (its access token).
 * `endpoint` (from CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDSCHEDULER) points the client elsewhere,
 * over HTTP/JSON; the default is Google's.
 */
export function cloudSchedulerJobs(
  project: string,
  region: string,
  accessToken: string,
  endpoint?: string,
): SchedulerJobs {
  const authClient = new OAuth2Client();
  authClient.setCredentials({ access_token: accessToken, expiry_date: Date.now() + 3_600_000 });
  const target = endpoint ? new URL(endpoint) : undefined;
  const client = new CloudSchedulerClient({
    authClient,
    ...(target
      ? {
          apiEndpoint: target.hostname,
          port: Number(target.port || (target.protocol === 'http:' ? 80 : 443)),
          protocol: target.protocol.replace(':', ''),
          fallback: true,
        }
      : {}),
  } as unknown as ConstructorParameters<typeof CloudSchedulerClient>[0]);
  const parent = `projects/${project}/locations/${region}`;
  const toJob = (job: SchedulerJobSpec) => ({
    name: `${parent}/jobs/${job.id}`,
    description: job.description,
    schedule: job.cron,
    timeZone: job.timeZone,
    pubsubTarget: {
      topicName: `projects/${project}/topics/${job.topic}`,
      data: Buffer.from(JSON.stringify(job.body)),
      attributes: { [MANAGED_BY.key]: MANAGED_BY.value },
    },
    retryConfig: {
      retryCount: job.retry.retryCount,
      minBackoffDuration: { seconds: job.retry.minBackoffSeconds },
      maxBackoffDuration: { seconds: job.retry.maxBackoffSeconds },
    },
  });
  return {
    async list(): Promise<ExistingSchedulerJob[]> {
      const [jobs] = await client.listJobs({ parent });
      return jobs.map((job) => ({
        id: job.name!.split('/').pop()!,
        cron: job.schedule ?? '',
        timeZone: job.timeZone ?? '',
        topic: job.pubsubTarget?.topicName?.split('/').pop() ?? '',
        body: Buffer.from(job.pubsubTarget?.data ?? '').toString('utf8'),
        description: job.description ?? '',
        retry: {
          retryCount: job.retryConfig?.retryCount ?? 0,
          minBackoffSeconds: seconds(job.retryConfig?.minBackoffDuration),
          maxBackoffSeconds: seconds(job.retryConfig?.maxBackoffDuration),
        },
        managed: job.pubsubTarget?.attributes?.[MANAGED_BY.key] === MANAGED_BY.value,
        state: (job.state as ExistingSchedulerJob['state']) ?? 'STATE_UNSPECIFIED',
      }));
    },
    async create(job) {
      await client.createJob({ parent, job: toJob(job) });
    },
    async update(job) {
      await client.updateJob({ job: toJob(job) });
    },
    async pause(id) {
      await client.pauseJob({ name: `${parent}/jobs/${id}` });
    },
    async resume(id) {
      await client.resumeJob({ name: `${parent}/jobs/${id}` });
    },
  };
}
