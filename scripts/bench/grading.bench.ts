import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { DuckDbWarehouse } from '../../shared/adapters/duckdb.warehouse.js';
import { loadPipelineConfig } from '../../shared/config/load.js';
import type { PipelineConfig } from '../../shared/config/schema.js';
import {
  BOX_SCORES_TABLE as PLAYER_GAME_SUMMARY_TABLE,
  GRADED_PREDICTIONS_TABLE,
  PREDICTIONS_TABLE,
} from '../../shared/config/tables.js';
import { addDays } from '../../shared/domain/calendar.js';
import {
  type GradedPrediction,
  type PredictionStatus,
  tallySystems,
} from '../../shared/domain/grading-stats.js';
import type { Warehouse, WarehouseRow } from '../../shared/ports/warehouse.port.js';
import {
  gradePredictions,
  gradingQuery,
  LIVE_GRADER,
  saveGrading,
  saveGradingParameters,
} from '../../shared/queries/grading.js';
import { generateSlate, incidentSlate, type SlateTables } from '../../test/support/slate.js';
import type { BenchRow } from './bench-row.js';

const SECTION = 'grading';
const SEASON_START = '2025-10-21';
const SEASON_DAYS = 150;
/** 150 days x 6 systems x 278 rows = 250,200 predictions */
const SEASON_ROWS_PER_SYSTEM = 278;

/**
 * Loads a slate fast: rows to NDJSON, then one `INSERT ... BY NAME SELECT`
 * from DuckDB's JSON reader. DuckDB-only SQL, bench setup only, so the
 * setup does not depend on how the adapter's `insert` is built.
 */
async function bulkLoad(warehouse: Warehouse, tables: SlateTables, dir: string): Promise<void> {
  for (const [table, rows] of Object.entries(tables)) {
    if (rows.length === 0) continue;
    const file = join(dir, `${table}.ndjson`);
    await writeFile(file, rows.map((row) => JSON.stringify(row)).join('\n'));
    await warehouse.execute(
      `INSERT INTO ${table} BY NAME SELECT * FROM read_json_auto('${file.replaceAll("'", "''")}', format = 'newline_delimited')`,
    );
  }
}

function mergeTables(target: SlateTables, source: SlateTables): void {
  for (const [table, rows] of Object.entries(source)) {
    const list = target[table] ?? [];
    list.push(...rows);
    target[table] = list;
  }
}

type Row = Record<string, unknown>;
const text = (value: unknown) => (value === null || value === undefined ? '' : String(value));
const number = (value: unknown) => (value === null || value === undefined ? null : Number(value));

/**
 * The straightforward way: read the rows into JavaScript and apply the same
 * rules in a loop. What the grading query replaces.
 */
export async function gradeRowByRow(
  warehouse: Warehouse,
  config: PipelineConfig,
  fromDate: string,
  toDate: string,
): Promise<GradedPrediction[]> {
  const range = { from_date: fromDate, to_date: toDate };
  const between = 'game_date BETWEEN CAST(@from_date AS DATE) AND CAST(@to_date AS DATE)';
  const [predictions, boxScores, schedule] = await Promise.all([
    warehouse.query<Row>(`SELECT * FROM ${PREDICTIONS_TABLE} WHERE ${between}`, range),
    warehouse.query<Row>(`SELECT * FROM ${PLAYER_GAME_SUMMARY_TABLE} WHERE ${between}`, range),
    warehouse.query<Row>(`SELECT * FROM ${config.schedule_table} WHERE ${between}`, range),
  ]);

  const latest = new Map<string, Row>();
  for (const row of predictions) {
    if (row.is_active !== true) continue;
    const key = `${text(row.player_lookup)}|${text(row.game_id)}|${text(row.system_id)}`;
    const current = latest.get(key);
    if (!current || isNewerPrediction(row, current)) latest.set(key, row);
  }
  const box = new Map<string, Row>();
  for (const row of boxScores) {
    const key = `${text(row.player_lookup)}|${text(row.game_id)}`;
    const current = box.get(key);
    if (!current || text(row.processed_at) > text(current.processed_at)) box.set(key, row);
  }
  const gameStatus = new Map<string, number>();
  for (const row of schedule)
    gameStatus.set(
      text(row.game_id),
      Math.max(gameStatus.get(text(row.game_id)) ?? 0, Number(row.game_status)),
    );
  const playersWithBox = new Map<string, number>();
  for (const row of box.values())
    playersWithBox.set(text(row.game_id), (playersWithBox.get(text(row.game_id)) ?? 0) + 1);

  const graded: GradedPrediction[] = [];
  for (const prediction of latest.values()) {
    const gameId = text(prediction.game_id);
    const score = box.get(`${text(prediction.player_lookup)}|${gameId}`);
    const status = gameStatus.get(gameId) ?? null;
    const line = number(prediction.current_points_line);
    const recommendation = prediction.recommendation as string | null;
    const skip =
      recommendation === 'PASS'
        ? 'pass'
        : recommendation === 'NO_LINE'
          ? 'no_line'
          : recommendation !== 'OVER' && recommendation !== 'UNDER'
            ? 'unknown_recommendation'
            : line === null
              ? 'missing_line'
              : line === config.grading.placeholder_line
                ? 'placeholder_line'
                : null;
    const points = number(score?.points);
    const minutes = number(score?.minutes_played);
    const outcome =
      score && score.is_dnp === true
        ? 'did_not_play'
        : status !== null && status !== 3
          ? 'pending'
          : !score && status === 3 && (playersWithBox.get(gameId) ?? 0) > 0
            ? 'no_box_score'
            : !score
              ? 'pending'
              : (minutes ?? 0) === 0 && (points ?? 0) === 0
                ? 'zero_minutes_zero_points'
                : 'played';
    let result: PredictionStatus;
    if (skip) result = 'not_graded';
    else if (outcome !== 'played' && outcome !== 'pending') result = 'voided';
    else if (outcome === 'pending') result = 'pending';
    else if (points === line) result = 'push';
    else result = points! > line! === (recommendation === 'OVER') ? 'correct' : 'incorrect';
    const predicted = number(prediction.predicted_points);
    const played = outcome === 'played' && predicted !== null;
    graded.push({
      game_date: text(prediction.game_date),
      system_id: text(prediction.system_id),
      player_lookup: text(prediction.player_lookup),
      game_id: gameId,
      prediction_id: prediction.prediction_id as string | null,
      predicted_points: predicted,
      confidence_score: number(prediction.confidence_score),
      recommendation,
      line_value: line,
      actual_points: points,
      minutes_played: minutes,
      game_status: status,
      status: result,
      reason: result === 'not_graded' ? skip : result === 'voided' ? outcome : null,
      prediction_correct: result === 'correct' ? true : result === 'incorrect' ? false : null,
      absolute_error: played ? Math.abs(points! - predicted) : null,
      signed_error: played ? predicted - points! : null,
    });
  }
  return graded;
}

function isNewerPrediction(candidate: Row, current: Row): boolean {
  const version = (row: Row) => Number(row.prediction_version ?? 0);
  if (version(candidate) !== version(current)) return version(candidate) > version(current);
  if (text(candidate.created_at) !== text(current.created_at))
    return text(candidate.created_at) > text(current.created_at);
  return text(candidate.prediction_id) > text(current.prediction_id);
}

/**
 * Row-by-row write: delete the range, then the graded rows handed to the adapter's `insert` (DuckDB's
 * appender here; streaming inserts on BigQuery).
 */
async function saveRowByRow(warehouse: Warehouse, rows: GradedPrediction[], from: string, to: string) {
  await warehouse.execute(
    `DELETE FROM ${GRADED_PREDICTIONS_TABLE} WHERE game_date BETWEEN CAST(@from_date AS DATE) AND CAST(@to_date AS DATE)`,
    { from_date: from, to_date: to },
  );
  const gradedAt = new Date().toISOString();
  const resolved: WarehouseRow[] = rows
    .filter((row) => row.status !== 'pending')
    .map((row) => ({
      player_lookup: row.player_lookup,
      game_id: row.game_id,
      system_id: row.system_id,
      game_date: row.game_date,
      prediction_id: row.prediction_id,
      predicted_points: row.predicted_points,
      recommendation: row.recommendation,
      line_value: row.line_value,
      actual_points: row.actual_points,
      minutes_played: row.minutes_played,
      absolute_error: row.absolute_error,
      signed_error: row.signed_error,
      status: row.status,
      prediction_correct: row.prediction_correct,
      is_voided: row.status === 'voided',
      void_reason: row.status === 'voided' ? row.reason : null,
      graded_by: LIVE_GRADER,
      graded_at: gradedAt,
    }));
  await warehouse.insert(GRADED_PREDICTIONS_TABLE, resolved);
}

const GRADED_COLUMNS = `game_date, system_id, player_lookup, game_id, prediction_id, predicted_points,
  recommendation, line_value, actual_points, minutes_played, absolute_error, signed_error, status,
  prediction_correct, is_voided, void_reason, graded_by, graded_at`;

/**
 * The fair alternative to the MERGE: set-based too, the grading computed in
 * the engine, but two statements (delete this grader's rows of the range,
 * then `INSERT … SELECT`), so a reader between them sees the range empty.
 */
async function saveByDeleteThenInsertSelect(
  warehouse: Warehouse,
  config: PipelineConfig,
  from: string,
  to: string,
): Promise<void> {
  const parameters = saveGradingParameters(config, from, to, new Date());
  await warehouse.execute(
    `DELETE FROM ${GRADED_PREDICTIONS_TABLE} WHERE game_date BETWEEN CAST(@from_date AS DATE) AND CAST(@to_date AS DATE) AND graded_by = @graded_by`,
    { from_date: from, to_date: to, graded_by: LIVE_GRADER },
  );
  await warehouse.execute(
    `INSERT INTO ${GRADED_PREDICTIONS_TABLE} (${GRADED_COLUMNS})
SELECT game_date, system_id, player_lookup, game_id, prediction_id, predicted_points, recommendation,
  line_value, actual_points, minutes_played, absolute_error, signed_error, status, prediction_correct,
  (status = 'voided'), CASE WHEN status = 'voided' THEN reason END, @graded_by, CAST(@graded_at AS TIMESTAMP)
FROM (
${gradingQuery(config)}
) AS graded
WHERE graded.resolved`,
    parameters,
  );
}

/** Both ways must agree, or the timing compares different work. */
function assertSameGrading(setBased: GradedPrediction[], rowByRow: GradedPrediction[]): void {
  const fingerprint = (rows: GradedPrediction[]) =>
    JSON.stringify(
      rows
        .map((row) => `${row.system_id}|${row.player_lookup}|${row.game_id}|${row.status}|${row.reason}`)
        .sort(),
    );
  if (fingerprint(setBased) !== fingerprint(rowByRow))
    throw new Error('set-based and row-by-row grading disagree; the benchmark would compare different work');
}

/**
 * Median wall-clock time, and the median CPU time of the process (DuckDB's
 * threads included), which holds up better on a busy shared machine.
 */
async function timed<T>(
  runs: number,
  work: () => Promise<T>,
): Promise<{ ms: number; cpuMs: number; result: T }> {
  let result = await work(); // warm-up
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const started = performance.now();
    const cpuStart = process.cpuUsage();
    result = await work();
    const used = process.cpuUsage(cpuStart);
    times.push(performance.now() - started);
    cpu.push((used.user + used.system) / 1000);
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  return { ms: median(times), cpuMs: median(cpu), result };
}

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

async function compare(
  label: string,
  tables: SlateTables,
  from: string,
  to: string,
  runs: number,
  writeRowByRow: boolean,
): Promise<BenchRow[]> {
  const config = loadPipelineConfig();
  const warehouse = await DuckDbWarehouse.open(':memory:');
  const dir = await mkdtemp(join(tmpdir(), 'shotclock-bench-grading-'));
  try {
    await bulkLoad(warehouse, tables, dir);
    const predictions = tables[PREDICTIONS_TABLE]?.length ?? 0;
    const setBased = await timed(runs, async () => {
      const rows = await gradePredictions(warehouse, config, from, to);
      tallySystems(rows);
      return rows;
    });
    const rowByRow = await timed(runs, async () => {
      const rows = await gradeRowByRow(warehouse, config, from, to);
      tallySystems(rows);
      return rows;
    });
    assertSameGrading(setBased.result, rowByRow.result);
    const note = `${predictions.toLocaleString('en-US')} prediction rows, ${setBased.result.length.toLocaleString('en-US')} graded (latest per player/game/system), DuckDB in memory, median of ${runs}`;
    const rows: BenchRow[] = [
      {
        section: SECTION,
        name: `grade ${label}: set-based (one query)`,
        value: round(setBased.ms),
        unit: 'ms',
        note,
      },
      {
        section: SECTION,
        name: `grade ${label}: row-by-row (JS loop over rows read)`,
        value: round(rowByRow.ms),
        unit: 'ms',
        note,
      },
      {
        section: SECTION,
        name: `grade ${label}: row-by-row / set-based`,
        value: round(rowByRow.ms / setBased.ms, 2),
        unit: 'x',
        note: `wall clock; CPU time ${round(rowByRow.cpuMs)} / ${round(setBased.cpuMs)} ms = ${round(rowByRow.cpuMs / setBased.cpuMs, 2)}x`,
      },
    ];
    const merge = await timed(runs, () =>
      saveGrading(warehouse, config, from, to, new Date()).then(() => setBased.result),
    );
    rows.push({
      section: SECTION,
      name: `write ${label}: MERGE into graded_predictions`,
      value: round(merge.ms),
      unit: 'ms',
      note: 'one statement, atomic, idempotent',
    });
    const written = async () =>
      (await warehouse.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${GRADED_PREDICTIONS_TABLE}`, {}))[0]
        ?.n;
    const afterMerge = Number(await written());
    const insertSelect = await timed(runs, () =>
      saveByDeleteThenInsertSelect(warehouse, config, from, to).then(() => setBased.result),
    );
    if (Number(await written()) !== afterMerge)
      throw new Error(
        'MERGE and DELETE + INSERT … SELECT wrote different rows; the comparison would be unfair',
      );
    rows.push(
      {
        section: SECTION,
        name: `write ${label}: DELETE + INSERT … SELECT`,
        value: round(insertSelect.ms),
        unit: 'ms',
        note: 'set-based too, two statements: the range reads empty between them',
      },
      {
        section: SECTION,
        name: `write ${label}: MERGE / (DELETE + INSERT … SELECT)`,
        value: round(merge.ms / insertSelect.ms, 2),
        unit: 'x',
        note: 'what atomicity costs against the fair set-based alternative, same engine, same rows',
      },
    );
    if (writeRowByRow) {
      const perRow = await timed(1, () =>
        saveRowByRow(warehouse, rowByRow.result, from, to).then(() => rowByRow.result),
      );
      rows.push(
        {
          section: SECTION,
          name: `write ${label}: delete + rows inserted (appended)`,
          value: round(perRow.ms),
          unit: 'ms',
          note: "not atomic across the two steps; the adapter's insert (DuckDB's appender; streaming inserts on BigQuery, whose rows cannot be deleted for ~30 min)",
        },
        {
          section: SECTION,
          name: `write ${label}: rows inserted / MERGE`,
          value: round(perRow.ms / merge.ms, 2),
          unit: 'x',
        },
      );
    }
    return rows;
  } finally {
    warehouse.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchRow[]> {
  const incident = incidentSlate();
  const day = await compare(
    '1,680 predictions (2026-01-18)',
    incident.tables,
    '2026-01-18',
    '2026-01-18',
    5,
    true,
  );

  const season: SlateTables = {};
  for (let i = 0; i < SEASON_DAYS; i += 1) {
    const gameDate = addDays(SEASON_START, i);
    mergeTables(
      season,
      generateSlate({
        gameDate,
        seed: i + 1,
        games: 6,
        players: 60,
        rowsPerSystem: SEASON_ROWS_PER_SYSTEM,
      }).tables,
    );
  }
  const last = addDays(SEASON_START, SEASON_DAYS - 1);
  const seasonRows = await compare('a season (250,200 predictions)', season, SEASON_START, last, 2, false);
  return [...day, ...seasonRows];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) console.table(await run());
