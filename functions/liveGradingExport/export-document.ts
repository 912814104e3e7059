import type { GradedPrediction, SystemGrading } from '../../shared/domain/grading-stats.js';
import {
  type ExportedPrediction,
  LiveGradingExport,
  type SystemGradingExport,
} from '../../shared/messages/grading-export.js';
import type { ScheduledGames } from '../../shared/queries/schedule.js';

export interface ExportInputs {
  gameDate: string;
  updatedAt: Date;
  productionSystem: string;
  games: ScheduledGames;
  predictions: readonly GradedPrediction[];
  systems: readonly SystemGrading[];
  baselineWindow: { from: string; to: string };
  overall: string;
}

const rounded = (value: number | null, digits = 4) =>
  value === null ? null : Math.round(value * 10 ** digits) / 10 ** digits;

function exportedPrediction(row: GradedPrediction): ExportedPrediction {
  return {
    player_lookup: row.player_lookup,
    game_id: row.game_id,
    system_id: row.system_id,
    predicted_points: row.predicted_points,
    confidence_score: row.confidence_score,
    recommendation: row.recommendation,
    line_value: row.line_value,
    actual_points: row.actual_points,
    minutes_played: rounded(row.minutes_played, 1),
    status: row.status,
    reason: row.reason,
    is_correct: row.prediction_correct,
    absolute_error: rounded(row.absolute_error, 2),
  };
}

function exportedSystem(
  system: SystemGrading,
  productionSystem: string,
  window: { from: string; to: string },
): SystemGradingExport {
  return {
    system_id: system.system_id,
    is_production: system.system_id === productionSystem,
    total: system.total,
    not_graded: system.not_graded,
    gradable: system.gradable,
    graded: system.graded,
    pending: system.pending,
    voided: system.voided,
    pushes: system.pushes,
    correct: system.correct,
    incorrect: system.incorrect,
    accuracy: rounded(system.accuracy),
    accuracy_interval: system.accuracy_interval
      ? { low: rounded(system.accuracy_interval.low)!, high: rounded(system.accuracy_interval.high)! }
      : null,
    mae: rounded(system.mae, 2),
    coverage: rounded(system.coverage),
    baseline: system.baseline
      ? { ...system.baseline, accuracy: rounded(system.baseline.accuracy)!, ...window }
      : null,
    verdict: system.verdict,
    verdict_reason: system.verdict_reason,
  };
}

/**
 * The export document, validated against its schema before anyone can read
 * it: a bad document fails the run instead of reaching the site.
 */
export function buildLiveGradingExport(inputs: ExportInputs): LiveGradingExport {
  const production = inputs.systems.find((system) => system.system_id === inputs.productionSystem);
  return LiveGradingExport.parse({
    updated_at: inputs.updatedAt.toISOString(),
    game_date: inputs.gameDate,
    production_system: inputs.productionSystem,
    summary: {
      total_predictions: production?.total ?? 0,
      graded: production?.graded ?? 0,
      pending: production?.pending ?? 0,
      correct: production?.correct ?? 0,
      incorrect: production?.incorrect ?? 0,
      win_rate: rounded(production?.accuracy ?? null),
      avg_error: rounded(production?.mae ?? null, 2),
      games_in_progress: inputs.games.in_progress,
      games_final: inputs.games.final,
    },
    overall: inputs.overall,
    predictions: inputs.predictions
      .filter((row) => row.system_id === inputs.productionSystem)
      .map(exportedPrediction),
    systems: inputs.systems.map((system) =>
      exportedSystem(system, inputs.productionSystem, inputs.baselineWindow),
    ),
  });
}
