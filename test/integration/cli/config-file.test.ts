import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { descriptor as phaseTransitionProbe } from '../../../functions/phaseTransition/descriptor.js';
import { runShotclock } from '../../../scripts/cli/program.js';
import { cliSettings } from '../../../scripts/cli/settings.js';
import { runReplay } from '../../../scripts/replay/run.js';
import { readScenario } from '../../../scripts/replay/scenario.js';
import { DEFAULT_PIPELINE } from '../../../shared/config/default-pipeline.js';
import { runtimeSettings } from '../../../shared/runtime/settings.js';
import { freshProjectId, emulatorFirestore } from '../../support/backends.js';
import { DEFAULT_COLLECTIONS } from '../../../shared/config/collections.js';
import { firestoreStateStore } from '../../../shared/runtime/backends/firestore.js';
import { loadPipelineConfig, ConfigError } from '../../../shared/config/load.js';
import { statusSnapshotFor } from '../../../scripts/replay/status-snapshot.js';
import type { StatusSnapshot } from '../../../functions/statusPage/read-status.js';

const scratch = mkdtempSync(join(tmpdir(), 'shotclock-config-file-'));
const configFile = join(scratch, 'my-pipeline.json');
writeFileSync(
  configFile,
  JSON.stringify({
    delivery: { min_backoff_seconds: 30 },
    freshness_gate: { cutoff_local_time: '21:15' },
    alerts: { cooldown_minutes: 90 },
  }),
);

// A pipeline whose 5-minute tick is renamed and runs every quarter hour.
const renamedFile = join(scratch, 'renamed-jobs.json');
writeFileSync(
  renamedFile,
  JSON.stringify({
    schedules: (DEFAULT_PIPELINE.schedules ?? []).map((job) =>
      job.id === 'shotclock-tick' ? { ...job, id: 'every-quarter-hour', cron: '*/15 * * * *' } : job,
    ),
  }),
);
// A pipeline whose schedule lives in another table.
const movedScheduleFile = join(scratch, 'moved-schedule.json');
writeFileSync(movedScheduleFile, JSON.stringify({ schedule_table: 'my_league.games_schedule' }));

// A pipeline that keeps shotclock's state in collections of its own naming.
const renamedCollections = Object.fromEntries(
  Object.entries(DEFAULT_COLLECTIONS).map(([role]) => [role, `league_${role}`]),
);
const collectionsFile = join(scratch, 'renamed-collections.json');
writeFileSync(collectionsFile, JSON.stringify({ collections: renamedCollections }));

/** What `shotclock ...` printed on stdout, and its exit code. */
async function printed(args: string[]) {
  const lines: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    const code = await runShotclock(['node', 'shotclock', ...args]);
    return { code, stdout: lines.join('') };
  } finally {
    write.mockRestore();
  }
}

afterEach(() => {
  delete process.env.SHOTCLOCK_CONFIG_FILE;
  process.exitCode = undefined;
});

describe('one config file changes what every part does', () => {
  it('deploy --plan: the push subscriptions get the file’s backoff', async () => {
    const printed: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      printed.push(String(chunk));
      return true;
    });
    try {
      expect(await runShotclock(['node', 'shotclock', 'deploy', '--project', 'p', '--plan'])).toBe(0);
      const withDefault = printed.splice(0).join('');
      expect(
        await runShotclock([
          'node',
          'shotclock',
          '--config',
          configFile,
          'deploy',
          '--project',
          'p',
          '--plan',
        ]),
      ).toBe(0);
      const withFile = printed.join('');
      expect(withDefault).toContain('--min-retry-delay=60s');
      expect(withDefault).not.toContain('--min-retry-delay=30s');
      expect(withFile).toContain('--min-retry-delay=30s');
      expect(withFile).not.toContain('--min-retry-delay=60s');
    } finally {
      write.mockRestore();
    }
  });

  it('replay: the scenario runs on the file’s config, its own config merged over it', async () => {
    process.env.SHOTCLOCK_CONFIG_FILE = configFile;
    const { config } = await readScenario(
      'test/scenarios/freshness-gate-2026-01-17.json',
      cliSettings().override,
    );
    expect(config.freshness_gate.cutoff_local_time).toBe('21:15');
    expect(config.alerts.cooldown_minutes).toBe(90);
    delete process.env.SHOTCLOCK_CONFIG_FILE;
    const { config: defaults } = await readScenario('test/scenarios/freshness-gate-2026-01-17.json');
    expect(defaults.freshness_gate.cutoff_local_time).toBe('22:00');
  });

  it('the functions: SHOTCLOCK_CONFIG_FILE is read where a deployed function builds its settings', () => {
    process.env.SHOTCLOCK_CONFIG_FILE = configFile;
    const settings = runtimeSettings();
    expect(settings.config.alerts.cooldown_minutes).toBe(90);
    expect(settings.config.delivery.min_backoff_seconds).toBe(30);
  });

  it('deploy --plan: the renamed job, on its own cron, is what gets deployed', async () => {
    const plan = await printed(['--config', renamedFile, 'deploy', '--project', 'p', '--plan']);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(
      "gcloud scheduler jobs create pubsub every-quarter-hour --location=us-west2 '--schedule=*/15 * * * *'",
    );
    expect(plan.stdout).toContain('\'--message-body={"job":"every-quarter-hour"}\'');
    expect(plan.stdout).not.toContain('scheduler jobs create pubsub shotclock-tick ');
  });

  it('deploy --plan: a moved graded table is created where the config says, with grants on the datasets grading reads', async () => {
    const movedFile = join(scratch, 'moved-grading.json');
    writeFileSync(
      movedFile,
      JSON.stringify({
        grading: { tables: { predictions: 'league_ml.picks', graded: 'league_audit.graded_picks' } },
      }),
    );
    const plan = await printed(['--config', movedFile, 'deploy', '--project', 'p', '--plan']);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('gcloud alpha bq datasets create league_audit ');
    expect(plan.stdout).toContain(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the plan script sets WORK; this is its text
      'bq --project_id=p mk --table "--schema=${WORK}/schemas/league_audit.graded_picks.json" ' +
        '--time_partitioning_field=game_date --time_partitioning_type=DAY --require_partition_filter=true p:league_audit.graded_picks',
    );
    expect(plan.stdout).not.toContain('bq datasets create shotclock ');
    expect(plan.stdout).toContain(
      'grant_dataset league_audit WRITER sc-live-grading-export@p.iam.gserviceaccount.com',
    );
    expect(plan.stdout).toContain(
      'grant_dataset league_ml READER sc-live-grading-export@p.iam.gserviceaccount.com',
    );
    expect(plan.stdout).toContain(
      'grant_dataset league_ml READER sc-alert-monitor@p.iam.gserviceaccount.com',
    );
    // Grading no longer reads the default predictions dataset; the gate still does (ml_feature_store_v2).
    expect(plan.stdout).not.toContain('grant_dataset nba_predictions READER sc-live-grading-export@');
    expect(plan.stdout).toContain('grant_dataset nba_predictions READER sc-freshness-gate@');
  });

  it('the functions: the probe dry-runs the schedule query on the configured table', () => {
    process.env.SHOTCLOCK_CONFIG_FILE = movedScheduleFile;
    const { config } = runtimeSettings();
    const queries = phaseTransitionProbe.touches?.(config, '2026-01-18').queries ?? [];
    expect(queries.map((query) => query.sql).join('\n')).toContain('FROM my_league.games_schedule');
    expect(queries[0]?.params).toEqual({ game_date: '2026-01-18' });
  });

  it('replay and the functions: the renamed quarter-hour tick drives the Phase 3 -> 4 grace period', async () => {
    // The first hour of the 2026-01-18 Phase 3 picture: the critical processor completes at 17:01:40 ET,
    // the optional team context never does; the 30-minute grace runs out at 17:31:40.
    const picture = JSON.parse(readFileSync('test/scenarios/phase3-degraded-2026-01-18.json', 'utf8'));
    const scenarioFile = join(scratch, 'first-hour.json');
    writeFileSync(
      scenarioFile,
      JSON.stringify({
        ...picture,
        name: 'first hour, renamed tick',
        end: '2026-01-17T18:00:00-05:00',
        events: picture.events.slice(0, 2),
        expect: undefined,
        status_date: undefined,
      }),
    );
    process.env.SHOTCLOCK_CONFIG_FILE = renamedFile;
    const loaded = await readScenario(scenarioFile, cliSettings().override);
    const report = await runReplay(loaded, {
      dataDir: await mkdtemp(join(tmpdir(), 'shotclock-renamed-tick-')),
      projectId: freshProjectId('renamedtick'),
      emulatorHosts: { pubsub: inject('pubsubEmulatorHost'), firestore: inject('firestoreEmulatorHost') },
    });
    const ticks = report.published.filter((record) => record.topic === 'shotclock-tick');
    expect(new Set(ticks.map((tick) => (tick.data as { job: string }).job))).toEqual(
      new Set(['every-quarter-hour', 'freshness-gate', 'dependency-probe']),
    );
    // With the default 5-minute tick the trigger goes at 17:35 ET; on the quarter-hour job, at 17:45.
    const triggers = report.published.filter((record) => record.topic === 'nba-phase4-trigger');
    expect(triggers.length).toBeGreaterThan(0);
    expect(new Set(triggers.map((trigger) => trigger.at))).toEqual(new Set(['2026-01-17T22:45:00.000Z']));
  }, 180_000);
});

describe('shotclock’s Firestore collections are the ones the config names', () => {
  it('deploy --plan: the TTL policies go on the renamed collection groups', async () => {
    const plan = await printed(['--config', collectionsFile, 'deploy', '--project', 'p', '--plan']);
    expect(plan.code).toBe(0);
    for (const role of ['outbox', 'alerts', 'freshness_gate', 'record_count_history'])
      expect(plan.stdout).toContain(`--collection-group=league_${role} `);
    for (const name of Object.values(DEFAULT_COLLECTIONS))
      expect(plan.stdout).not.toContain(`--collection-group=${name} `);
  });

  it('a deployed function’s state store writes where the config says', async () => {
    process.env.SHOTCLOCK_CONFIG_FILE = collectionsFile;
    const projectId = freshProjectId('namedstate');
    const firestore = emulatorFirestore(projectId);
    const state = await firestoreStateStore({ ...runtimeSettings(), projectId });
    await state.merge('freshness_gate/2026-01-18', { status: 'OPEN' });
    expect((await firestore.doc('league_freshness_gate/2026-01-18').get()).get('status')).toBe('OPEN');
    expect((await firestore.doc('freshness_gate/2026-01-18').get()).exists).toBe(false);
  });

  it('two kinds of state may not share a collection: one line per clash', () => {
    expect(() => loadPipelineConfig({ collections: { outbox: 'shotclock_alerts' } })).toThrow(
      'collections.outbox: shotclock_alerts is already the collection of collections.alerts',
    );
    expect(() => loadPipelineConfig({ collections: { outbox: 'phase3_completion' } })).toThrow(ConfigError);
  });

  it('replay: the incident evening runs the same with every collection renamed, and the status page reads them', async () => {
    process.env.SHOTCLOCK_CONFIG_FILE = collectionsFile;
    const { scenario } = await readScenario(
      'test/scenarios/2026-01-18-incident.json',
      cliSettings().override,
    );
    const until = '2026-01-17T19:00:00-05:00';
    const loaded = await readScenario(
      await (async () => {
        const file = join(scratch, 'incident-evening.json');
        writeFileSync(
          file,
          JSON.stringify({
            ...scenario,
            end: until,
            events: scenario.events.filter((event) => Date.parse(event.at) <= Date.parse(until)),
            expect: undefined,
          }),
        );
        return file;
      })(),
      cliSettings().override,
    );
    expect(loaded.config.collections.outbox).toBe('league_outbox');
    const projectId = freshProjectId('namedcollections');
    const report = await runReplay(loaded, {
      dataDir: await mkdtemp(join(tmpdir(), 'shotclock-named-collections-')),
      projectId,
      emulatorHosts: { pubsub: inject('pubsubEmulatorHost'), firestore: inject('firestoreEmulatorHost') },
      statusSnapshot: statusSnapshotFor(),
    });
    // The same evening as under the default names: two re-runs, the gate held then opened, predictions started.
    expect(report.calls.map((call) => [new URL(call.url).pathname, call.status])).toEqual([
      ['/process-date-range', 200],
      ['/process-date-range', 200],
      ['/start', 202],
    ]);
    expect(report.gates.map((gate) => gate.status)).toEqual(['BLOCKED', 'OPEN']);

    const collections = (await emulatorFirestore(projectId).listCollections()).map((c) => c.id);
    for (const role of ['outbox', 'record_count_checks', 'record_count_history', 'freshness_gate'])
      expect(collections).toContain(`league_${role}`);
    for (const name of Object.values(DEFAULT_COLLECTIONS)) expect(collections).not.toContain(name);

    const page = JSON.parse(readFileSync(report.status_page!.json, 'utf8')) as StatusSnapshot;
    const day = page.days.find((d) => d.date === '2026-01-18')!;
    expect(day.gate?.status).toBe('OPEN');
    expect(day.retries.flatMap((retry) => retry.requests).map((request) => request.attempt)).toEqual([1, 2]);
    expect(page.problems).toEqual([]);
  }, 180_000);
});
