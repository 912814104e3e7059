import { describe, expect, it } from 'vitest';
import { descriptor } from '../../../functions/liveGradingExport/descriptor.js';
import { DuckDbWarehouse } from '../../../shared/adapters/duckdb.warehouse.js';
import { loadPipelineConfig } from '../../../shared/config/load.js';
import { type TableDeclaration, WAREHOUSE_TABLES, warehouseTablesOf } from '../../../shared/config/tables.js';
import { DEFAULT_PIPELINE } from '../../../shared/config/default-pipeline.js';
import { descriptor as recordCountDescriptor } from '../../../functions/recordCountCheck/descriptor.js';
import { answerProbe } from '../../../shared/probe/function-probe.js';

const BOX_SCORES = 'nba_analytics.player_game_summary';

/** The box-score table as someone might redeploy it: minutes as FLOAT64, `is_dnp` dropped. */
function drifted(): Record<string, TableDeclaration> {
  const { is_dnp: _dropped, ...columns } = WAREHOUSE_TABLES[BOX_SCORES]!.columns;
  return {
    ...WAREHOUSE_TABLES,
    [BOX_SCORES]: {
      ...WAREHOUSE_TABLES[BOX_SCORES]!,
      columns: { ...columns, minutes_played: { type: 'FLOAT64', required: false } },
    },
  };
}

const tables = descriptor.touches?.(loadPipelineConfig(), '2026-01-18').tables ?? [];
const probe = (warehouse: DuckDbWarehouse) =>
  answerProbe(descriptor.name, async () => ({ warehouse }), 'full', {
    ...descriptor,
    touches: () => ({ tables }),
  });

describe('the probe compares the deployed tables with the declarations', () => {
  it('tables as declared: every table check is green', async () => {
    const warehouse = await DuckDbWarehouse.open(':memory:');
    const answer = await probe(warehouse);
    warehouse.close();
    const tableChecks = answer.checks.filter((check) => check.check.startsWith('table:'));
    expect(tableChecks.map((check) => [check.check, check.status])).toEqual(
      tables.map((table) => [`table:${table}`, 'green']),
    );
  });

  it('a missing column or a changed type is red, naming the column and both types', async () => {
    const warehouse = await DuckDbWarehouse.open(':memory:', drifted());
    const answer = await probe(warehouse);
    warehouse.close();
    const red = answer.checks.filter((check) => check.status === 'red');
    expect(red.map((check) => check.check)).toEqual([`table:${BOX_SCORES}`]);
    expect(red[0]!.detail).toBe(
      `${BOX_SCORES}.minutes_played is FLOAT64, declared NUMERIC(5,1); ${BOX_SCORES}.is_dnp is missing (declared BOOL)`,
    );
    expect(answer.status).toBe('red');
  });
});

describe('a table the config moves is checked against the declaration it stands in for', () => {
  // The box scores live elsewhere: both the Phase 3 processor and grading read them there.
  const moved = 'league_stats.player_games';
  const config = loadPipelineConfig({
    phases: DEFAULT_PIPELINE.phases?.map((phase) => ({
      ...phase,
      processors: phase.processors.map((processor) =>
        processor.name === 'player_game_summary' ? { ...processor, table: moved } : processor,
      ),
    })),
    grading: { tables: { box_scores: moved } },
  });
  const movedProbe = (warehouse: DuckDbWarehouse) =>
    answerProbe(
      recordCountDescriptor.name,
      async () => ({ warehouse, config }),
      'full',
      recordCountDescriptor,
    );

  it('the local warehouse creates it, and the probe finds it as declared', async () => {
    const warehouse = await DuckDbWarehouse.open(':memory:', warehouseTablesOf(config));
    const answer = await movedProbe(warehouse);
    warehouse.close();
    const check = answer.checks.find((candidate) => candidate.check === `table:${moved}`);
    expect(check?.status).toBe('green');
  });

  it('where it does not exist, the probe says so by name', async () => {
    const warehouse = await DuckDbWarehouse.open(':memory:');
    const answer = await movedProbe(warehouse);
    warehouse.close();
    const check = answer.checks.find((candidate) => candidate.check === `table:${moved}`);
    expect(check?.status).toBe('red');
    expect(check?.detail).toContain(`table ${moved} does not exist`);
  });
});
