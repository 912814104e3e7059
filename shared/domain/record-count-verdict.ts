import type { PipelineConfig } from '../config/schema.js';
import type { ExpectedCount } from './expected-count.js';

/**
 * Record-count verdict: is a processor's output for a date big enough, and
 * do the message and the table agree. Pure: counts and the expectation come
 * in as values. Retry series: `record-count-retry.ts`; the circuit breaker
 * over many dates: `record-count-breaker.ts`.
 */
export type RecordCountPolicy = PipelineConfig['record_count'];

/** What was seen for one (processor, date). */
export interface CountObservation {
  processor: string;
  game_date: string;
  games: number;
  expected: ExpectedCount;
  /** rows of the date in the processor's table: the figure judged */
  warehouse_count: number;
  /** `record_count` of the completion message, when it carried one */
  message_count?: number;
  /** incremental runs report the rows they changed, not the date's total */
  incremental?: boolean;
}

export interface CountMismatch {
  message_count: number;
  warehouse_count: number;
  /** |message - warehouse| / max(message, warehouse) */
  difference_fraction: number;
}

export type CountOutcome = 'no_games' | 'met' | 'low';

export interface RecordCountVerdict {
  processor: string;
  game_date: string;
  games: number;
  outcome: CountOutcome;
  /** the rule and figure used, reported with every verdict */
  expected: ExpectedCount;
  observed: number;
  /** observed / expected; null when nothing is expected */
  fraction: number | null;
  /** below `expected.rows * threshold` is low */
  threshold: number;
  mismatch: CountMismatch | null;
  summary: string;
}

/** The message and the table disagree by more than `tolerance` (a finding of its own). */
export function countMismatch(
  messageCount: number | undefined,
  warehouseCount: number,
  tolerance: number,
  incremental = false,
): CountMismatch | null {
  if (messageCount === undefined) return null;
  // An incremental run reports the rows it touched; fewer than the table holds is expected.
  if (incremental && messageCount <= warehouseCount) return null;
  const larger = Math.max(messageCount, warehouseCount);
  if (larger === 0) return null;
  const difference = Math.abs(messageCount - warehouseCount) / larger;
  if (difference <= tolerance) return null;
  return {
    message_count: messageCount,
    warehouse_count: warehouseCount,
    difference_fraction: Number(difference.toFixed(4)),
  };
}

/**
 * Judges the table, not the message: the warehouse is what later phases read.
 * A date with no games is never low.
 */
export function judgeCount(observation: CountObservation, policy: RecordCountPolicy): RecordCountVerdict {
  const { expected, warehouse_count: observed } = observation;
  const mismatch = countMismatch(
    observation.message_count,
    observed,
    policy.count_tolerance_fraction,
    observation.incremental,
  );
  const base = {
    processor: observation.processor,
    game_date: observation.game_date,
    games: observation.games,
    expected,
    observed,
    threshold: policy.retry_below_fraction,
    mismatch,
  };
  if (observation.games === 0)
    return {
      ...base,
      outcome: 'no_games',
      fraction: null,
      summary: `${observation.processor} ${observation.game_date}: no games scheduled, nothing expected`,
    };
  if (expected.rows === 0)
    return {
      ...base,
      outcome: 'met',
      fraction: null,
      summary: `${observation.processor} ${observation.game_date}: ${observed} rows, none expected (${expected.basis})`,
    };
  const fraction = Number((observed / expected.rows).toFixed(4));
  const outcome: CountOutcome = fraction < policy.retry_below_fraction ? 'low' : 'met';
  return {
    ...base,
    outcome,
    fraction,
    summary:
      `${observation.processor} ${observation.game_date}: ${observed} of ${expected.rows} rows ` +
      `(${Math.round(fraction * 100)}%, ${expected.rule}: ${expected.basis})` +
      (outcome === 'low' ? `, below ${Math.round(policy.retry_below_fraction * 100)}%` : ''),
  };
}
