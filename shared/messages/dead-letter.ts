import { z } from 'zod';
import { IsoTimestamp } from './primitives.js';

/** A message a function refused for good, published with the reason a person can act on. */
export const DeadLetter = z.object({
  function_name: z.string(),
  reason: z.string(),
  message_id: z.string().optional(),
  source_topic: z.string().optional(),
  attributes: z.record(z.string(), z.string()).optional(),
  /** The original payload, base64, cut at 64 KiB. */
  data_base64: z.string(),
  data_truncated: z.boolean(),
  dead_lettered_at: IsoTimestamp,
});
export type DeadLetter = z.infer<typeof DeadLetter>;
