import { z } from 'zod';
import { GameDate, IsoTimestamp } from './primitives.js';

export const GateStatus = z.enum(['OPEN', 'DEGRADED', 'BLOCKED', 'SKIPPED']);

/** What caused an evaluation: the 17:45 job, a re-check on the tick, the Phase 4 -> 5 wake, a person. */
export const GateEvaluationSource = z.enum(['scheduled', 'tick', 'cutoff', 'wake', 'override']);
export type GateEvaluationSource = z.infer<typeof GateEvaluationSource>;

export const GateFinding = z.object({
  kind: z.string(),
  level: z.enum(['warn', 'error']),
  reason: z.string(),
});

/** One configured check's verdict with the figures it was reached on. */
export const GateCheckResult = z.object({
  table: z.string(),
  level: z.enum(['pass', 'warn', 'error']),
  findings: z.array(GateFinding),
  rows: z.number().int().nonnegative().nullable(),
  players: z.number().int().nonnegative().nullable(),
  players_with_lines: z.number().int().nonnegative().nullable(),
  games_with_rows: z.number().int().nonnegative().nullable(),
  newest_processed_at: IsoTimestamp.nullable(),
  age_hours: z.number().nullable(),
  expected_rows: z.number().int().nonnegative().nullable(),
  expected_basis: z.string().nullable(),
  line_coverage: z.number().nullable(),
  game_coverage: z.number().nullable(),
});
export type GateCheckResult = z.infer<typeof GateCheckResult>;

export const GateOverride = z.object({
  recorded_by: z.string().min(1),
  reason: z.string().min(1),
  recorded_at: IsoTimestamp,
  /** the status the person overrode, with its reasons */
  overridden_status: GateStatus,
  overridden_reasons: z.array(z.string()),
});
export type GateOverride = z.infer<typeof GateOverride>;

/**
 * The freshness gate's decision for a date, published on
 * `config.topics.gate_decisions` whenever it changes (and stored in
 * `freshness_gate/{game_date}`).
 */
export const GateDecisionMessage = z.object({
  game_date: GameDate,
  status: GateStatus,
  previous_status: GateStatus.nullable(),
  reasons: z.array(z.string()),
  games: z.number().int().nonnegative().nullable(),
  checks: z.array(GateCheckResult),
  source: GateEvaluationSource,
  evaluated_at: IsoTimestamp,
  cutoff_at: IsoTimestamp,
  /** true once the predictions trigger for the date is queued (it goes out once) */
  predictions_triggered: z.boolean(),
  correlation_id: z.string(),
  override: GateOverride.optional(),
});
export type GateDecisionMessage = z.infer<typeof GateDecisionMessage>;
