import { z } from 'zod';
import { GameDate, IsoTimestamp } from './primitives.js';
import { normaliseProcessorName } from './processor-name.js';

export const CompletionStatus = z.enum(['success', 'partial', 'no_data', 'failed', 'skipped']);
export type CompletionStatus = z.infer<typeof CompletionStatus>;

/** Only these statuses count a processor as completed for a date. */
export const COMPLETED_STATUSES: ReadonlySet<CompletionStatus> = new Set(['success', 'partial']);

const ProcessorNameInput = z
  .string()
  .min(1, 'processor name is empty')
  .max(200, 'processor name is longer than 200 characters')
  .regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'processor name must be a class or snake_case name');

/** A class or snake name, normalised; `Processor` or `AsyncProcessor` alone leave nothing and are refused. */
const NormalisedProcessorName = ProcessorNameInput.transform((raw, ctx) => {
  const name = normaliseProcessorName(raw);
  if (/^[a-z][a-z0-9_]*$/.test(name)) return name;
  ctx.issues.push({
    code: 'custom',
    input: raw,
    message: `${raw} leaves no processor name once Async/Processor are dropped`,
  });
  return z.NEVER;
});

/** The incumbent's completion message, as every phase publishes it. */
export const ProcessorCompletion = z.object({
  processor_name: NormalisedProcessorName,
  /** the name exactly as the emitter sent it (a class name, usually); filled in on parsing */
  reported_name: ProcessorNameInput.optional(),
  phase: z.string().max(64).optional(),
  execution_id: z.string().max(200).optional(),
  correlation_id: z.string().max(200).optional(),
  game_date: GameDate,
  output_table: z.string().max(200).optional(),
  output_dataset: z.string().max(200).optional(),
  status: CompletionStatus,
  record_count: z.number().int().nonnegative().optional(),
  records_failed: z.number().int().nonnegative().optional(),
  timestamp: IsoTimestamp.optional(),
  duration_seconds: z.number().nonnegative().optional(),
  parent_processor: z.string().max(200).optional(),
  trigger_source: z.enum(['pubsub', 'scheduler', 'manual']).or(z.string().max(64)).optional(),
  trigger_message_id: z.string().max(200).optional(),
  error_message: z.string().max(10_000).optional(),
  error_type: z.string().max(200).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});
export type ProcessorCompletion = z.infer<typeof ProcessorCompletion>;

/** What a legacy emitter still sends. */
export const LegacyCompletion = z.object({
  processor: NormalisedProcessorName,
  reported_name: ProcessorNameInput.optional(),
  data_date: GameDate,
  status: CompletionStatus,
  records_created: z.number().int().nonnegative().optional(),
});
export type LegacyCompletion = z.infer<typeof LegacyCompletion>;

/** Top-level nulls dropped (the incumbent drops them too), and the name as sent kept beside the normalised one. */
function withoutNulls(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const fields: Record<string, unknown> = Object.fromEntries(
    Object.entries(value).filter(([, field]) => field !== null),
  );
  const sent = fields.processor_name ?? fields.processor;
  if (fields.reported_name === undefined && typeof sent === 'string') fields.reported_name = sent;
  return fields;
}

/** Current shape first; a message with `processor` + `data_date` and no `processor_name` is legacy. */
export const CompletionMessage = z.preprocess(
  withoutNulls,
  z.union([
    ProcessorCompletion,
    LegacyCompletion.transform(
      (legacy): ProcessorCompletion => ({
        processor_name: legacy.processor,
        ...(legacy.reported_name === undefined ? {} : { reported_name: legacy.reported_name }),
        game_date: legacy.data_date,
        status: legacy.status,
        ...(legacy.records_created === undefined ? {} : { record_count: legacy.records_created }),
        metadata: { legacy_shape: true },
      }),
    ),
  ]),
);

export function isCompleted(completion: Pick<ProcessorCompletion, 'status'>): boolean {
  return COMPLETED_STATUSES.has(completion.status);
}
