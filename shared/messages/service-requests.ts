import { z } from 'zod';
import { GameDate } from './primitives.js';

/**
 * Bodies of the HTTP calls shotclock makes to the incumbent's services, in the
 * shapes their routes read.
 */

/** Prediction coordinator `POST /start` (`start_prediction_batch`): starts Phase 5 for one date. */
export const CoordinatorStartRequest = z.strictObject({
  game_date: GameDate,
  correlation_id: z.string().min(1),
  trigger_source: z.string().min(1),
});
export type CoordinatorStartRequest = z.infer<typeof CoordinatorStartRequest>;

/** Analytics service `POST /process-date-range` (`process_date_range`): re-runs Phase 3 processors. */
export const ProcessDateRangeRequest = z.strictObject({
  start_date: GameDate,
  end_date: GameDate,
  /** class names, e.g. `PlayerGameSummaryProcessor`: the service drops names it does not know */
  processors: z.array(z.string().regex(/^[A-Z][A-Za-z0-9]*$/)).min(1),
  /** false: dependency checks run, as for a normal run */
  backfill_mode: z.literal(false),
  /** false: the re-run publishes its completion, so the transition and this checker see it */
  skip_downstream_trigger: z.literal(false),
});
export type ProcessDateRangeRequest = z.infer<typeof ProcessDateRangeRequest>;
