import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { register } from '../../../scripts/cli/grade-command.js';
import { UserError } from '../../../scripts/cli/user-error.js';
import { DuckDbWarehouse } from '../../../shared/adapters/duckdb.warehouse.js';
import { loadPipelineConfig } from '../../../shared/config/load.js';
import { warehouseTablesOf } from '../../../shared/config/tables.js';
import { generateSlate, loadSlate } from '../../support/slate.js';

async function shotclock(...args: string[]) {
  const program = new Command().exitOverride();
  register(program);
  const printed: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...parts) => void printed.push(parts.join(' ')));
  const table = vi
    .spyOn(console, 'table')
    .mockImplementation((rows) => void printed.push(JSON.stringify(rows)));
  const error = vi
    .spyOn(console, 'error')
    .mockImplementation((...parts) => void printed.push(parts.join(' ')));
  try {
    await program.parseAsync(['node', 'shotclock', ...args]);
  } finally {
    log.mockRestore();
    table.mockRestore();
    error.mockRestore();
  }
  return printed.join('\n');
}

describe('shotclock grade --from --to', () => {
  afterEach(() => {
    process.exitCode = undefined;
    delete process.env.SHOTCLOCK_CONFIG_FILE;
  });

  it('regrades a range into a DuckDB file and a folder of exports, twice without duplicates', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'shotclock-grade-cli-'));
    const file = join(dir, 'warehouse.duckdb');
    const seed = await DuckDbWarehouse.open(file);
    for (const [i, gameDate] of ['2026-01-15', '2026-01-16'].entries())
      await loadSlate(seed, generateSlate({ gameDate, seed: i + 1, games: 3, players: 24 }).tables);
    seed.close();

    const args = ['grade', '--from', '2026-01-15', '--to', '2026-01-17', '--warehouse', `duckdb:${file}`];
    const output = await shotclock(...args, '--exports', join(dir, 'exports'));
    await shotclock(...args, '--exports', join(dir, 'exports'));

    expect(output).toContain('Graded 2026-01-15 to 2026-01-17');
    expect(output).toContain('"verdict":"no games"');
    expect(output).toContain('"system":"catboost_v8"');
    const files = await readdir(join(dir, 'exports', 'nba-props-platform-api', 'v1', 'live-grading'));
    expect(files.filter((name) => !name.endsWith('.meta.json')).sort()).toEqual([
      '2026-01-15.json',
      '2026-01-16.json',
      'latest.json',
    ]);
    const warehouse = await DuckDbWarehouse.open(file);
    const [counts] = await warehouse.query<{ rows: number; keys: number }>(
      `SELECT COUNT(*) AS rows, COUNT(DISTINCT game_date || player_lookup || game_id || system_id) AS keys
       FROM shotclock.graded_predictions`,
    );
    warehouse.close();
    expect(counts!.rows).toBeGreaterThan(0);
    expect(counts!.rows).toBe(counts!.keys);
  });

  it('grades the tables the config names: predictions, box scores, schedule and graded rows moved', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'shotclock-grade-moved-'));
    const moved = {
      schedule_table: 'league_raw.games',
      grading: {
        tables: {
          predictions: 'league_ml.picks',
          box_scores: 'league_stats.box_scores',
          graded: 'league_audit.graded_picks',
        },
      },
    };
    process.env.SHOTCLOCK_CONFIG_FILE = join(dir, 'moved-tables.json');
    await writeFile(process.env.SHOTCLOCK_CONFIG_FILE, JSON.stringify(moved));
    const renamed: Record<string, string> = {
      'nba_raw.nbac_schedule': moved.schedule_table,
      'nba_predictions.player_prop_predictions': moved.grading.tables.predictions,
      'nba_analytics.player_game_summary': moved.grading.tables.box_scores,
      'shotclock.graded_predictions': moved.grading.tables.graded,
    };
    const file = join(dir, 'warehouse.duckdb');
    const seed = await DuckDbWarehouse.open(file, warehouseTablesOf(loadPipelineConfig(moved)));
    const slate = generateSlate({ gameDate: '2026-01-16', seed: 3, games: 3, players: 24 });
    await loadSlate(
      seed,
      Object.fromEntries(
        Object.entries(slate.tables).map(([table, rows]) => [renamed[table] ?? table, rows]),
      ),
    );
    seed.close();

    const output = await shotclock(
      'grade',
      '--from',
      '2026-01-16',
      '--to',
      '2026-01-16',
      '--warehouse',
      `duckdb:${file}`,
      '--exports',
      join(dir, 'exports'),
    );
    expect(output).toContain('"system":"catboost_v8"');
    const warehouse = await DuckDbWarehouse.open(file);
    const [graded] = await warehouse.query<{ rows: number }>(
      `SELECT COUNT(*) AS rows FROM league_audit.graded_picks WHERE game_date = DATE '2026-01-16'`,
    );
    const [defaultTable] = await warehouse.query<{ rows: number }>(
      'SELECT COUNT(*) AS rows FROM shotclock.graded_predictions',
    );
    warehouse.close();
    expect(Number(graded!.rows)).toBeGreaterThan(0);
    expect(Number(defaultTable!.rows)).toBe(0);
  });

  it('refuses a range backwards, with the reason (a user error: the CLI prints it and exits 2)', async () => {
    await expect(shotclock('grade', '--from', '2026-01-18', '--to', '2026-01-15')).rejects.toThrow(
      new UserError('--from 2026-01-18 is after --to 2026-01-15'),
    );
  });
});
