import { z } from 'zod';
import { GameDate, IsoTimestamp, ProcessorName } from './primitives.js';

/** Asks a processor to run again for one date (published on the re-run topic). */
export const RerunRequest = z.object({
  processor_name: ProcessorName,
  game_date: GameDate,
  attempt: z.number().int().positive(),
  max_attempts: z.number().int().positive(),
  reason: z.string(),
  expected_count: z.number().int().nonnegative(),
  observed_count: z.number().int().nonnegative(),
  correlation_id: z.string().optional(),
  trigger_source: z.literal('shotclock'),
  requested_at: IsoTimestamp,
});
export type RerunRequest = z.infer<typeof RerunRequest>;
