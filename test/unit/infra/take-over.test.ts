import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SchedulerJobSpec } from '../../../infra/topology.js';
import { runShotclock } from '../../../scripts/cli/program.js';
import {
  type ExistingSchedulerJob,
  reconcileSchedulerJobs,
  type SchedulerJobs,
} from '../../../scripts/deploy/scheduler-reconcile.js';

/** A pipeline whose incumbent parts have other names than the default's. */
const scratch = mkdtempSync(join(tmpdir(), 'shotclock-take-over-'));
const ownConfig = join(scratch, 'take-over.json');
writeFileSync(
  ownConfig,
  JSON.stringify({
    take_over: {
      scheduler_jobs: [{ id: 'evening-predictions', replaced_by: 'the freshness gate' }],
      functions: [
        { name: 'their-orchestrator', topic: 'their-phase3-complete', replaced_by: 'phase-transition' },
      ],
    },
  }),
);

afterEach(() => {
  process.exitCode = undefined;
});

async function plan(...args: string[]): Promise<string> {
  const printed: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    printed.push(String(chunk));
    return true;
  });
  try {
    const config = args[0] === '--own' ? ['--config', ownConfig] : [];
    const flags = args.filter((arg) => arg !== '--own');
    expect(
      await runShotclock(['node', 'shotclock', ...config, 'deploy', '--project', 'p', '--plan', ...flags]),
    ).toBe(0);
  } finally {
    write.mockRestore();
  }
  return printed.join('');
}

/** What a plan's take-over or give-back section changes: jobs paused or resumed, subscriptions detached or re-attached. */
const stateChanges = (script: string) =>
  script
    .split('\n')
    .filter((line) => !line.trim().startsWith('#'))
    .flatMap((line) => [
      ...[...line.matchAll(/gcloud scheduler jobs (pause|resume) (\S+)/g)].map(
        ([, verb, job]) => `${verb} job ${job}`,
      ),
      ...[...line.matchAll(/detach_pushing_to "\$\(gcloud functions describe (\S+) .*?\)" (\S+) /g)].map(
        ([, fn, topic]) => `detach the subscriptions of ${topic} that push to ${fn}`,
      ),
      ...[...line.matchAll(/reattach_labelled (\S+) (\S+) /g)].map(
        ([, topic, label]) => `re-attach the subscriptions of ${topic} labelled ${label}`,
      ),
    ]);

describe('deploy --plan --take-over / --give-back', () => {
  it('--take-over: the script pauses exactly the jobs and detaches exactly the functions listed in take_over, by default', async () => {
    const script = await plan('--own', '--take-over');
    expect(script).toContain('TAKE_OVER:-yes}"  # yes: pause');
    expect(stateChanges(script)).toEqual([
      'pause job evening-predictions',
      'detach the subscriptions of their-phase3-complete that push to their-orchestrator',
    ]);
    // Each detached subscription is labelled for give-back, and its push config recorded first.
    expect(script).toContain(
      'gcloud pubsub subscriptions update "$1" --update-labels=shotclock-took-over="$2"',
    );
    expect(script).toContain('gcloud secrets versions add shotclock-take-over');
    expect(spawnSync('bash', ['-n'], { input: script }).status).toBe(0);
  });

  it('without --take-over the same section is there but off unless TAKE_OVER=yes', async () => {
    const script = await plan('--own');
    expect(script).toContain('TAKE_OVER:-no}"  # yes: pause');
    expect(script).toContain('if [ "$TAKE_OVER" = yes ]; then');
  });

  it('--give-back: resumes exactly the listed jobs and re-attaches only the subscriptions take-over labelled', async () => {
    const script = await plan('--own', '--give-back');
    expect(stateChanges(script)).toEqual([
      'resume job evening-predictions',
      're-attach the subscriptions of their-phase3-complete labelled their-orchestrator',
    ]);
    expect(script).toContain('--remove-labels=shotclock-took-over');
    expect(script).not.toContain('jobs pause');
    expect(spawnSync('bash', ['-n'], { input: script }).status).toBe(0);
  });

  it('the default config takes over the incumbent’s 18:00 predictions job, its Phase 4 timeout job and its two orchestrators', async () => {
    expect(stateChanges(await plan('--take-over'))).toEqual([
      'pause job same-day-predictions-tomorrow',
      'pause job phase4-timeout-check-job',
      'detach the subscriptions of nba-phase3-analytics-complete that push to phase3-to-phase4-orchestrator',
      'detach the subscriptions of nba-phase4-precompute-complete that push to phase4-to-phase5-orchestrator',
    ]);
  });
});

/** Cloud Scheduler as a table of jobs: enough to see which jobs a reconciliation changed. */
class JobTable implements SchedulerJobs {
  readonly jobs = new Map<string, ExistingSchedulerJob>();
  constructor(jobs: ExistingSchedulerJob[]) {
    for (const job of jobs) this.jobs.set(job.id, { ...job });
  }
  async list() {
    return [...this.jobs.values()].map((job) => ({ ...job }));
  }
  async create(job: SchedulerJobSpec) {
    this.jobs.set(job.id, { ...asExisting(job), managed: true, state: 'ENABLED' });
  }
  async update(job: SchedulerJobSpec) {
    this.jobs.set(job.id, { ...asExisting(job), managed: true, state: this.jobs.get(job.id)!.state });
  }
  async pause(id: string) {
    this.jobs.get(id)!.state = 'PAUSED';
  }
  async resume(id: string) {
    this.jobs.get(id)!.state = 'ENABLED';
  }
}

const asExisting = (job: SchedulerJobSpec): ExistingSchedulerJob => ({
  id: job.id,
  cron: job.cron,
  timeZone: job.timeZone,
  topic: job.topic,
  body: JSON.stringify(job.body),
  description: job.description,
  retry: job.retry,
  managed: true,
  state: 'ENABLED',
});

describe('scheduler reconciliation touches only shotclock’s jobs and the ones listed for take-over', () => {
  const declared: SchedulerJobSpec = {
    id: 'shotclock-tick',
    description: 'tick',
    cron: '*/5 * * * *',
    timeZone: 'America/New_York',
    topic: 'shotclock-tick',
    body: { job: 'shotclock-tick' },
    retry: { retryCount: 0 },
  } as SchedulerJobSpec;
  const foreign = (
    id: string,
    state: ExistingSchedulerJob['state'],
    managed = false,
  ): ExistingSchedulerJob => ({
    id,
    cron: '0 18 * * *',
    timeZone: 'America/New_York',
    topic: '',
    body: '{"force": true}',
    description: `${id} (not shotclock's)`,
    retry: undefined as unknown as ExistingSchedulerJob['retry'],
    managed,
    state,
  });
  const world = () =>
    new JobTable([
      foreign('same-day-predictions-tomorrow', 'ENABLED'),
      foreign('another-teams-nightly', 'ENABLED'),
      foreign('another-teams-paused', 'PAUSED'),
      foreign('shotclock-old-job', 'ENABLED', true),
    ]);
  const states = (table: JobTable) =>
    Object.fromEntries([...table.jobs.values()].map((job) => [job.id, [job.state, job.description]]));

  it('a plain deploy creates its own job and leaves every other job exactly as it was, reporting its own stale one', async () => {
    const table = world();
    const before = states(table);
    const report = await reconcileSchedulerJobs(table, [declared]);
    expect(report.created).toEqual(['shotclock-tick']);
    expect(report.undeclared).toEqual(['shotclock-old-job']);
    const after = states(table);
    delete after['shotclock-tick'];
    expect(after).toEqual(before);
  });

  it('--take-over pauses the listed job only; --give-back resumes it and no other paused job', async () => {
    const table = world();
    await reconcileSchedulerJobs(table, [declared], {
      takeOver: ['same-day-predictions-tomorrow', 'not-here'],
    });
    expect(states(table)).toMatchObject({
      'same-day-predictions-tomorrow': ['PAUSED', expect.any(String)],
      'another-teams-nightly': ['ENABLED', "another-teams-nightly (not shotclock's)"],
      'another-teams-paused': ['PAUSED', "another-teams-paused (not shotclock's)"],
      'shotclock-old-job': ['ENABLED', expect.any(String)],
    });
    const back = await reconcileSchedulerJobs(table, [declared], {
      giveBack: ['same-day-predictions-tomorrow'],
    });
    expect(back.gaveBack).toEqual(['same-day-predictions-tomorrow']);
    expect(states(table)).toMatchObject({
      'same-day-predictions-tomorrow': ['ENABLED', "same-day-predictions-tomorrow (not shotclock's)"],
      'another-teams-nightly': ['ENABLED', expect.any(String)],
      'another-teams-paused': ['PAUSED', expect.any(String)],
    });
  });
});
