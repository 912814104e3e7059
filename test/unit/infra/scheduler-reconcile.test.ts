import { describe, expect, it } from 'vitest';
import { buildTopology, type SchedulerJobSpec } from '../../../infra/topology.js';
import { loadPipelineConfig } from '../../../shared/config/load.js';
import {
  type ExistingSchedulerJob,
  reconcileSchedulerJobs,
  type SchedulerJobs,
} from '../../../scripts/deploy/scheduler-reconcile.js';

/** Cloud Scheduler's behaviour as the reconciler relies on it, kept in memory (there is no emulator). */
function schedulerHolding(
  initial: ExistingSchedulerJob[],
): SchedulerJobs & { jobs: Map<string, ExistingSchedulerJob> } {
  const jobs = new Map(initial.map((job) => [job.id, { ...job }]));
  const asExisting = (job: SchedulerJobSpec, state: ExistingSchedulerJob['state']): ExistingSchedulerJob => ({
    id: job.id,
    cron: job.cron,
    timeZone: job.timeZone,
    topic: job.topic,
    body: JSON.stringify(job.body),
    state,
  });
  return {
    jobs,
    list: async () => [...jobs.values()].map((job) => ({ ...job })),
    create: async (job) => {
      if (jobs.has(job.id)) throw new Error(`ALREADY_EXISTS ${job.id}`);
      jobs.set(job.id, asExisting(job, 'ENABLED'));
    },
    update: async (job) => {
      jobs.set(job.id, asExisting(job, jobs.get(job.id)!.state));
    },
    pause: async (id) => {
      jobs.get(id)!.state = 'PAUSED';
    },
    resume: async (id) => {
      jobs.get(id)!.state = 'ENABLED';
    },
  };
}

describe('scheduler reconciliation', () => {
  const declared = buildTopology(loadPipelineConfig()).schedulerJobs;

  it('creates what is missing, fixes what drifted, resumes what was paused, reports extras; the second run changes nothing', async () => {
    const tick = declared.find((job) => job.id === 'shotclock-tick')!;
    const gate = declared.find((job) => job.id === 'freshness-gate')!;
    const api = schedulerHolding([
      {
        id: tick.id,
        cron: '*/10 * * * *',
        timeZone: tick.timeZone,
        topic: tick.topic,
        body: JSON.stringify(tick.body),
        state: 'ENABLED',
      },
      {
        id: gate.id,
        cron: gate.cron,
        timeZone: gate.timeZone,
        topic: gate.topic,
        body: JSON.stringify(gate.body),
        state: 'PAUSED',
      },
      {
        id: 'old-freshness-validator',
        cron: '45 17 * * *',
        timeZone: 'America/New_York',
        topic: 'x',
        body: '{}',
        state: 'ENABLED',
      },
    ]);
    const first = await reconcileSchedulerJobs(api, declared, { pauseUndeclared: true });
    expect(first.updated).toEqual(['shotclock-tick']);
    expect(first.resumed).toEqual(['freshness-gate']);
    expect(first.created).toHaveLength(declared.length - 2);
    expect(first.undeclared).toEqual(['old-freshness-validator']);
    expect(first.paused).toEqual(['old-freshness-validator']);
    expect(api.jobs.get('shotclock-tick')!.cron).toBe('*/5 * * * *');

    const second = await reconcileSchedulerJobs(api, declared, { pauseUndeclared: true });
    expect(second).toEqual({
      created: [],
      updated: [],
      resumed: [],
      unchanged: declared.map((job) => job.id),
      undeclared: ['old-freshness-validator'],
      paused: [],
    });
  });
});
