import type { JobRole, PipelineConfig } from './schema.js';

/**
 * The role of the scheduler job a tick names, from the loaded config; undefined for a job the
 * config does not have (a tick of another deployment on the shared topic, or a renamed job's
 * old id): nothing acts on it.
 */
export function roleOfJob(config: PipelineConfig, jobId: string): JobRole | undefined {
  return config.schedules.find((job) => job.id === jobId)?.role;
}
