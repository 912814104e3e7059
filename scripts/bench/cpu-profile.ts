import { readFileSync } from 'node:fs';

/** The parts of a V8 `.cpuprofile` this needs (`node --cpu-prof` writes one per process). */
interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { url: string; functionName: string } }>;
  samples: number[];
  timeDeltas: number[];
}

/** Where a sample's time went, in words a reader of the bench table knows. */
export function categoryOf(url: string, functionName: string): string {
  if (!url) {
    if (functionName === '(idle)') return 'waiting (idle: emulators, I/O)';
    if (functionName === '(garbage collector)') return 'garbage collection';
    if (functionName === '(program)') return 'V8 (compile, runtime)';
    return 'native';
  }
  const modules = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/g);
  const pkg = modules?.at(-1)?.replace('node_modules/', '');
  if (pkg) {
    if (/^@grpc\/|^google-gax$|^protobufjs$|^@protobufjs\//.test(pkg)) return 'gRPC to the emulators';
    if (/^@google-cloud\//.test(pkg)) return `${pkg} client`;
    if (/^@duckdb\//.test(pkg)) return 'DuckDB';
    if (/^(tsx|esbuild|get-tsconfig)$/.test(pkg)) return 'TypeScript loading (tsx)';
    if (/^@google-cloud\/functions-framework$|^express$|^body-parser$|^router$/.test(pkg))
      return 'functions framework';
    return `other packages (${pkg} …)`;
  }
  if (url.startsWith('node:')) return 'Node internals (streams, http, timers)';
  if (/\/functions\//.test(url)) return 'shotclock functions';
  if (/\/shared\//.test(url)) return 'shotclock shared code';
  if (/\/scripts\//.test(url)) return 'replay harness';
  return 'other';
}

/** Share of profiled time per category, largest first. */
export function profileShares(file: string): Array<{ category: string; ms: number; share: number }> {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byCategory = new Map<string, number>();
  profile.samples.forEach((id, index) => {
    const node = nodes.get(id);
    if (!node) return;
    const category = categoryOf(node.callFrame.url, node.callFrame.functionName);
    byCategory.set(category, (byCategory.get(category) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  const total = [...byCategory.values()].reduce((sum, micros) => sum + micros, 0);
  return [...byCategory.entries()]
    .map(([category, micros]) => ({ category, ms: micros / 1000, share: micros / total }))
    .sort((a, b) => b.ms - a.ms);
}
