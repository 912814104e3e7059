import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchModule, BenchRow } from './bench/bench-row.js';

/**
 * `npm run bench [name ...]`: runs every `scripts/bench/*.bench.ts` (or the
 * ones named) one after the other, so their figures come from the same
 * machine state, and prints them as one table.
 */
// Benchmarks talk to loopback only: Google clients must not look for a GCE metadata server.
process.env.METADATA_SERVER_DETECTION = 'none';

const BENCH_DIR = join(dirname(fileURLToPath(import.meta.url)), 'bench');

function formatValue(row: BenchRow): string {
  const digits = row.unit === 'x' ? 2 : Math.abs(row.value) >= 100 ? 0 : 1;
  return `${row.value.toFixed(digits)} ${row.unit}`;
}

export function renderTable(rows: readonly BenchRow[]): string {
  const nameWidth = Math.max(4, ...rows.map((row) => row.name.length));
  const valueWidth = Math.max(5, ...rows.map((row) => formatValue(row).length));
  const lines: string[] = [];
  for (const section of [...new Set(rows.map((row) => row.section))]) {
    lines.push('', section, '-'.repeat(section.length));
    for (const row of rows.filter((candidate) => candidate.section === section))
      lines.push(
        `  ${row.name.padEnd(nameWidth)}  ${formatValue(row).padStart(valueWidth)}${row.note ? `  ${row.note}` : ''}`,
      );
  }
  return lines.join('\n');
}

async function main() {
  const wanted = process.argv.slice(2);
  const files = readdirSync(BENCH_DIR)
    .filter((file) => file.endsWith('.bench.ts'))
    .filter((file) => wanted.length === 0 || wanted.includes(basename(file, '.bench.ts')))
    .sort();
  const rows: BenchRow[] = [];
  for (const file of files) {
    const started = performance.now();
    const module = (await import(pathToFileURL(join(BENCH_DIR, file)).href)) as BenchModule;
    try {
      rows.push(...(await module.run()));
    } catch (error) {
      rows.push({
        section: basename(file, '.bench.ts'),
        name: 'failed',
        value: 0,
        unit: '',
        note: String(error),
      });
    }
    console.error(`${file}: ${Math.round(performance.now() - started)} ms`);
  }
  console.log(renderTable(rows));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
