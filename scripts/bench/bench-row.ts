/**
 * One figure in `npm run bench`. Every `scripts/bench/<name>.bench.ts` exports
 * `async function run(): Promise<BenchRow[]>`; the rows of all modules are
 * measured in one run and printed side by side, grouped by `section`.
 */
export interface BenchRow {
  section: string;
  name: string;
  value: number;
  /** `ms`, `KiB`, `x` (a ratio), `count`, ... */
  unit: string;
  /** how it was measured, or what it is compared with */
  note?: string;
}

export type BenchModule = { run(): Promise<BenchRow[]> };

/** Median of repeated measurements: one slow run on a shared machine does not move it. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
