import { CloudSchedulerClient } from '@google-cloud/scheduler';
import type { SchedulerJobSpec } from '../../infra/topology.js';
import type { ExistingSchedulerJob, SchedulerJobs } from './scheduler-reconcile.js';

/** SchedulerJobs on the Cloud Scheduler API. */
export function cloudSchedulerJobs(project: string, region: string): SchedulerJobs {
  const client = new CloudSchedulerClient();
  const parent = `projects/${project}/locations/${region}`;
  const toJob = (job: SchedulerJobSpec) => ({
    name: `${parent}/jobs/${job.id}`,
    description: job.description,
    schedule: job.cron,
    timeZone: job.timeZone,
    pubsubTarget: {
      topicName: `projects/${project}/topics/${job.topic}`,
      data: Buffer.from(JSON.stringify(job.body)),
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
