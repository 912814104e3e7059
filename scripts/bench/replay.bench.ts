import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
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
/** CPU seconds used so far by every process below `root` (the emulators' JVMs among them). */
function descendantCpuSeconds(root: number): { emulators: number } {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,cputimes=,comm='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .map(([pid, ppid, cpu, comm]) => ({ pid: Number(pid), ppid: Number(ppid), cpu: Number(cpu), comm }));
  const below = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const row of rows)
      if (below.has(row.ppid) && !below.has(row.pid)) {
        below.add(row.pid);
        grew = true;
      }
  }
  return {
    emulators: rows
      .filter((row) => below.has(row.pid) && row.comm === 'java')
      .reduce((sum, row) => sum + row.cpu, 0),
  };
}

export async function run(): Promise<BenchRow[]> {
  const dir = await mkdtemp(join(tmpdir(), 'shotclock-bench-replay-'));
  try {
    const report = join(dir, 'report.json');
    const started = performance.now();
    let emulatorCpu = 0;
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
      // The emulators exit with the replay: their CPU is sampled while they run.
      const sampler = setInterval(() => {
        if (child.pid) emulatorCpu = Math.max(emulatorCpu, descendantCpuSeconds(child.pid).emulators);
      }, 1000);
      child.once('error', reject);
      child.once('exit', (code) => {
        clearInterval(sampler);
        resolve(code);
      });
    });
    const seconds = (performance.now() - started) / 1000;
    if (exitCode !== 0) throw new Error(`the replay exited with ${exitCode}`);
    const {
      wall_seconds: replaySeconds,
      wall_split: split,
      deliveries,
    } = JSON.parse(await readFile(report, 'utf8')) as {
      wall_seconds: number;
      wall_split: { stack_start: number; emulators: number | null; day: number; closing: number };
      deliveries: number;
    };
    // One profile per thread; the main thread's is the big one (the other is the logger's worker).
    const profiles = await Promise.all(
      (await readdir(dir))
        .filter((file) => file.endsWith('.cpuprofile'))
        .map(async (file) => ({ file, bytes: (await stat(join(dir, file))).size })),
    );
    const main = profiles.sort((a, b) => b.bytes - a.bytes)[0];
    const shares = main ? profileShares(join(dir, main.file)) : [];
    return [
      {
        section: SECTION,
        name: 'wall time, command to exit',
        value: seconds,
        unit: 's',
        note: `goal ≤ ${GOAL_SECONDS} s; ${replaySeconds.toFixed(1)} s inside the replay (emulators up to report), ${deliveries} deliveries`,
      },
      {
        section: SECTION,
        name: 'emulators (Java) start',
        value: split.emulators ?? 0,
        unit: 's',
        note:
          `stack start ${split.stack_start.toFixed(1)} s (emulators included), the day ${split.day.toFixed(1)} s, ` +
          `snapshot and status page ${split.closing.toFixed(1)} s; ${(seconds - replaySeconds).toFixed(1)} s ` +
          'outside the replay (Node and TypeScript loading, stopping)',
      },
      {
        section: SECTION,
        name: 'emulators (Java) CPU',
        value: emulatorCpu,
        unit: 's',
        note: 'Pub/Sub and Firestore emulators together, sampled each second; the replay process waits on them while idle',
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
