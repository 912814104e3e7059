import { z } from 'zod';
import { GameDate, IsoTimestamp } from './primitives.js';

const Rate = z.number().min(0).max(1);
const Count = z.number().int().nonnegative();

export const PredictionStatus = z.enum(['correct', 'incorrect', 'push', 'pending', 'voided', 'not_graded']);

/** One production-system pick, one row per player (the incumbent's `predictions[]`). */
export const ExportedPrediction = z.object({
  player_lookup: z.string(),
  game_id: z.string(),
  system_id: z.string(),
  predicted_points: z.number().nullable(),
  confidence_score: z.number().nullable(),
  recommendation: z.string().nullable(),
  line_value: z.number().nullable(),
  actual_points: z.number().nullable(),
  minutes_played: z.number().nullable(),
  status: PredictionStatus,
  /** why a pick is voided or not graded (`did_not_play`, `placeholder_line`, `pass`, ...) */
  reason: z.string().nullable(),
  /** true / false for decided picks; null for a push, pending, voided or not graded */
  is_correct: z.boolean().nullable(),
  absolute_error: z.number().nullable(),
});
export type ExportedPrediction = z.infer<typeof ExportedPrediction>;

/** The incumbent's summary, for the production system, with one denominator: correct + incorrect. */
export const ExportSummary = z.object({
  total_predictions: Count,
  /** correct + incorrect + pushes */
  graded: Count,
  pending: Count,
  correct: Count,
  incorrect: Count,
  /** correct / (correct + incorrect), a fraction; null until a pick is decided */
  win_rate: Rate.nullable(),
  /** mean absolute error of graded picks, in points */
  avg_error: z.number().nonnegative().nullable(),
  games_in_progress: Count,
  games_final: Count,
});
export type ExportSummary = z.infer<typeof ExportSummary>;

/** Every system's day, with how much to believe it. */
export const SystemGradingExport = z.object({
  system_id: z.string(),
  is_production: z.boolean(),
  total: Count,
  not_graded: Count,
  gradable: Count,
  graded: Count,
  pending: Count,
  voided: Count,
  pushes: Count,
  correct: Count,
  incorrect: Count,
  accuracy: Rate.nullable(),
  /** Wilson 95% interval of the accuracy */
  accuracy_interval: z.object({ low: Rate, high: Rate }).nullable(),
  mae: z.number().nonnegative().nullable(),
  /** graded / gradable */
  coverage: Rate.nullable(),
  baseline: z
    .object({ accuracy: Rate, decided: Count, days: Count, from: GameDate, to: GameDate })
    .nullable(),
  verdict: z.enum(['below_baseline', 'inconclusive', 'ok']),
  verdict_reason: z.string(),
});
export type SystemGradingExport = z.infer<typeof SystemGradingExport>;

/** `v1/live-grading/{date}.json` and `latest.json`: the incumbent's fields plus `systems[]` and `overall`. */
export const LiveGradingExport = z.object({
  updated_at: IsoTimestamp,
  game_date: GameDate,
  production_system: z.string(),
  summary: ExportSummary,
  /** whether today's production number means anything, in words */
  overall: z.string(),
  predictions: z.array(ExportedPrediction),
  systems: z.array(SystemGradingExport),
});
export type LiveGradingExport = z.infer<typeof LiveGradingExport>;
