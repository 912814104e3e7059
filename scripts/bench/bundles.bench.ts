import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Metafile } from 'esbuild';
import { promisify } from 'node:util';
import { type BuiltFunction, buildAll, buildFunction, REPO_ROOT } from '../build.js';
import { type BenchRow, median } from './bench-row.js';

/**
 * Per function: bundle size, and cold import time of the bundle against the
 * same function unbundled (tsc output importing from node_modules), with bare
 * `node -e 0` as the floor. Two imports each: the function's entry alone (what
 * the functions framework waits on before it serves), and the entry plus every
 * module it loads lazily (all of its production code: what a first event that
 * takes every path waits on, before any network). Cold = a fresh Node process
 * per import; each figure is the median of `BENCH_RUNS` (default 9) runs, the
 * variants measured in turn. One more row imports the Google clients alone
 * (Firestore, Pub/Sub, BigQuery) both ways: the part of every function's load
 * that is the official clients' own code, and how far bundling moves it.
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const TSC_OUT = join(REPO_ROOT, 'build', 'tsc');
/** Firestore, Pub/Sub and BigQuery and nothing else: what the official clients alone cost a cold start. */
const GOOGLE_CLIENTS = join(REPO_ROOT, 'scripts', 'bench', 'fixtures', 'google-clients.mjs');
const execFileAsync = promisify(execFile);

/** Wall and CPU time of a cold import, in ms. */
interface Cold {
  wall: number;
  /** user + system CPU of the process up to the end of the import: what a shared machine's load moves least */
  cpu: number;
}

const CPU_MARK = 'shotclock-bench-cpu-us ';

/** One fresh `node` process running `code`; undefined when it fails. */
function nodeProcess(code: string): Cold | undefined {
  const started = performance.now();
  const result = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `${code}\nconst { user, system } = process.cpuUsage(); process.stdout.write(${JSON.stringify(`\n${CPU_MARK}`)} + (user + system));`,
    ],
    {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, GOOGLE_CLOUD_PROJECT: 'demo-bench' },
      stdio: ['ignore', 'pipe', 'ignore'],
      encoding: 'utf8',
    },
  );
  const wall = performance.now() - started;
  const cpuUs = Number(result.stdout?.split(CPU_MARK).at(-1));
  return result.status === 0 && Number.isFinite(cpuUs) ? { wall, cpu: cpuUs / 1000 } : undefined;
}

function cold(code: string): Cold | undefined {
  return pairedCold([code])?.[0];
}

/**
 * Medians of several variants measured in turn (a, b, a, b, ...), so a
 * shared machine's load drifting during the run weighs on each alike.
 */
function pairedCold(codes: readonly string[]): Cold[] | undefined {
  const times = codes.map(() => [] as Cold[]);
  for (let i = 0; i < RUNS; i += 1)
    for (const [variant, code] of codes.entries()) {
      const measured = nodeProcess(code);
      if (measured === undefined) return undefined;
      times[variant]!.push(measured);
    }
  return times.map((samples) => ({
    wall: median(samples.map((sample) => sample.wall)),
    cpu: median(samples.map((sample) => sample.cpu)),
  }));
}

const importOf = (...files: string[]) =>
  files.map((file) => `await import(${JSON.stringify(`file://${file}`)});`).join(' ');

/**
 * The modules a function loads through a dynamic `import()` (its lazy paths,
 * the local-only DuckDB path left out), as the bundle's chunks and as the same
 * modules in the unbundled tsc output; undefined when one has no counterpart.
 */
function lazyModulesOf(fn: BuiltFunction): { bundled: string[]; unbundled: string[] } | undefined {
  const metafile = JSON.parse(readFileSync(join(fn.outDir, 'metafile.json'), 'utf8')) as Metafile;
  const bundled: string[] = [];
  const unbundled: string[] = [];
  for (const [file, output] of Object.entries(metafile.outputs)) {
    const chunk = relative(fn.outDir, join(REPO_ROOT, file));
    if (!fn.lazyChunks.includes(chunk) || !output.entryPoint) continue;
    const source = output.entryPoint;
    const counterpart = source.startsWith('node_modules/')
      ? join(REPO_ROOT, source)
      : join(TSC_OUT, source.replace(/\.ts$/, '.js'));
    if (!existsSync(counterpart)) return undefined;
    bundled.push(join(fn.outDir, chunk));
    unbundled.push(counterpart);
  }
  return { bundled, unbundled };
}

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
  const [built, clients] = await Promise.all([
    buildAll(),
    buildFunction({
      name: 'googleClients',
      entry: GOOGLE_CLIENTS,
      outDir: join(REPO_ROOT, 'build', 'bench', 'google-clients'),
    }),
    compileUnbundled(),
  ]);
  const section = 'bundles: size and cold import';
  const rows: BenchRow[] = [];
  const floorSamples: Cold[] = [];
  const [clientsFloor, clientsBundled, clientsUnbundled] = pairedCold([
    '0',
    importOf(join(clients.outDir, 'index.js')),
    importOf(GOOGLE_CLIENTS),
  ]) ?? [cold('0')!];
  if (clientsFloor) floorSamples.push(clientsFloor);
  if (clientsFloor && clientsBundled && clientsUnbundled)
    rows.push({
      section,
      name: 'Google clients alone, bundled / unbundled',
      value: clientsBundled.wall / clientsUnbundled.wall,
      unit: 'x',
      note:
        `Firestore, Pub/Sub and BigQuery imported and nothing else (${(clients.totalBytes / 1024).toFixed(0)} KiB ` +
        `bundled as a function is, vs as installed), wall; CPU ${(clientsBundled.cpu / clientsUnbundled.cpu).toFixed(2)}x; ` +
        `above the floor: ${(clientsBundled.wall - clientsFloor.wall).toFixed(0)} vs ` +
        `${(clientsUnbundled.wall - clientsFloor.wall).toFixed(0)} ms`,
    });
  else rows.push({ section, name: 'Google clients alone', value: 0, unit: 'ms', note: 'import failed' });
  for (const fn of built) {
    const unbundledFile = join(TSC_OUT, 'functions', fn.name, 'index.js');
    const lazy = existsSync(unbundledFile) ? lazyModulesOf(fn) : undefined;
    const bundledFile = join(fn.outDir, 'index.js');
    // The floor is measured in turn with each variant too: the shared machine's load moves them all alike.
    const [floor, bundled, unbundled, bundledAll, unbundledAll] = (lazy
      ? pairedCold([
          '0',
          importOf(bundledFile),
          importOf(unbundledFile),
          importOf(bundledFile, ...lazy.bundled),
          importOf(unbundledFile, ...lazy.unbundled),
        ])
      : undefined) ?? [cold('0')!];
    floorSamples.push(floor!);
    rows.push({
      section,
      name: `${fn.name} bundle read at cold start`,
      value: fn.eagerBytes / 1024,
      unit: 'KiB',
      note:
        `of ${(fn.totalBytes / 1024).toFixed(0)} KiB in ${fn.lazyChunks.length + 1}+ chunks (the rest ` +
        `loaded on first event); installs only ${Object.keys(fn.dependencies).join(', ')}`,
    });
    if (!floor || !bundled || !unbundled || !bundledAll || !unbundledAll || !lazy) {
      rows.push({
        section,
        name: `${fn.name} cold import`,
        value: 0,
        unit: 'ms',
        note: 'import failed (bundled or unbundled)',
      });
      continue;
    }
    const above = (measured: Cold) =>
      `${(measured.wall - floor.wall).toFixed(0)} ms wall, ${(measured.cpu - floor.cpu).toFixed(0)} ms CPU`;
    rows.push(
      {
        section,
        name: `${fn.name} cold import, bundled`,
        value: bundled.wall,
        unit: 'ms',
        note:
          `above the floor (${floor.wall.toFixed(0)} ms wall, ${floor.cpu.toFixed(0)} ms CPU, measured alongside): ` +
          above(bundled),
      },
      {
        section,
        name: `${fn.name} cold import, unbundled`,
        value: unbundled.wall,
        unit: 'ms',
        note: `above the floor: ${above(unbundled)}`,
      },
      {
        section,
        name: `${fn.name} bundled / unbundled`,
        value: bundled.wall / unbundled.wall,
        unit: 'x',
        note: `the entry alone, wall; CPU ${(bundled.cpu / unbundled.cpu).toFixed(2)}x`,
      },
      {
        section,
        name: `${fn.name} + lazy paths, bundled / unbundled`,
        value: bundledAll.wall / unbundledAll.wall,
        unit: 'x',
        note:
          `the entry and the ${lazy.bundled.length} modules it imports lazily (DuckDB left out; the bundle also ` +
          `leaves out modules the clients never use on Node, unbundled loads them as installed), wall; ` +
          `CPU ${(bundledAll.cpu / unbundledAll.cpu).toFixed(2)}x; above the floor: ${above(bundledAll)} vs ${above(unbundledAll)}`,
      },
    );
  }
  rows.unshift({
    section,
    name: 'node -e 0 (floor)',
    value: median(floorSamples.map((floor) => floor.wall)),
    unit: 'ms',
    note:
      `wall, median over the run (CPU ${median(floorSamples.map((floor) => floor.cpu)).toFixed(0)} ms); ` +
      `every import figure is a median of ${RUNS} fresh processes`,
  });
  return rows;
}
