import type { SchedulerJobSpec } from '../../infra/topology.js';

/** A Cloud Scheduler job as the reconciler sees it (short ids, decoded body). */
export interface ExistingSchedulerJob {
  id: string;
  cron: string;
  timeZone: string;
  topic: string;
  body: string;
  state: 'ENABLED' | 'PAUSED' | 'DISABLED' | 'UPDATE_FAILED' | 'STATE_UNSPECIFIED';
}

export interface SchedulerJobs {
  list(): Promise<ExistingSchedulerJob[]>;
  create(job: SchedulerJobSpec): Promise<void>;
  update(job: SchedulerJobSpec): Promise<void>;
  pause(id: string): Promise<void>;
  resume(id: string): Promise<void>;
}

export interface ReconcileReport {
  created: string[];
  updated: string[];
  resumed: string[];
  unchanged: string[];
  /** jobs that exist but are not declared; paused only when asked to */
  undeclared: string[];
  paused: string[];
}

const sameJob = (declared: SchedulerJobSpec, existing: ExistingSchedulerJob) =>
  declared.cron === existing.cron &&
  declared.timeZone === existing.timeZone &&
  declared.topic === existing.topic &&
  JSON.stringify(declared.body) === existing.body;

/** Makes the scheduler hold exactly the declared jobs; a second run changes nothing. */
export async function reconcileSchedulerJobs(
  api: SchedulerJobs,
  declared: SchedulerJobSpec[],
  options: { pauseUndeclared?: boolean } = {},
): Promise<ReconcileReport> {
  const report: ReconcileReport = {
    created: [],
    updated: [],
    resumed: [],
    unchanged: [],
    undeclared: [],
    paused: [],
  };
  const existing = new Map((await api.list()).map((job) => [job.id, job]));
  for (const job of declared) {
    const current = existing.get(job.id);
    if (!current) {
      await api.create(job);
      report.created.push(job.id);
      continue;
    }
    if (!sameJob(job, current)) {
      await api.update(job);
      report.updated.push(job.id);
    }
    if (current.state === 'PAUSED') {
      await api.resume(job.id);
      report.resumed.push(job.id);
    }
    if (sameJob(job, current) && current.state !== 'PAUSED') report.unchanged.push(job.id);
  }
  const declaredIds = new Set(declared.map((job) => job.id));
  for (const job of existing.values())
    if (!declaredIds.has(job.id)) {
      report.undeclared.push(job.id);
      if (options.pauseUndeclared && job.state === 'ENABLED') {
        await api.pause(job.id);
        report.paused.push(job.id);
      }
    }
  return report;
}
