import { z } from 'zod';
import { GameDate, IsoTimestamp } from './primitives.js';

/** Which inputs a transition fired with: degradation made visible. */
export const TransitionQuality = z.object({
  degraded: z.boolean(),
  completed: z.array(z.string()),
  missing: z.array(z.string()),
  missing_critical: z.array(z.string()),
  rule: z.string(),
});
export type TransitionQuality = z.infer<typeof TransitionQuality>;

/** Entities the Phase 3 runs changed, by kind, as the incumbent's orchestrator combines them. */
export const EntitiesChanged = z.object({
  players: z.array(z.string()).optional(),
  teams: z.array(z.string()).optional(),
});

/**
 * The incumbent's Phase 4 trigger (`trigger_phase4` in its phase3_to_phase4
 * orchestrator): one message per Phase 3 source table, whichever completed.
 */
export const Phase4Trigger = z.object({
  source_table: z.string().min(1),
  analysis_date: GameDate,
  game_date: GameDate,
  success: z.boolean(),
  correlation_id: z.string().optional(),
  trigger_source: z.literal('orchestrator'),
  triggered_by: z.string(),
  timestamp: IsoTimestamp,
  entities_changed: EntitiesChanged.optional(),
  is_incremental: z.boolean(),
  mode: z.string(),
  trigger_reason: z.string(),
  /** the execution id of the completion the decision followed */
  parent_execution_id: z.string().optional(),
  parent_processor: z.string().optional(),
  quality: TransitionQuality,
});
export type Phase4Trigger = z.infer<typeof Phase4Trigger>;

/** Generic transition output (e.g. `shotclock-predictions-ready`, which wakes the freshness gate). */
export const PhaseReady = z.object({
  transition: z.string(),
  from_phase: z.string(),
  to_phase: z.string(),
  game_date: GameDate,
  correlation_id: z.string().optional(),
  triggered_by: z.string(),
  timestamp: IsoTimestamp,
  mode: z.string(),
  trigger_reason: z.string(),
  quality: TransitionQuality,
});
export type PhaseReady = z.infer<typeof PhaseReady>;
