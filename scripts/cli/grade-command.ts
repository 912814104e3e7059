import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { gradeAndExport, type GradingRun } from '../../functions/liveGradingExport/grade-date.js';
import { DuckDbWarehouse } from '../../shared/adapters/duckdb.warehouse.js';
import { warehouseTablesOf } from '../../shared/config/tables.js';
import { FolderObjectStore } from '../../shared/adapters/folder.object-store.js';
import { systemClock } from '../../shared/adapters/clocks.js';
import type { Settings } from '../../shared/config/env.js';
import { addDays, daysBetween } from '../../shared/domain/calendar.js';
import { wilsonInterval } from '../../shared/domain/grading-stats.js';
import { createLogger } from '../../shared/logging/logger.js';
import { GameDate } from '../../shared/messages/primitives.js';
import type { AlertSink } from '../../shared/ports/alert-sink.port.js';
import type { ObjectStore } from '../../shared/ports/object-store.port.js';
import type { Warehouse } from '../../shared/ports/warehouse.port.js';
import { bigQueryWarehouse } from '../../shared/runtime/backends/bigquery.js';
import { objectStore } from '../../shared/runtime/backends/storage.js';
import { cliSettings, explicitWarehouse } from './settings.js';
import { UserError } from './user-error.js';

const MAX_DAYS = 400;

interface GradeOptions {
  from: string;
  to: string;
  warehouse?: string;
  exports?: string;
  verbose?: boolean;
}

function parseRange(options: GradeOptions): { from: string; to: string } {
  for (const field of ['from', 'to'] as const) {
    const parsed = GameDate.safeParse(options[field]);
    if (!parsed.success)
      throw new UserError(
        `--${field} ${options[field]}: ${parsed.error.issues[0]?.message ?? 'not a date'} (expected YYYY-MM-DD)`,
      );
  }
  const days = daysBetween(options.from, options.to);
  if (days < 0) throw new UserError(`--from ${options.from} is after --to ${options.to}`);
  if (days >= MAX_DAYS)
    throw new UserError(`the range is ${days + 1} days; grade at most ${MAX_DAYS} at a time`);
  return { from: options.from, to: options.to };
}

/**
 * The warehouse to grade in, named on purpose: without --warehouse or SHOTCLOCK_WAREHOUSE the
 * command refuses rather than reaching for BigQuery, and a DuckDB file must already exist (opening
 * a missing one would create an empty database and report "no games").
 */
async function openWarehouse(setting: string | undefined, settings: Settings): Promise<Warehouse> {
  if (setting === undefined)
    throw new UserError(
      'grade needs a warehouse: --warehouse bigquery or --warehouse duckdb:<file> (or set SHOTCLOCK_WAREHOUSE)',
    );
  if (setting.startsWith('duckdb:')) {
    const file = resolve(setting.slice('duckdb:'.length));
    if (!existsSync(file)) throw new UserError(`--warehouse ${setting}: no such DuckDB file ${file}`);
    return DuckDbWarehouse.open(file, warehouseTablesOf(settings.config));
  }
  if (setting === 'bigquery') return bigQueryWarehouse(settings);
  throw new UserError(`--warehouse ${setting}: expected bigquery or duckdb:<file>`);
}

/** A backfill looks at the past: it writes, but raises nothing (verdicts are in the table it prints). */
const quietAlerts: AlertSink = { raise: async () => undefined, resolve: async () => undefined };

const percent = (value: number | null | undefined) =>
  value === null || value === undefined ? '-' : `${(value * 100).toFixed(1)}%`;

function summaryBySystem(runs: readonly GradingRun[]) {
  const totals = new Map<
    string,
    { graded: number; correct: number; incorrect: number; pushes: number; voided: number; pending: number }
  >();
  for (const run of runs)
    for (const system of run.export?.systems ?? []) {
      const total = totals.get(system.system_id) ?? {
        graded: 0,
        correct: 0,
        incorrect: 0,
        pushes: 0,
        voided: 0,
        pending: 0,
      };
      total.graded += system.graded;
      total.correct += system.correct;
      total.incorrect += system.incorrect;
      total.pushes += system.pushes;
      total.voided += system.voided;
      total.pending += system.pending;
      totals.set(system.system_id, total);
    }
  return [...totals.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([system, total]) => {
      const decided = total.correct + total.incorrect;
      const interval = wilsonInterval(total.correct, decided);
      return {
        system,
        ...total,
        accuracy: percent(decided ? total.correct / decided : null),
        '95% CI': interval ? `${percent(interval.low)}-${percent(interval.high)}` : '-',
        'days below baseline': runs.filter((run) =>
          run.export?.systems.some(
            (entry) => entry.system_id === system && entry.verdict === 'below_baseline',
          ),
        ).length,
      };
    });
}

export function register(program: Command): void {
  program
    .command('grade')
    .description(
      'Regrade a range of dates: shotclock.graded_predictions (idempotent) and the live-grading exports',
    )
    .requiredOption('--from <date>', 'first game date, YYYY-MM-DD')
    .requiredOption('--to <date>', 'last game date, YYYY-MM-DD (inclusive)')
    .option('--warehouse <target>', 'bigquery or duckdb:<file> (default: SHOTCLOCK_WAREHOUSE)')
    .option('--exports <dir>', 'write exports to a local folder laid out as <dir>/<bucket>/<path>')
    .option('--verbose', 'log every run as JSON lines on stdout')
    .action(async (options: GradeOptions) => {
      const range = parseRange(options);
      const settings = cliSettings();
      const warehouse = await openWarehouse(options.warehouse ?? explicitWarehouse(), settings);
      const objects: ObjectStore = options.exports
        ? new FolderObjectStore(resolve(options.exports))
        : await objectStore(settings);
      const logger = createLogger(
        { function: 'grade-command' },
        options.verbose ? undefined : { write: () => undefined },
      );
      const deps = {
        config: settings.config,
        clock: systemClock,
        logger,
        warehouse,
        objects,
        alerts: quietAlerts,
      };

      // Oldest first: each date's baseline then reads the regraded days before it.
      const dates = Array.from({ length: daysBetween(range.from, range.to) + 1 }, (_, i) =>
        addDays(range.from, i),
      );
      const bar = new SingleBar({
        format: '  grading {bar} {value}/{total} dates | {date} | {graded} graded so far',
        hideCursor: true,
        clearOnComplete: true,
      });
      bar.start(dates.length, 0, { date: dates[0], graded: 0 });
      const runs: GradingRun[] = [];
      let graded = 0;
      try {
        for (const date of dates) {
          bar.update(runs.length, { date, graded });
          const run = await gradeAndExport(deps, date, { alert: false });
          runs.push(run);
          graded += run.export?.systems.reduce((sum, system) => sum + system.graded, 0) ?? 0;
          bar.update(runs.length, { date, graded });
        }
      } finally {
        bar.stop();
        if (warehouse instanceof DuckDbWarehouse) warehouse.close();
      }

      const production = settings.config.grading.production_system;
      console.log(`\nGraded ${range.from} to ${range.to}: production system ${production}\n`);
      console.table(
        runs.map((run) => {
          const system = run.export?.systems.find((entry) => entry.is_production);
          return {
            date: run.game_date,
            games: run.export ? run.export.summary.games_final + run.export.summary.games_in_progress : 0,
            graded: run.export?.summary.graded ?? 0,
            correct: run.export?.summary.correct ?? 0,
            accuracy: percent(system?.accuracy),
            '95% CI': system?.accuracy_interval
              ? `${percent(system.accuracy_interval.low)}-${percent(system.accuracy_interval.high)}`
              : '-',
            baseline: percent(system?.baseline?.accuracy),
            verdict: run.skipped ? 'no games' : (system?.verdict ?? '-'),
          };
        }),
      );
      console.log('\nAll systems over the range\n');
      console.table(summaryBySystem(runs));
      const written = runs.reduce((sum, run) => sum + run.written.length, 0);
      console.log(
        `\n${written} export objects written; shotclock.graded_predictions regraded for ${runs.length} dates.`,
      );
    });
}
