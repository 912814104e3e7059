import type { DeployedJob, SchedulerJobs } from './scheduler-jobs.port.js';

/** Cloud Scheduler jobs, read with the SDK loaded on first use (the probe is the only reader). */
export function cloudSchedulerJobs(projectId: string, region: string): SchedulerJobs {
  let client: Promise<import('@google-cloud/scheduler').CloudSchedulerClient> | undefined;
  return {
    async job(id): Promise<DeployedJob | undefined> {
      client ??= import('../adapters/google-clients/scheduler.client.js').then(
        ({ CloudSchedulerClient }) => new CloudSchedulerClient(),
      );
      try {
        const [job] = await (await client).getJob({
          name: `projects/${projectId}/locations/${region}/jobs/${id}`,
        });
        return {
          id,
          enabled: job.state === 'ENABLED',
          topic: job.pubsubTarget?.topicName?.split('/').pop() ?? undefined,
        };
      } catch (error) {
        if ((error as { code?: number }).code === 5) return undefined; // NOT_FOUND
        throw error;
      }
    },
  };
}
