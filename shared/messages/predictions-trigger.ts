import { z } from 'zod';
import { GateOverride } from './gate-decision.js';
import { GameDate, IsoTimestamp } from './primitives.js';

/**
 * Starts Phase 5 for a date (`config.freshness_gate.output_topic`,
 * `nba-predictions-trigger`). Only the freshness gate publishes it, once per
 * date, and only when the gate is OPEN or DEGRADED (an override opens as OPEN
 * with the override attached).
 */
export const PredictionsTrigger = z.object({
  game_date: GameDate,
  gate_decision: z.enum(['OPEN', 'DEGRADED']),
  /** why the gate opened: checks passed, the warnings it opened with, or the override */
  reasons: z.array(z.string()),
  correlation_id: z.string().min(1),
  trigger_source: z.literal('freshness_gate'),
  triggered_by: z.string(),
  timestamp: IsoTimestamp,
  override: GateOverride.optional(),
});
export type PredictionsTrigger = z.infer<typeof PredictionsTrigger>;
