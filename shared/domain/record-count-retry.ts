import { DateTime } from 'luxon';
import { addDays, addMinutes, localTimeOn } from './calendar.js';
import type { ExpectedCount } from './expected-count.js';
import type {
  CountMismatch,
  CountOutcome,
  RecordCountPolicy,
  RecordCountVerdict,
} from './record-count-verdict.js';

/**
 * The retry series of one (processor, date): when to ask the processor to run
 * again, when to give up (after the last attempt, or at the cutoff), and what
 * each decision stores. Pure: counts, state and time come in as values, and
 * what to do comes out as data.
 */
/** A number in [0, 1), e.g. `Math.random`; injected so tests are deterministic. */
export type RandomSource = () => number;

/**
 * Minutes to wait before re-run attempt `attempt` (1-based), counted from the
 * first low verdict for attempt 1 and from the previous request after that:
 * `first`, then `first * multiplier^(n-1)` with +-`jitter_fraction` jitter so
 * that many dates retried together spread out. The first delay has no jitter:
 * it is the promise "retry in 30 minutes".
 */
export function retryDelayMinutes(attempt: number, policy: RecordCountPolicy, random: RandomSource): number {
  const first = policy.first_retry_after_minutes;
  if (attempt <= 1) return first;
  const backoff = first * policy.backoff_multiplier ** (attempt - 1);
  const jitter = policy.jitter_fraction * (2 * random() - 1);
  return Number((backoff * (1 + jitter)).toFixed(3));
}

/**
 * The last moment a re-run may be requested for `gameDate`, decided when the
 * date first goes low. Dates whose predictions are still ahead (today and
 * later in the pipeline zone): `cutoff_local_time` on the evening the
 * predictions run (today for today's and tomorrow's games, the day before for
 * later dates). Past dates: until they are older than `past_date_max_age_days`.
 */
export function retryCutoff(gameDate: string, now: Date, policy: RecordCountPolicy, timeZone: string): Date {
  const today = DateTime.fromJSDate(now, { zone: timeZone }).toISODate()!;
  if (gameDate >= today) {
    const dayBefore = addDays(gameDate, -1);
    // ISO dates compare as strings: the later of the two.
    const predictionDay = [dayBefore, today].sort()[1]!;
    return localTimeOn(predictionDay, policy.cutoff_local_time, timeZone);
  }
  return localTimeOn(addDays(gameDate, policy.past_date_max_age_days + 1), '00:00', timeZone);
}

/**
 * Due times are kept to the minute: "retry in 30 minutes" after a completion
 * at 17:00:41 is the 17:30 tick, not the 17:35 one.
 */
export function dueAt(from: Date, minutes: number): Date {
  const due = addMinutes(from, minutes);
  due.setUTCSeconds(0, 0);
  return due;
}

export type CheckStatus = 'met' | 'no_games' | 'retry_pending' | 'retry_exhausted';

export interface RerunAttempt {
  attempt: number;
  requested_at: string;
  observed: number;
  expected: number;
}

/** The retry series of one (processor, date): at most one at a time. */
export interface RetrySeries {
  state: 'pending' | 'cancelled' | 'exhausted';
  started_at: string;
  cutoff_at: string;
  max_attempts: number;
  attempts_sent: number;
  /** what the next tick after `next_due_at` does: ask for a re-run, or a last count after the last one */
  next_action: 'rerun' | 'final_check' | null;
  next_due_at: string | null;
  requests: RerunAttempt[];
  ended_at: string | null;
  end_reason: string | null;
}

/** The latest count seen for one (processor, date). */
export interface LastCheck {
  at: string;
  source: 'completion' | 'tick';
  outcome: CountOutcome;
  observed: number;
  message_count: number | null;
  fraction: number | null;
  message_id: string | null;
}

/** Everything decided about one (processor, date). */
export interface RecordCountCheck {
  processor: string;
  game_date: string;
  status: CheckStatus;
  /** the date's output stayed low after every permitted attempt */
  degraded: boolean;
  degraded_at: string | null;
  games: number;
  expected: ExpectedCount;
  threshold: number;
  last_check: LastCheck;
  mismatch: (CountMismatch & { at: string }) | null;
  retry: RetrySeries | null;
  updated_at: string;
  /** when Firestore may delete the document (TTL): `CHECK_RETENTION_DAYS` after the game date */
  expire_at?: string;
}

/** A (processor, date) check is kept this long after its game date; the status page reads 14 days. */
export const CHECK_RETENTION_DAYS = 30;

export function checkExpiry(gameDate: string): string {
  return new Date(Date.parse(`${gameDate}T00:00:00Z`) + CHECK_RETENTION_DAYS * 86_400_000).toISOString();
}

/** An alert a decision calls for; the caller latches it, then raises it. */
export interface AlertIntent {
  rule: 'record_count_low' | 'record_count_mismatch' | 'retry_exhausted' | 'retry_circuit_open';
  severity: 'WARNING' | 'ERROR';
  message: string;
  details: Record<string, unknown>;
}

export interface DecisionContext {
  now: Date;
  policy: RecordCountPolicy;
  timeZone: string;
}

export interface CompletionDecision {
  check: RecordCountCheck;
  /** a new retry series started: the date counts toward the circuit breaker */
  retryStarted: boolean;
  /** a pending series was cancelled because the count now meets the expectation */
  cancelled: boolean;
  /** a degraded date met its expectation after all */
  recovered: boolean;
  alerts: AlertIntent[];
}

function lastCheck(
  verdict: RecordCountVerdict,
  now: Date,
  source: LastCheck['source'],
  messageCount: number | undefined,
  messageId: string | undefined,
): LastCheck {
  return {
    at: now.toISOString(),
    source,
    outcome: verdict.outcome,
    observed: verdict.observed,
    message_count: messageCount ?? null,
    fraction: verdict.fraction,
    message_id: messageId ?? null,
  };
}

function endSeries(series: RetrySeries, state: 'cancelled' | 'exhausted', now: Date, reason: string) {
  return {
    ...series,
    state,
    next_action: null,
    next_due_at: null,
    ended_at: now.toISOString(),
    end_reason: reason,
  };
}

export function mismatchAlert(verdict: RecordCountVerdict): AlertIntent | undefined {
  const { mismatch } = verdict;
  if (!mismatch) return undefined;
  return {
    rule: 'record_count_mismatch',
    severity: 'WARNING',
    message:
      `${verdict.processor} ${verdict.game_date}: the completion message says ${mismatch.message_count} rows, ` +
      `the table holds ${mismatch.warehouse_count} (${Math.round(mismatch.difference_fraction * 100)}% apart)`,
    details: { ...mismatch, expected_count: verdict.expected.rows, expected_rule: verdict.expected.rule },
  };
}

/**
 * What a completion changes for its (processor, date):
 * - no games: nothing retries or alerts, and anything pending is cancelled;
 * - met: a pending series is cancelled, a degraded date recovers;
 * - low: a new series starts unless one is pending or already exhausted (one
 *   at a time, whatever the number of duplicate completions); when even the
 *   first attempt would land past the cutoff, the date is degraded at once.
 * A message/table disagreement alerts once per (processor, date).
 */
export function decideOnCompletion(
  current: RecordCountCheck | undefined,
  verdict: RecordCountVerdict,
  context: DecisionContext,
  message: { count?: number; id?: string },
): CompletionDecision {
  const { now, policy } = context;
  const at = now.toISOString();
  const alerts: AlertIntent[] = [];
  if (verdict.mismatch && !current?.mismatch) {
    const alert = mismatchAlert(verdict);
    if (alert) alerts.push(alert);
  }
  const base: RecordCountCheck = {
    processor: verdict.processor,
    game_date: verdict.game_date,
    status: current?.status ?? 'met',
    degraded: current?.degraded ?? false,
    degraded_at: current?.degraded_at ?? null,
    games: verdict.games,
    expected: verdict.expected,
    threshold: verdict.threshold,
    last_check: lastCheck(verdict, now, 'completion', message.count, message.id),
    mismatch: current?.mismatch ?? (verdict.mismatch ? { ...verdict.mismatch, at } : null),
    retry: current?.retry ?? null,
    updated_at: at,
    expire_at: checkExpiry(verdict.game_date),
  };
  const pending = current?.retry?.state === 'pending' ? current.retry : undefined;
  const decision = { retryStarted: false, cancelled: false, recovered: false, alerts };

  if (verdict.outcome === 'no_games' || verdict.outcome === 'met') {
    const reason = verdict.outcome === 'no_games' ? 'no games scheduled' : 'count met the expectation';
    const recovered = verdict.outcome === 'met' && base.degraded;
    return {
      ...decision,
      cancelled: pending !== undefined,
      recovered,
      check: {
        ...base,
        status: verdict.outcome,
        degraded: false,
        degraded_at: null,
        retry: pending ? endSeries(pending, 'cancelled', now, reason) : base.retry,
      },
    };
  }

  // low
  if (pending) return { ...decision, check: { ...base, status: 'retry_pending' } };
  if (current?.status === 'retry_exhausted') return { ...decision, check: base };
  const cutoff = retryCutoff(verdict.game_date, now, policy, context.timeZone);
  const firstDue = dueAt(
    now,
    retryDelayMinutes(1, policy, () => 0.5),
  );
  if (firstDue > cutoff) {
    alerts.push({
      rule: 'record_count_low',
      severity: 'ERROR',
      message: `${verdict.summary}; too late to retry (cutoff ${cutoff.toISOString()})`,
      details: numbers(verdict, 0, policy.max_attempts, cutoff),
    });
    return {
      ...decision,
      check: {
        ...base,
        status: 'retry_exhausted',
        degraded: true,
        degraded_at: at,
        retry: {
          state: 'exhausted',
          started_at: at,
          cutoff_at: cutoff.toISOString(),
          max_attempts: policy.max_attempts,
          attempts_sent: 0,
          next_action: null,
          next_due_at: null,
          requests: [],
          ended_at: at,
          end_reason: 'past the cutoff before the first attempt',
        },
      },
    };
  }
  return {
    ...decision,
    retryStarted: true,
    check: {
      ...base,
      status: 'retry_pending',
      retry: {
        state: 'pending',
        started_at: at,
        cutoff_at: cutoff.toISOString(),
        max_attempts: policy.max_attempts,
        attempts_sent: 0,
        next_action: 'rerun',
        next_due_at: firstDue.toISOString(),
        requests: [],
        ended_at: null,
        end_reason: null,
      },
    },
  };
}

function numbers(
  verdict: Pick<RecordCountVerdict, 'observed' | 'expected' | 'fraction'>,
  attempts: number,
  max: number,
  cutoff: Date,
) {
  return {
    observed_count: verdict.observed,
    expected_count: verdict.expected.rows,
    expected_rule: verdict.expected.rule,
    expected_basis: verdict.expected.basis,
    fraction: verdict.fraction,
    attempts,
    max_attempts: max,
    cutoff_at: cutoff.toISOString(),
  };
}

export type DueDecision =
  | { kind: 'not_due' }
  /** the processor's circuit breaker is open: keep the series, send nothing */
  | { kind: 'held' }
  | { kind: 'send'; attempt: number; check: RecordCountCheck }
  | { kind: 'resolved'; check: RecordCountCheck }
  | { kind: 'exhausted'; check: RecordCountCheck; alert: AlertIntent | null };

/**
 * What a tick does with a pending series, given a fresh count of the table:
 * nothing before it is due; cancel when the table now meets the expectation;
 * give up (degraded, one alert with the numbers) at the cutoff or after the
 * last attempt's final count; otherwise request the next attempt and schedule
 * the one after (or the final count). An open breaker holds the request, and
 * its own alert stands for the dates that run out while it is open.
 */
export function decideOnDue(
  check: RecordCountCheck,
  observed: number,
  context: DecisionContext & { random: RandomSource; breakerOpen: boolean },
): DueDecision {
  const { now, policy } = context;
  const series = check.retry;
  if (check.status !== 'retry_pending' || series?.state !== 'pending' || !series.next_due_at)
    return { kind: 'not_due' };
  const cutoff = new Date(series.cutoff_at);
  if (now < new Date(series.next_due_at) && now < cutoff) return { kind: 'not_due' };
  const at = now.toISOString();
  const fraction = check.expected.rows === 0 ? null : Number((observed / check.expected.rows).toFixed(4));
  const met = fraction === null || fraction >= check.threshold;
  const last: LastCheck = {
    at,
    source: 'tick',
    outcome: met ? 'met' : 'low',
    observed,
    message_count: null,
    fraction,
    message_id: null,
  };
  if (met)
    return {
      kind: 'resolved',
      check: {
        ...check,
        status: 'met',
        last_check: last,
        retry: endSeries(series, 'cancelled', now, 'count met the expectation'),
        updated_at: at,
      },
    };
  const pastCutoff = now >= cutoff;
  if (pastCutoff || series.next_action === 'final_check') {
    const reason = pastCutoff
      ? `cutoff ${series.cutoff_at} reached after ${series.attempts_sent} of ${series.max_attempts} attempts`
      : `still low after ${series.attempts_sent} attempts`;
    const alert: AlertIntent | null = context.breakerOpen
      ? null
      : {
          rule: 'retry_exhausted',
          severity: 'ERROR',
          message:
            `${check.processor} ${check.game_date}: ${observed} of ${check.expected.rows} rows ` +
            `(${Math.round((fraction ?? 0) * 100)}%, ${check.expected.rule}: ${check.expected.basis}) ` +
            `after ${series.attempts_sent} re-run requests; ${reason}. Marked degraded.`,
          details: numbers(
            { observed, expected: check.expected, fraction },
            series.attempts_sent,
            series.max_attempts,
            cutoff,
          ),
        };
    return {
      kind: 'exhausted',
      alert,
      check: {
        ...check,
        status: 'retry_exhausted',
        degraded: true,
        degraded_at: at,
        last_check: last,
        retry: endSeries(series, 'exhausted', now, reason),
        updated_at: at,
      },
    };
  }
  if (context.breakerOpen) return { kind: 'held' };
  const attempt = series.attempts_sent + 1;
  const request: RerunAttempt = { attempt, requested_at: at, observed, expected: check.expected.rows };
  const lastAttempt = attempt >= series.max_attempts;
  // After the last request the processor still needs time to run: the final count waits as long as a retry would.
  const wait = lastAttempt
    ? policy.first_retry_after_minutes
    : retryDelayMinutes(attempt + 1, policy, context.random);
  const nextDue = dueAt(now, wait);
  return {
    kind: 'send',
    attempt,
    check: {
      ...check,
      last_check: last,
      retry: {
        ...series,
        attempts_sent: attempt,
        next_action: lastAttempt ? 'final_check' : 'rerun',
        next_due_at: (nextDue < cutoff ? nextDue : cutoff).toISOString(),
        requests: [...series.requests, request],
      },
      updated_at: at,
    },
  };
}

/**
 * The table a pending series counts is gone (dropped, renamed): no re-run can
 * fill it, and `table_missing` already tells people. The series waits for the
 * table until its cutoff, then ends exhausted with that reason, with no
 * `retry_exhausted` alert of its own, so it is not re-counted on every tick
 * forever.
 */
export function decideOnMissingTable(
  check: RecordCountCheck,
  table: string,
  now: Date,
): { kind: 'not_due' } | { kind: 'exhausted'; check: RecordCountCheck } {
  const series = check.retry;
  if (check.status !== 'retry_pending' || series?.state !== 'pending') return { kind: 'not_due' };
  if (now < new Date(series.cutoff_at)) return { kind: 'not_due' };
  const at = now.toISOString();
  const reason = `cutoff ${series.cutoff_at} reached with ${table} missing, after ${series.attempts_sent} of ${series.max_attempts} attempts`;
  return {
    kind: 'exhausted',
    check: {
      ...check,
      status: 'retry_exhausted',
      degraded: true,
      degraded_at: at,
      retry: endSeries(series, 'exhausted', now, reason),
      updated_at: at,
    },
  };
}
