/**
 * Re-runs: `record_count_checks/{processor}__{date}` (recordCountCheck):
 * `status`, `degraded`, `expected.rows`, `last_check.observed`, `retry
 * {state, attempts_sent, max_attempts, next_due_at, end_reason}`.
 */
import { DEFAULT_COLLECTIONS } from '../../../shared/config/collections.js';
import type { StateDocument } from '../../../shared/ports/state-store.port.js';
import type { StatusReadDependencies } from '../read-status.js';
import { attempt, count, readable, record, text } from './fields.js';

export const RETRY_COLLECTION = DEFAULT_COLLECTIONS.record_count_checks;

export interface RetryView {
  processor: string;
  status: string | null;
  degraded: boolean;
  expected: number | null;
  observed: number | null;
  attempts_sent: number | null;
  max_attempts: number | null;
  next_due_at: string | null;
  end_reason: string | null;
  /** each re-run requested, when, and the rows seen when it was asked for (`retry.requests[]`) */
  requests: Array<{ attempt: number | null; at: string; observed: number | null; expected: number | null }>;
}

export function retryView(document: StateDocument): RetryView {
  const retry = record(document.retry);
  return {
    processor: text(document.processor) ?? '(unknown processor)',
    status: text(document.status),
    degraded: document.degraded === true,
    expected: count(record(document.expected).rows),
    observed: count(record(document.last_check).observed),
    attempts_sent: count(retry.attempts_sent),
    max_attempts: count(retry.max_attempts),
    next_due_at: text(retry.next_due_at),
    end_reason: text(retry.end_reason),
    requests: readable(retry.requests, (request) => {
      const at = text(request.requested_at);
      if (!at) return undefined;
      return {
        attempt: count(request.attempt),
        at,
        observed: count(request.observed),
        expected: count(request.expected),
      };
    }),
  };
}

export async function readRetries(
  deps: StatusReadDependencies,
  date: string,
  problems: string[],
): Promise<RetryView[]> {
  const documents = await attempt(
    problems,
    `${RETRY_COLLECTION} for ${date}`,
    () => deps.state.list(RETRY_COLLECTION, [{ field: 'game_date', op: '==', value: date }]),
    [],
  );
  return documents
    .map((document) => retryView(document.data))
    .sort((a, b) => a.processor.localeCompare(b.processor));
}
