import type { SchedulerJobSpec } from '../../infra/topology.js';

/** A Cloud Scheduler job as the reconciler sees it (short ids, decoded body). */
export interface ExistingSchedulerJob {
  id: string;
  cron: string;
  timeZone: string;
  topic: string;
  body: string;
  description: string;
  retry: SchedulerJobSpec['retry'];
  /** carries shotclock's `managed-by=shotclock` attribute */
  managed: boolean;
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
  /** job id and the settings that differed */
  updated: Array<{ id: string; settings: string[] }>;
  resumed: string[];
  unchanged: string[];
  /** shotclock-labelled jobs no longer declared: reported, left as they are */
  undeclared: string[];
  /** the incumbent's jobs paused by --take-over */
  tookOver: string[];
  /** the incumbent's jobs resumed by --give-back */
  gaveBack: string[];
  /** take-over jobs that do not exist in this project */
  notFound: string[];
}

const differences = (declared: SchedulerJobSpec, existing: ExistingSchedulerJob): string[] => [
  ...(declared.cron !== existing.cron ? ['schedule'] : []),
  ...(declared.timeZone !== existing.timeZone ? ['time zone'] : []),
  ...(declared.topic !== existing.topic ? ['topic'] : []),
  ...(JSON.stringify(declared.body) !== existing.body ? ['body'] : []),
  ...(declared.description !== existing.description ? ['description'] : []),
  ...(JSON.stringify(declared.retry) !== JSON.stringify(existing.retry) ? ['retry config'] : []),
  ...(!existing.managed ? ['label'] : []),
];

/**
 * Makes the scheduler hold the declared jobs; a second run changes nothing. It only ever touches
 * jobs it declares (labelled `managed-by=shotclock`) and, when asked, the incumbent's jobs listed
 * for take-over: every other job in the region belongs to someone else and is not even read twice.
 */
export async function reconcileSchedulerJobs(
  api: SchedulerJobs,
  declared: SchedulerJobSpec[],
  options: { takeOver?: string[]; giveBack?: string[] } = {},
): Promise<ReconcileReport> {
  const report: ReconcileReport = {
    created: [],
    updated: [],
    resumed: [],
    unchanged: [],
    undeclared: [],
    tookOver: [],
    gaveBack: [],
    notFound: [],
  };
  const existing = new Map((await api.list()).map((job) => [job.id, job]));
  for (const job of declared) {
    const current = existing.get(job.id);
    if (!current) {
      await api.create(job);
      report.created.push(job.id);
      continue;
    }
    const settings = differences(job, current);
    if (settings.length) {
      await api.update(job);
      report.updated.push({ id: job.id, settings });
    }
    if (current.state === 'PAUSED') {
      await api.resume(job.id);
      report.resumed.push(job.id);
    }
    if (!settings.length && current.state !== 'PAUSED') report.unchanged.push(job.id);
  }
  const declaredIds = new Set(declared.map((job) => job.id));
  for (const job of existing.values())
    if (job.managed && !declaredIds.has(job.id)) report.undeclared.push(job.id);
  for (const id of options.takeOver ?? []) {
    const job = existing.get(id);
    if (!job) report.notFound.push(id);
    else if (job.state === 'ENABLED') {
      await api.pause(id);
      report.tookOver.push(id);
    }
  }
  for (const id of options.giveBack ?? []) {
    const job = existing.get(id);
    if (!job) report.notFound.push(id);
    else if (job.state === 'PAUSED') {
      await api.resume(id);
      report.gaveBack.push(id);
    }
  }
  return report;
}
