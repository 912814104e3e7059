import { z } from 'zod';
import { IsoTimestamp } from './primitives.js';

/**
 * Published by Cloud Scheduler (or the local scheduler). `job` names the
 * scheduler job; `scheduled_for` is the cron time it stands for. Functions use
 * their clock for "now", not this field, so a late tick still decides on time.
 */
export const SchedulerTick = z.object({
  job: z.string().min(1),
  scheduled_for: IsoTimestamp.optional(),
  target_date: z.string().optional(),
});
export type SchedulerTick = z.infer<typeof SchedulerTick>;
