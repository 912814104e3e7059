import type { PipelineConfig } from '../config/schema.js';
import type { GradedPrediction, SystemBaseline } from '../domain/grading-stats.js';
import { type SqlParameter, tableName, type Warehouse } from '../ports/warehouse.port.js';

type GradingConfig = Pick<PipelineConfig, 'schedule_table'> & {
  grading: Pick<PipelineConfig['grading'], 'placeholder_line' | 'tables'>;
};

/**
 * The grading rules as one query over a date range (one date for a live run,
 * a season for a backfill). Parameters: `@from_date`, `@to_date`,
 * `@placeholder_line`. One row per latest active prediction per
 * (player, game, system), with `status` one of correct / incorrect / push /
 * pending / voided / not_graded and the `reason` for the last two.
 *
 * Rules, in order:
 * - not graded: PASS, NO_LINE, any other recommendation, no line, the placeholder line;
 * - voided: `is_dnp`; no box score for the player once the game is final
 *   (`game_status = 3`) and the game has box scores for others (before Phase 3
 *   writes any, the game is pending, not a slate of DNPs); 0 minutes and 0 points;
 * - pending: the game is scheduled or in progress, or has no box score yet;
 * - push when actual == line; correct when (actual > line) == (OVER).
 *
 * Written in the subset BigQuery and DuckDB both run alike: CTEs,
 * ROW_NUMBER() OVER, CASE, COALESCE, ABS, no QUALIFY, no date arithmetic
 * (the caller passes both ends of the range).
 */
function gradingCore(config: GradingConfig): string {
  return `WITH latest_prediction AS (
  SELECT prediction_id, system_id, player_lookup, game_date, game_id, predicted_points,
         confidence_score, recommendation, current_points_line,
         ROW_NUMBER() OVER (
           PARTITION BY player_lookup, game_id, system_id
           ORDER BY COALESCE(prediction_version, 0) DESC, created_at DESC, prediction_id DESC
         ) AS recency
  FROM ${tableName(config.grading.tables.predictions)}
  WHERE game_date BETWEEN CAST(@from_date AS DATE) AND CAST(@to_date AS DATE)
    AND is_active = TRUE
),
box_score AS (
  SELECT player_lookup, game_id, points, minutes_played, is_dnp,
         ROW_NUMBER() OVER (
           PARTITION BY player_lookup, game_id
           ORDER BY processed_at DESC, created_at DESC
         ) AS recency
  FROM ${tableName(config.grading.tables.box_scores)}
  WHERE game_date BETWEEN CAST(@from_date AS DATE) AND CAST(@to_date AS DATE)
),
game AS (
  SELECT game_id, MAX(game_status) AS game_status
  FROM ${tableName(config.schedule_table)}
  WHERE game_date BETWEEN CAST(@from_date AS DATE) AND CAST(@to_date AS DATE)
  GROUP BY game_id
),
game_box_scores AS (
  SELECT game_id, COUNT(*) AS players FROM box_score WHERE recency = 1 GROUP BY game_id
),
joined AS (
  SELECT p.game_date, p.system_id, p.player_lookup, p.game_id, p.prediction_id, p.predicted_points,
         p.confidence_score, p.recommendation, p.current_points_line AS line_value,
         b.points AS actual_points, b.minutes_played, g.game_status,
         CASE
           WHEN p.recommendation = 'PASS' THEN 'pass'
           WHEN p.recommendation = 'NO_LINE' THEN 'no_line'
           WHEN p.recommendation IS NULL OR p.recommendation NOT IN ('OVER', 'UNDER') THEN 'unknown_recommendation'
           WHEN p.current_points_line IS NULL THEN 'missing_line'
           WHEN p.current_points_line = @placeholder_line THEN 'placeholder_line'
         END AS skip_reason,
         CASE
           WHEN b.player_lookup IS NOT NULL AND COALESCE(b.is_dnp, FALSE) THEN 'did_not_play'
           WHEN g.game_status IS NOT NULL AND g.game_status <> 3 THEN 'pending'
           WHEN b.player_lookup IS NULL AND g.game_status = 3 AND COALESCE(gb.players, 0) > 0 THEN 'no_box_score'
           WHEN b.player_lookup IS NULL THEN 'pending'
           WHEN COALESCE(b.minutes_played, 0) = 0 AND COALESCE(b.points, 0) = 0 THEN 'zero_minutes_zero_points'
           ELSE 'played'
         END AS outcome
  FROM latest_prediction p
  LEFT JOIN box_score b ON b.player_lookup = p.player_lookup AND b.game_id = p.game_id AND b.recency = 1
  LEFT JOIN game g ON g.game_id = p.game_id
  LEFT JOIN game_box_scores gb ON gb.game_id = p.game_id
  WHERE p.recency = 1
),
classified AS (
  SELECT j.*,
         CASE
           WHEN j.skip_reason IS NOT NULL THEN 'not_graded'
           WHEN j.outcome IN ('did_not_play', 'no_box_score', 'zero_minutes_zero_points') THEN 'voided'
           WHEN j.outcome = 'pending' THEN 'pending'
           WHEN j.actual_points = j.line_value THEN 'push'
           WHEN (j.actual_points > j.line_value) = (j.recommendation = 'OVER') THEN 'correct'
           ELSE 'incorrect'
         END AS status
  FROM joined j
)
SELECT game_date, system_id, player_lookup, game_id, prediction_id, predicted_points, confidence_score,
       recommendation, line_value, actual_points, minutes_played, game_status, status,
       CASE
         WHEN status = 'not_graded' THEN skip_reason
         WHEN status = 'voided' THEN outcome
       END AS reason,
       CASE WHEN status = 'correct' THEN TRUE WHEN status = 'incorrect' THEN FALSE END AS prediction_correct,
       CASE WHEN outcome = 'played' THEN ABS(actual_points - predicted_points) END AS absolute_error,
       CASE WHEN outcome = 'played' THEN predicted_points - actual_points END AS signed_error,
       CASE WHEN outcome = 'pending' THEN FALSE ELSE TRUE END AS resolved
FROM classified`;
}

/** The grading query (read): every latest prediction in the range with its outcome. */
export function gradingQuery(config: GradingConfig): string {
  return `${gradingCore(config)}
ORDER BY game_date, system_id, player_lookup, game_id`;
}

/** Who wrote a row of `graded_predictions`: a run only ever rewrites or removes its own. */
export const LIVE_GRADER = 'shotclock-live-grading';

/**
 * Writes the range's resolved rows to shotclock's own `graded_predictions`
 * in one MERGE keyed by (date, system, player, game): this grader's matched
 * rows are updated, new ones inserted, and this grader's rows of the range
 * the grading no longer produces (a prediction withdrawn, an outcome back to
 * pending) deleted. Rows another writer put there are neither updated nor
 * deleted, and the incumbent's `prediction_accuracy` is never written. One
 * statement, so atomic on both engines, and a rerun leaves exactly one row
 * per key. DML, not streaming inserts: BigQuery cannot delete rows still in
 * a streaming buffer. The target's partition filter is in ON, which
 * `require_partition_filter` asks for and which changes nothing else (every
 * source row lies in the range).
 */
export function saveGradingStatement(config: GradingConfig): string {
  return `MERGE INTO ${tableName(config.grading.tables.graded)} AS target
USING (
  SELECT * FROM (
${gradingCore(config)}
  ) AS graded
  WHERE graded.resolved
) AS source
ON target.game_date BETWEEN CAST(@from_date AS DATE) AND CAST(@to_date AS DATE)
   AND target.game_date = source.game_date
   AND target.system_id = source.system_id
   AND target.player_lookup = source.player_lookup
   AND target.game_id = source.game_id
WHEN MATCHED AND target.graded_by = @graded_by THEN UPDATE SET
  prediction_id = source.prediction_id,
  predicted_points = source.predicted_points,
  recommendation = source.recommendation,
  line_value = source.line_value,
  actual_points = source.actual_points,
  minutes_played = source.minutes_played,
  absolute_error = source.absolute_error,
  signed_error = source.signed_error,
  status = source.status,
  prediction_correct = source.prediction_correct,
  is_voided = (source.status = 'voided'),
  void_reason = CASE WHEN source.status = 'voided' THEN source.reason END,
  graded_at = CAST(@graded_at AS TIMESTAMP)
WHEN NOT MATCHED BY TARGET THEN INSERT
  (game_date, system_id, player_lookup, game_id, prediction_id, predicted_points, recommendation,
   line_value, actual_points, minutes_played, absolute_error, signed_error, status, prediction_correct,
   is_voided, void_reason, graded_by, graded_at)
VALUES
  (source.game_date, source.system_id, source.player_lookup, source.game_id, source.prediction_id,
   source.predicted_points, source.recommendation, source.line_value, source.actual_points,
   source.minutes_played, source.absolute_error, source.signed_error, source.status,
   source.prediction_correct, (source.status = 'voided'),
   CASE WHEN source.status = 'voided' THEN source.reason END, @graded_by, CAST(@graded_at AS TIMESTAMP))
WHEN NOT MATCHED BY SOURCE
  AND target.game_date BETWEEN CAST(@from_date AS DATE) AND CAST(@to_date AS DATE)
  AND target.graded_by = @graded_by THEN DELETE`;
}

/** Each system's decided picks over a trailing window of shotclock's own grades. */
export function baselineQuery(config: Pick<GradingConfig, 'grading'>): string {
  return `SELECT system_id,
       SUM(CASE WHEN prediction_correct THEN 1 ELSE 0 END) AS correct,
       COUNT(*) AS decided,
       COUNT(DISTINCT game_date) AS days
FROM ${tableName(config.grading.tables.graded)}
WHERE game_date BETWEEN CAST(@from_date AS DATE) AND CAST(@to_date AS DATE)
  AND graded_by = @graded_by
  AND recommendation IN ('OVER', 'UNDER')
  AND prediction_correct IS NOT NULL
  AND is_voided = FALSE
GROUP BY system_id
ORDER BY system_id`;
}

/** The parameters `saveGradingStatement` is sent with (the probe dry-runs it with the same). */
export function saveGradingParameters(
  config: GradingConfig,
  fromDate: string,
  toDate: string,
  gradedAt: Date,
): Record<string, SqlParameter> {
  return {
    from_date: fromDate,
    to_date: toDate,
    placeholder_line: config.grading.placeholder_line,
    graded_by: LIVE_GRADER,
    graded_at: gradedAt.toISOString(),
  };
}

/** The parameters `baselineQuery` is sent with. */
export function baselineParameters(fromDate: string, toDate: string): Record<string, SqlParameter> {
  return { from_date: fromDate, to_date: toDate, graded_by: LIVE_GRADER };
}

type RawGradedRow = Omit<GradedPrediction, 'status'> & { status: string; resolved: boolean };

/** Grades every date in [from, to] in one query. */
export async function gradePredictions(
  warehouse: Warehouse,
  config: GradingConfig,
  fromDate: string,
  toDate: string,
): Promise<GradedPrediction[]> {
  const rows = await warehouse.query<RawGradedRow>(gradingQuery(config), {
    from_date: fromDate,
    to_date: toDate,
    placeholder_line: config.grading.placeholder_line,
  });
  return rows.map(({ resolved: _resolved, ...row }) => ({
    ...row,
    status: row.status as GradedPrediction['status'],
    game_status: row.game_status === null ? null : Number(row.game_status),
    actual_points: row.actual_points === null ? null : Number(row.actual_points),
  }));
}

/** Regrades [from, to] into `graded_predictions` (idempotent). */
export async function saveGrading(
  warehouse: Warehouse,
  config: GradingConfig,
  fromDate: string,
  toDate: string,
  gradedAt: Date,
): Promise<void> {
  await warehouse.execute(
    saveGradingStatement(config),
    saveGradingParameters(config, fromDate, toDate, gradedAt),
  );
}

/** Trailing accuracy per system over [from, to] (the caller picks the window). */
export async function trailingBaselines(
  warehouse: Warehouse,
  config: Pick<GradingConfig, 'grading'>,
  fromDate: string,
  toDate: string,
): Promise<SystemBaseline[]> {
  const rows = await warehouse.query<{ system_id: string; correct: number; decided: number; days: number }>(
    baselineQuery(config),
    baselineParameters(fromDate, toDate),
  );
  return rows.map((row) => ({
    system_id: row.system_id,
    correct: Number(row.correct ?? 0),
    decided: Number(row.decided),
    days: Number(row.days),
  }));
}
