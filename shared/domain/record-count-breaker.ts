import { minutesBetween } from './calendar.js';
import type { AlertIntent } from './record-count-retry.js';
import type { RecordCountPolicy } from './record-count-verdict.js';

/**
 * The per-processor circuit breaker: when so many dates go low at once that
 * one alert should stand for all of them, and when it calms down. Pure.
 */
/** Per processor: how many dates went low lately, and whether that tripped the breaker. */
export interface RetryBreaker {
  open: boolean;
  opened_at: string | null;
  /** dates that started a retry series within the window (pruned on every write) */
  recent_failures: Array<{ game_date: string; at: string }>;
  /** the dates the open breaker stands for */
  open_dates: string[];
}

export const CLOSED_BREAKER: RetryBreaker = {
  open: false,
  opened_at: null,
  recent_failures: [],
  open_dates: [],
};

function recentDates(breaker: RetryBreaker, now: Date, policy: RecordCountPolicy) {
  return breaker.recent_failures.filter(
    (failure) => minutesBetween(failure.at, now) <= policy.circuit_breaker.window_minutes,
  );
}

/**
 * A date of this processor went low. When `dates` distinct dates have done so
 * within `window_minutes`, the breaker opens: one alert for all of them, and
 * their re-run requests are held (something upstream is wrong, and fifty
 * re-runs would not fix it).
 */
export function breakerOnFailure(
  breaker: RetryBreaker,
  gameDate: string,
  now: Date,
  policy: RecordCountPolicy,
): { breaker: RetryBreaker; opened: boolean } {
  const recent = recentDates(breaker, now, policy).filter((failure) => failure.game_date !== gameDate);
  recent.push({ game_date: gameDate, at: now.toISOString() });
  if (breaker.open)
    return {
      breaker: {
        ...breaker,
        recent_failures: recent,
        open_dates: [...new Set([...breaker.open_dates, gameDate])].sort(),
      },
      opened: false,
    };
  if (recent.length < policy.circuit_breaker.dates)
    return { breaker: { ...breaker, recent_failures: recent }, opened: false };
  return {
    breaker: {
      open: true,
      opened_at: now.toISOString(),
      recent_failures: recent,
      open_dates: recent.map((failure) => failure.game_date).sort(),
    },
    opened: true,
  };
}

export function breakerAlert(
  processor: string,
  breaker: RetryBreaker,
  policy: RecordCountPolicy,
): AlertIntent {
  return {
    rule: 'retry_circuit_open',
    severity: 'ERROR',
    message:
      `${processor}: ${breaker.open_dates.length} dates went low within ${policy.circuit_breaker.window_minutes} ` +
      `minutes (${breaker.open_dates.join(', ')}); re-run requests are held until it recovers`,
    details: { dates: breaker.open_dates, window_minutes: policy.circuit_breaker.window_minutes },
  };
}

/**
 * The breaker closes when the processor meets an expectation again, or, on a
 * tick, once a whole window has passed since it opened with fewer than
 * `dates` new failures inside the last window.
 */
export function breakerOnTick(
  breaker: RetryBreaker,
  now: Date,
  policy: RecordCountPolicy,
): { breaker: RetryBreaker; closed: boolean } {
  if (!breaker.open || !breaker.opened_at) return { breaker, closed: false };
  const window = policy.circuit_breaker.window_minutes;
  if (minutesBetween(breaker.opened_at, now) < window) return { breaker, closed: false };
  if (recentDates(breaker, now, policy).length >= policy.circuit_breaker.dates)
    return { breaker, closed: false };
  return { breaker: CLOSED_BREAKER, closed: true };
}

export function breakerOnRecovery(breaker: RetryBreaker): { breaker: RetryBreaker; closed: boolean } {
  return breaker.open ? { breaker: CLOSED_BREAKER, closed: true } : { breaker, closed: false };
}
