import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as alertQueries from '../../../functions/alertMonitor/queries.js';
import { evaluateGate } from '../../../functions/freshnessGate/evaluate-gate.js';
import { checkExportStaleness } from '../../../functions/liveGradingExport/check-staleness.js';
import { gradeAndExport } from '../../../functions/liveGradingExport/grade-date.js';
import { countRows } from '../../../functions/recordCountCheck/warehouse-counts.js';
import { parameterType } from '../../../shared/adapters/bigquery.warehouse.js';
import { SimulatedClock } from '../../../shared/adapters/clocks.js';
import { DuckDbWarehouse } from '../../../shared/adapters/duckdb.warehouse.js';
import { FolderObjectStore } from '../../../shared/adapters/folder.object-store.js';
import { MemoryStateStore } from '../../../shared/adapters/memory.state-store.js';
import { loadPipelineConfig } from '../../../shared/config/load.js';
import { WAREHOUSE_TABLES } from '../../../shared/config/tables.js';
import { createLogger } from '../../../shared/logging/logger.js';
import type { SqlParameter } from '../../../shared/ports/warehouse.port.js';
import type { FunctionDescriptor } from '../../../shared/probe/function-descriptor.js';
import { answerProbe } from '../../../shared/probe/function-probe.js';
import { checkedTableDays } from '../../../shared/queries/freshness.js';
import {
  productionSendSites,
  RecordingWarehouse,
  type SentStatement,
} from '../../support/recording-warehouse.js';
import { generateSlate, loadSlate } from '../../support/slate.js';
import { type Analysis, startGoogleSqlAnalyzer } from '../../support/zetasql.js';
import { partitionFilterProblems } from './partition-filters.js';

const GRADED = '2026-01-17';
const GATED = '2026-01-18';

/**
 * Every statement shotclock sends, collected by running the code paths that
 * send them (each function's use case, and the probe's dry runs) against a
 * recording warehouse over DuckDB; then analysed as GoogleSQL by ZetaSQL with
 * BigQuery's language options against the declared schemas, with the
 * parameter types the BigQuery client would send.
 */
async function collectStatements(): Promise<{ sent: SentStatement[]; close: () => Promise<void> }> {
  const config = loadPipelineConfig();
  const duckdb = await DuckDbWarehouse.open(':memory:');
  const warehouse = new RecordingWarehouse(duckdb);
  const root = await mkdtemp(join(tmpdir(), 'shotclock-googlesql-'));
  const clock = new SimulatedClock('2026-01-18T02:30:00Z');
  const logger = createLogger({}, { write: () => undefined });
  const alerts = { raise: async () => undefined, resolve: async () => undefined };
  const objects = new FolderObjectStore(root, () => clock.now());

  const slate = generateSlate({
    gameDate: GRADED,
    seed: 5,
    games: 3,
    players: 24,
    gameStatus: [3, 3, 2],
    history: { days: 3, decidedPerDay: 5, accuracy: {} },
  });
  await loadSlate(duckdb, slate.tables);
  await duckdb.insert('nba_raw.nbac_schedule', [
    {
      game_id: '20260118_A_B',
      game_date: GATED,
      home_team_tricode: 'B',
      away_team_tricode: 'A',
      game_status: 1,
    },
  ]);

  // liveGradingExport: a grading run (grade, MERGE, baseline) and the staleness check on the tick.
  const grading = { config, clock, logger, warehouse, objects, alerts };
  await gradeAndExport(grading, GRADED, { alert: false });
  await checkExportStaleness({ ...grading, state: new MemoryStateStore() });
  // freshnessGate: the schedule and one query per configured check, with the baseline window.
  await evaluateGate({ config, warehouse }, GATED, clock.now());
  // recordCountCheck: the count of every processor of the phases it counts, as the schedule says.
  for (const phase of config.phases.filter((candidate) => config.record_count.phases.includes(candidate.id)))
    for (const processor of phase.processors)
      if (processor.table) await countRows(warehouse, processor.table, processor.date_column, GATED);
  // alertMonitor's tick rules: prediction volume, and staleness per freshness check.
  await alertQueries.predictionVolume(warehouse, config.grading.tables.predictions, GATED);
  for (const check of config.freshness_gate.checks)
    await alertQueries.newestProcessedAt(warehouse, check, GATED);
  // The probe: every function's declared queries, dry-run as a full probe does.
  const functionsDir = join(import.meta.dirname, '..', '..', '..', 'functions');
  for (const name of await readdir(functionsDir)) {
    if (!existsSync(join(functionsDir, name, 'descriptor.ts'))) continue;
    const { descriptor } = (await import(`../../../functions/${name}/descriptor.ts`)) as {
      descriptor?: FunctionDescriptor;
    };
    const queries = descriptor?.touches?.(loadPipelineConfig(), '2026-01-18').queries;
    if (!descriptor || !queries) continue;
    await answerProbe(
      name,
      async () => ({ warehouse }),
      'full',
      { ...descriptor, touches: () => ({ queries }) },
      {},
    );
  }
  return {
    sent: warehouse.sent,
    close: async () => {
      duckdb.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

interface DistinctStatement {
  sql: string;
  parameterTypes: Record<string, string>;
  sites: string[];
  label: string;
}

function parameterTypes(params: Record<string, SqlParameter>): Record<string, string> {
  return Object.fromEntries(Object.entries(params).map(([name, value]) => [name, parameterType(value)]));
}

function distinct(sent: readonly SentStatement[]): DistinctStatement[] {
  const byText = new Map<string, DistinctStatement>();
  for (const statement of sent) {
    const types = parameterTypes(statement.params);
    const key = `${statement.sql}\n${JSON.stringify(Object.entries(types).sort())}`;
    const known = byText.get(key);
    if (known) {
      if (!known.sites.includes(statement.site)) known.sites.push(statement.site);
      continue;
    }
    const table = /\b(?:FROM|INTO)\s+([a-z_]+\.[a-z_0-9]+)/i.exec(statement.sql)?.[1] ?? '?';
    const verb = statement.sql.trim().split(/\s+/)[0]!.toUpperCase();
    byText.set(key, {
      sql: statement.sql,
      parameterTypes: types,
      sites: [statement.site],
      label: `${verb} ${table}`,
    });
  }
  return [...byText.values()];
}

describe('every statement shotclock sends is valid GoogleSQL against the real schemas', async () => {
  const [analyzer, collected] = await Promise.all([
    startGoogleSqlAnalyzer(WAREHOUSE_TABLES),
    collectStatements(),
  ]);
  afterAll(async () => {
    analyzer.stop();
    await collected.close();
  });
  const statements = distinct(collected.sent);
  const analyses = new Map<DistinctStatement, Analysis>();
  for (const statement of statements)
    analyses.set(statement, await analyzer.analyze(statement.sql, statement.parameterTypes));

  it('the collector ran every line of production code that sends a statement', () => {
    const ran = new Set(collected.sent.map((statement) => statement.site));
    expect(productionSendSites().filter((site) => !ran.has(site))).toEqual([]);
    expect(statements.length).toBeGreaterThanOrEqual(10);
  });

  it.each(
    statements.map((statement, i) => [
      `#${i + 1} ${statement.label} (${statement.sites.join(', ')})`,
      statement,
    ]),
  )('%s: valid in BigQuery’s dialect', (_label, statement) => {
    const analysis = analyses.get(statement as DistinctStatement)!;
    expect(analysis.error ?? null).toBeNull();
  });

  it('the same statements ran on DuckDB without an error', () => {
    expect(collected.sent.filter((statement) => statement.error).map((s) => `${s.site}: ${s.error}`)).toEqual(
      [],
    );
  });

  it('every statement filters each table that requires it on its partition column', () => {
    const problems = statements.flatMap((statement) =>
      partitionFilterProblems(analyses.get(statement)?.resolved, WAREHOUSE_TABLES).map(
        (problem) => `${statement.label} (${statement.sites.join(', ')}): ${problem}`,
      ),
    );
    expect(problems).toEqual([]);
  });

  it('a query naming a column the real table lacks is refused, naming the column', async () => {
    // The freshness check as it once was: ml_feature_store_v2 has created_at and updated_at, no processed_at.
    const duckdb = await DuckDbWarehouse.open(':memory:');
    const recorder = new RecordingWarehouse(duckdb);
    const check = loadPipelineConfig().freshness_gate.checks.find((candidate) =>
      candidate.table.endsWith('ml_feature_store_v2'),
    )!;
    await checkedTableDays(
      recorder,
      { ...check, processed_column: 'processed_at', processed_fallback_column: undefined },
      GATED,
    ).catch(() => undefined);
    duckdb.close();
    const [sent] = recorder.sent;
    const analysis = await analyzer.analyze(sent!.sql, parameterTypes(sent!.params));
    expect(analysis.ok).toBe(false);
    expect(analysis.error).toMatch(/Unrecognized name: processed_at/);
  });

  it('a query on a table that requires a partition filter, without one, is caught', async () => {
    const analysis = await analyzer.analyze(
      `SELECT COUNT(*) AS n FROM nba_raw.nbac_schedule WHERE game_status = 3`,
      {},
    );
    expect(analysis.ok).toBe(true);
    expect(partitionFilterProblems(analysis.resolved, WAREHOUSE_TABLES)).toEqual([
      'nba_raw.nbac_schedule is scanned without a filter on its partition column game_date',
    ]);
  });
});
