import type { PipelineConfig } from '../config/schema.js';

/** Cloud Scheduler (or the local scheduler), as far as the probe asks. */
export interface DeployedJob {
  id: string;
  enabled: boolean;
  /** short topic name the job publishes to */
  topic: string | undefined;
}

export interface SchedulerJobs {
  job(id: string): Promise<DeployedJob | undefined>;
}

/** The local scheduler runs exactly the config's jobs, all enabled. */
export function configuredSchedulerJobs(config: PipelineConfig): SchedulerJobs {
  return {
    async job(id) {
      const job = config.schedules.find((candidate) => candidate.id === id);
      return job && { id: job.id, enabled: true, topic: job.topic };
    },
  };
}
