import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../build.js';
import type { BenchRow } from './bench-row.js';
import { profileShares } from './cpu-profile.js';

const SECTION = 'replay of 2026-01-18 (npm start)';
const SCENARIO = join(REPO_ROOT, 'test', 'scenarios', '2026-01-18-incident.json');
const GOAL_SECONDS = 60;

/**
 * The whole 2026-01-18 day as `npm start` runs it (emulators started, every
 * function served, the report written), timed from the outside, with a CPU
 * profile of the replay's Node process: where its time goes, by category.
 * The Java emulators run in their own processes; their work shows here as
 * the Node process waiting (idle).
 */
export async function run(): Promise<BenchRow[]> {
  const dir = await mkdtemp(join(tmpdir(), 'shotclock-bench-replay-'));
  try {
    const report = join(dir, 'report.json');
    const started = performance.now();
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [
          '--cpu-prof',
          `--cpu-prof-dir=${dir}`,
          join(REPO_ROOT, 'scripts', 'shotclock.mjs'),
          'replay',
          SCENARIO,
          '--report',
          report,
        ],
        { cwd: REPO_ROOT, stdio: 'ignore' },
      );
      child.once('error', reject);
      child.once('exit', resolve);
    });
    const seconds = (performance.now() - started) / 1000;
    if (exitCode !== 0) throw new Error(`the replay exited with ${exitCode}`);
    const { wall_seconds: replaySeconds, deliveries } = JSON.parse(await readFile(report, 'utf8')) as {
      wall_seconds: number;
      deliveries: number;
    };
    const profile = (await readdir(dir)).find((file) => file.endsWith('.cpuprofile'));
    const shares = profile ? profileShares(join(dir, profile)) : [];
    return [
      {
        section: SECTION,
        name: 'wall time, command to exit',
        value: seconds,
        unit: 's',
        note: `goal ≤ ${GOAL_SECONDS} s; ${replaySeconds.toFixed(1)} s inside the replay (emulators up to report), ${deliveries} deliveries`,
      },
      ...shares.slice(0, 5).map((share, rank) => ({
        section: SECTION,
        name: `profile #${rank + 1}: ${share.category}`,
        value: share.share * 100,
        unit: '%',
        note: `${(share.ms / 1000).toFixed(1)} s of the replay process's profile`,
      })),
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.table(await run());
