import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildAll, REPO_ROOT } from '../build.js';
import { type BenchRow, median } from './bench-row.js';

/**
 * Per function: bundle size, and cold import time of the bundle against the
 * same function unbundled (tsc output importing from node_modules), with bare
 * `node -e 0` as the floor. Cold = a fresh Node process per import; each
 * figure is the median of `BENCH_RUNS` (default 9) runs.
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const TSC_OUT = join(REPO_ROOT, 'build', 'tsc');
const execFileAsync = promisify(execFile);

/** Wall time of one fresh `node` process running `code`, in ms; undefined when it fails. */
function nodeProcessMs(code: string): number | undefined {
  const started = performance.now();
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, GOOGLE_CLOUD_PROJECT: 'demo-bench' },
    stdio: 'ignore',
  });
  const elapsed = performance.now() - started;
  return result.status === 0 ? elapsed : undefined;
}

function coldMs(code: string): number | undefined {
  return pairedColdMs([code])?.[0];
}

/**
 * Medians of several variants measured in turn (a, b, a, b, ...), so a
 * shared machine's load drifting during the run weighs on each alike.
 */
function pairedColdMs(codes: readonly string[]): number[] | undefined {
  const times = codes.map(() => [] as number[]);
  for (let i = 0; i < RUNS; i += 1)
    for (const [variant, code] of codes.entries()) {
      const ms = nodeProcessMs(code);
      if (ms === undefined) return undefined;
      times[variant]!.push(ms);
    }
  return times.map(median);
}

const importOf = (file: string) => `await import(${JSON.stringify(`file://${file}`)});`;

async function compileUnbundled(): Promise<void> {
  // Other work in progress may not type-check; tsc still emits, which is all this needs.
  await execFileAsync(
    join(REPO_ROOT, 'node_modules', '.bin', 'tsc'),
    ['-p', 'tsconfig.json', '--outDir', TSC_OUT],
    {
      cwd: REPO_ROOT,
    },
  ).catch(() => undefined);
}

export async function run(): Promise<BenchRow[]> {
  // dist/ inside the repo, so both variants resolve their externals from the same node_modules
  const [built] = await Promise.all([buildAll(), compileUnbundled()]);
  const section = 'bundles: size and cold import';
  const rows: BenchRow[] = [];
  const floorSamples: number[] = [];
  for (const fn of built) {
    const unbundledFile = join(TSC_OUT, 'functions', fn.name, 'index.js');
    // The floor is measured in turn with each pair too: the shared machine's load moves all three alike.
    const [floor, bundled, unbundled] = (existsSync(unbundledFile)
      ? pairedColdMs(['0', importOf(join(fn.outDir, 'index.js')), importOf(unbundledFile)])
      : undefined) ?? [coldMs('0')!, undefined, undefined];
    floorSamples.push(floor!);
    rows.push({
      section,
      name: `${fn.name} bundle read at cold start`,
      value: fn.eagerBytes / 1024,
      unit: 'KiB',
      note:
        `of ${(fn.totalBytes / 1024).toFixed(0)} KiB in ${fn.lazyChunks.length + 1}+ chunks (Google clients bundled, ` +
        `loaded on first event); installs only ${Object.keys(fn.dependencies).join(', ')}`,
    });
    if (floor === undefined || bundled === undefined || unbundled === undefined) {
      rows.push({
        section,
        name: `${fn.name} cold import`,
        value: 0,
        unit: 'ms',
        note: 'import failed (bundled or unbundled)',
      });
      continue;
    }
    rows.push(
      {
        section,
        name: `${fn.name} cold import, bundled`,
        value: bundled,
        unit: 'ms',
        note: `${(bundled / floor).toFixed(2)}x the floor of ${floor.toFixed(0)} ms measured alongside`,
      },
      {
        section,
        name: `${fn.name} cold import, unbundled`,
        value: unbundled,
        unit: 'ms',
        note: `${(unbundled / floor).toFixed(2)}x the floor`,
      },
      {
        section,
        name: `${fn.name} bundled / unbundled`,
        value: bundled / unbundled,
        unit: 'x',
        note: `above the floor: ${(bundled - floor).toFixed(0)} vs ${(unbundled - floor).toFixed(0)} ms`,
      },
    );
  }
  rows.unshift({
    section,
    name: 'node -e 0 (floor)',
    value: median(floorSamples),
    unit: 'ms',
    note: `median over the run; every import figure is a median of ${RUNS} fresh processes`,
  });
  return rows;
}
