/**
 * Completion messages exactly as the incumbent pipeline's publishers emit them, for the scenario builders.
 *
 * The envelope is `UnifiedPubSubPublisher._build_message` (shared/publishers/unified_pubsub_publisher.py):
 * the fields in its order, top-level nulls dropped, `timestamp` from Python's `isoformat()` (microseconds and
 * `+00:00`), `execution_id` a processor's `run_id` (`str(uuid.uuid4())[:8]`). What each phase puts in it:
 * - Phase 2, `processor_base._publish_completion_event` (data_processors/raw/processor_base.py): the class
 *   name, `output_table` the processor's `table_name` (usually `nba_raw.<table>`), `trigger_source` from the
 *   scraper's message (`pubsub`), `parent_processor` the scraper, metadata `{rows_updated, processing_strategy}`.
 * - Phase 3, `analytics_base._publish_completion_message` (data_processors/analytics/analytics_base.py): runs
 *   started by the analytics service's `/process` route carry no correlation id (it falls back to the run id)
 *   and no trigger source (`manual`); metadata is the change-detection block, its nulls kept.
 * - Phase 4, `precompute_base` (data_processors/precompute/base/precompute_base.py): `correlation_id` and
 *   `trigger_source` taken from the `nba-phase4-trigger` message that started the run
 *   (`main_precompute_service.process`), metadata `{total_runtime, rows_processed, rows_skipped}`.
 */
import { createHash } from 'node:crypto';

type Row = Record<string, unknown>;
export type ScenarioEvent = { at: string; note?: string } & Record<string, unknown>;

export const COMPLETION_TOPICS = {
  phase_2_raw: 'nba-phase2-raw-complete',
  phase_3_analytics: 'nba-phase3-analytics-complete',
  phase_4_precompute: 'nba-phase4-precompute-complete',
} as const;
export type IncumbentPhase = keyof typeof COMPLETION_TOPICS;

/** A stable stand-in for `str(uuid.uuid4())[:8]`: the same run always gets the same id. */
export function runId(...parts: string[]): string {
  return createHash('sha256').update(parts.join('|')).digest('hex').slice(0, 8);
}

/** `datetime.now(timezone.utc).isoformat()` at `at`, with a stable microsecond part. */
export function pythonUtcIso(at: string, salt = ''): string {
  const iso = new Date(at).toISOString(); // 2026-02-18T22:02:11.000Z
  const micros = String(Number.parseInt(runId(at, salt), 16) % 1_000_000).padStart(6, '0');
  return `${iso.slice(0, 19)}.${micros}+00:00`;
}

export interface IncumbentCompletion {
  /** the processor's Python class name */
  processor: string;
  phase: IncumbentPhase;
  gameDate: string;
  /** the processor's `table_name` as it publishes it */
  outputTable: string;
  outputDataset: string;
  recordCount: number;
  durationSeconds: number;
  /** defaults to the run id, as every publisher does when it was given none */
  correlationId?: string;
  parentProcessor?: string;
  triggerSource: string;
  triggerMessageId?: string;
  metadata: Row;
}

/** The `publish` event of one completion at `at` (ET with offset), in the envelope's field order. */
export function completionEvent(at: string, completion: IncumbentCompletion, note?: string): ScenarioEvent {
  const executionId = runId(completion.processor, completion.gameDate, at);
  const envelope: Row = {
    processor_name: completion.processor,
    phase: completion.phase,
    execution_id: executionId,
    correlation_id: completion.correlationId ?? executionId,
    game_date: completion.gameDate,
    output_table: completion.outputTable,
    output_dataset: completion.outputDataset,
    status: 'success',
    record_count: completion.recordCount,
    records_failed: 0,
    timestamp: pythonUtcIso(at, completion.processor),
    duration_seconds: completion.durationSeconds,
    parent_processor: completion.parentProcessor,
    trigger_source: completion.triggerSource,
    trigger_message_id: completion.triggerMessageId,
    metadata: completion.metadata,
  };
  const data = Object.fromEntries(Object.entries(envelope).filter(([, value]) => value !== undefined));
  return {
    at,
    ...(note ? { note } : {}),
    publish: { topic: COMPLETION_TOPICS[completion.phase], data },
  };
}

/** A raw processor's completion (`processor_base._publish_completion_event`). */
export function rawCompletion(
  at: string,
  processor: string,
  table: string,
  gameDate: string,
  rows: number,
  scraper: string,
  note?: string,
): ScenarioEvent {
  return completionEvent(
    at,
    {
      processor,
      phase: 'phase_2_raw',
      gameDate,
      outputTable: table,
      outputDataset: 'nba_raw',
      recordCount: rows,
      durationSeconds: 4.2 + (rows % 17) / 10,
      correlationId: runId(scraper, gameDate, at),
      parentProcessor: scraper,
      triggerSource: 'pubsub',
      metadata: { rows_updated: 0, processing_strategy: 'INSERT' },
    },
    note,
  );
}

/** An analytics processor's completion (`analytics_base._publish_completion_message`) after a `/process` run. */
export function analyticsCompletion(
  at: string,
  processor: string,
  table: string,
  gameDate: string,
  rows: number,
  note?: string,
): ScenarioEvent {
  return completionEvent(
    at,
    {
      processor,
      phase: 'phase_3_analytics',
      gameDate,
      outputTable: table,
      outputDataset: 'nba_analytics',
      recordCount: rows,
      durationSeconds: 38.5 + (rows % 23),
      triggerSource: 'manual',
      metadata: {
        is_incremental: false,
        entities_changed_count: null,
        entities_total: null,
        efficiency_gain_pct: null,
        change_detection_time: null,
        entities_changed: [],
        extract_time: 6.1,
        transform_time: 11.4,
        save_time: 3.9,
      },
    },
    note,
  );
}

/** A precompute processor's completion (`precompute_base`) for a run started by an `nba-phase4-trigger` message. */
export function precomputeCompletion(
  at: string,
  processor: string,
  table: string,
  dataset: string,
  gameDate: string,
  rows: number,
  trigger: { correlationId: string; messageId: string },
): ScenarioEvent {
  const duration = 21.7 + (rows % 13);
  return completionEvent(at, {
    processor,
    phase: 'phase_4_precompute',
    gameDate,
    outputTable: table,
    outputDataset: dataset,
    recordCount: rows,
    durationSeconds: duration,
    correlationId: trigger.correlationId,
    triggerSource: 'orchestrator',
    triggerMessageId: trigger.messageId,
    metadata: { total_runtime: duration, rows_processed: rows, rows_skipped: 0 },
  });
}
