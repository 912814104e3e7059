import { describe, expect, it } from 'vitest';
import { loadPipelineConfig } from '../../../shared/config/load.js';
import { expectedCount } from '../../../shared/domain/expected-count.js';
import {
  breakerOnFailure,
  breakerOnRecovery,
  breakerOnTick,
  CLOSED_BREAKER,
  countMismatch,
  decideOnCompletion,
  decideOnDue,
  decideOnMissingTable,
  judgeCount,
  type RecordCountCheck,
  type RecordCountVerdict,
  retryCutoff,
  retryDelayMinutes,
} from '../../../shared/domain/record-count.js';

const config = loadPipelineConfig();
const policy = config.record_count;
const zone = config.project.time_zone;
const schedule26 = { kind: 'schedule', rows_per_game: 26 } as const;
const et = (local: string) => new Date(`${local}-05:00`);

function verdict(observed: number, games = 6, messageCount?: number): RecordCountVerdict {
  return judgeCount(
    {
      processor: 'upcoming_player_game_context',
      game_date: '2026-01-17',
      games,
      expected: expectedCount(schedule26, '2026-01-17', games),
      warehouse_count: observed,
      ...(messageCount === undefined ? {} : { message_count: messageCount }),
    },
    policy,
  );
}

const context = (now: Date) => ({ now, policy, timeZone: zone });

describe('judgeCount', () => {
  it.each([
    { observed: 1, games: 6, outcome: 'low', fraction: 0.0064, rows: 156 },
    { observed: 77, games: 6, outcome: 'low', fraction: 0.4936, rows: 156 },
    { observed: 78, games: 6, outcome: 'met', fraction: 0.5, rows: 156 },
    { observed: 156, games: 6, outcome: 'met', fraction: 1, rows: 156 },
    { observed: 0, games: 0, outcome: 'no_games', fraction: null, rows: 0 },
    { observed: 5, games: 0, outcome: 'no_games', fraction: null, rows: 0 },
  ])('$observed rows with $games games: $outcome', ({ observed, games, outcome, fraction, rows }) => {
    const judged = verdict(observed, games);
    expect(judged.outcome).toBe(outcome);
    expect(judged.fraction).toBe(fraction);
    expect(judged.expected).toMatchObject({ rows, rule: 'schedule' });
  });

  it('reports the rule and figure in the summary', () => {
    expect(verdict(1).summary).toBe(
      'upcoming_player_game_context 2026-01-17: 1 of 156 rows (1%, schedule: 26 rows per game x 6 games), below 50%',
    );
  });

  it('judges the table, and names a disagreeing message as a finding', () => {
    const judged = verdict(1, 6, 156);
    expect(judged.outcome).toBe('low');
    expect(judged.mismatch).toEqual({ message_count: 156, warehouse_count: 1, difference_fraction: 0.9936 });
  });
});

describe('countMismatch', () => {
  it.each([
    { message: undefined, table: 10, incremental: false, found: false },
    { message: 156, table: 156, incremental: false, found: false },
    { message: 155, table: 156, incremental: false, found: false }, // 0.6% within 2%
    { message: 150, table: 156, incremental: false, found: true }, // 3.8%
    { message: 0, table: 0, incremental: false, found: false },
    { message: 12, table: 156, incremental: true, found: false }, // incremental run touched 12 rows
    { message: 200, table: 156, incremental: true, found: true },
  ])('message $message, table $table, incremental $incremental -> $found', (row) => {
    expect(
      countMismatch(row.message, row.table, policy.count_tolerance_fraction, row.incremental) !== null,
    ).toBe(row.found);
  });
});

describe('retryDelayMinutes', () => {
  it.each([
    { attempt: 1, random: 0, minutes: 30 },
    { attempt: 1, random: 0.99, minutes: 30 },
    { attempt: 2, random: 0.5, minutes: 60 },
    { attempt: 2, random: 0, minutes: 54 },
    { attempt: 2, random: 1, minutes: 66 },
    { attempt: 3, random: 0.5, minutes: 120 },
    { attempt: 3, random: 0.25, minutes: 114 },
  ])('attempt $attempt with random $random: $minutes min', ({ attempt, random, minutes }) => {
    expect(retryDelayMinutes(attempt, policy, () => random)).toBeCloseTo(minutes, 6);
  });
});

describe('retryCutoff', () => {
  it.each([
    { date: '2026-01-17', now: '2026-01-17T17:00:00', cutoff: '2026-01-18T03:00:00.000Z' }, // today: 22:00 ET today
    { date: '2026-01-18', now: '2026-01-17T17:00:00', cutoff: '2026-01-18T03:00:00.000Z' }, // tomorrow: 22:00 ET today
    { date: '2026-01-20', now: '2026-01-17T17:00:00', cutoff: '2026-01-20T03:00:00.000Z' }, // later: the evening before
    { date: '2026-01-16', now: '2026-01-17T09:00:00', cutoff: '2026-01-20T05:00:00.000Z' }, // past: 3 days of age
    { date: '2026-07-04', now: '2026-07-04T12:00:00-04:00', cutoff: '2026-07-05T02:00:00.000Z' }, // EDT
  ])('$date at $now -> $cutoff', ({ date, now, cutoff }) => {
    const instant = now.length > 19 ? new Date(now) : et(now);
    expect(retryCutoff(date, instant, policy, zone).toISOString()).toBe(cutoff);
  });
});

describe('decideOnCompletion', () => {
  const now = et('2026-01-17T17:00:00');

  it('starts one series, first attempt due 30 minutes later', () => {
    const decision = decideOnCompletion(undefined, verdict(1), context(now), { count: 1, id: 'm1' });
    expect(decision.retryStarted).toBe(true);
    expect(decision.check.status).toBe('retry_pending');
    expect(decision.check.retry).toMatchObject({
      state: 'pending',
      attempts_sent: 0,
      max_attempts: 3,
      next_action: 'rerun',
      next_due_at: '2026-01-17T22:30:00.000Z',
      cutoff_at: '2026-01-18T03:00:00.000Z',
    });
    expect(decision.alerts).toEqual([]);
  });

  it('keeps due times to the minute: a completion at 17:00:41 is retried on the 17:30 tick', () => {
    const decision = decideOnCompletion(undefined, verdict(1), context(et('2026-01-17T17:00:41')), {});
    expect(decision.check.retry?.next_due_at).toBe('2026-01-17T22:30:00.000Z');
  });

  it('keeps the pending series for a duplicate low completion', () => {
    const first = decideOnCompletion(undefined, verdict(1), context(now), {});
    const again = decideOnCompletion(first.check, verdict(1), context(et('2026-01-17T17:03:00')), {});
    expect(again.retryStarted).toBe(false);
    expect(again.check.retry).toEqual(first.check.retry);
  });

  it('cancels what is pending when a later completion meets the expectation', () => {
    const first = decideOnCompletion(undefined, verdict(1), context(now), {});
    const later = decideOnCompletion(first.check, verdict(156), context(et('2026-01-17T17:41:00')), {});
    expect(later.cancelled).toBe(true);
    expect(later.check.status).toBe('met');
    expect(later.check.retry).toMatchObject({ state: 'cancelled', next_due_at: null });
  });

  it('never retries or alerts a date without games', () => {
    const decision = decideOnCompletion(undefined, verdict(0, 0), context(now), {});
    expect(decision).toMatchObject({
      retryStarted: false,
      alerts: [],
      check: { status: 'no_games', retry: null },
    });
  });

  it('degrades at once, with one alert, when even the first attempt would be past the cutoff', () => {
    const decision = decideOnCompletion(undefined, verdict(1), context(et('2026-01-17T21:45:00')), {});
    expect(decision.retryStarted).toBe(false);
    expect(decision.check).toMatchObject({ status: 'retry_exhausted', degraded: true });
    expect(decision.alerts.map((alert) => alert.rule)).toEqual(['record_count_low']);
  });

  it('alerts a message/table disagreement once per date', () => {
    const first = decideOnCompletion(undefined, verdict(1, 6, 156), context(now), {});
    const again = decideOnCompletion(first.check, verdict(1, 6, 156), context(now), {});
    expect(first.alerts.map((alert) => alert.rule)).toEqual(['record_count_mismatch']);
    expect(again.alerts).toEqual([]);
  });

  it('does not start a new series on an exhausted date, and recovers it when it is met', () => {
    const exhausted = decideOnCompletion(undefined, verdict(1), context(et('2026-01-17T21:45:00')), {}).check;
    expect(
      decideOnCompletion(exhausted, verdict(1), context(et('2026-01-17T21:50:00')), {}).retryStarted,
    ).toBe(false);
    const met = decideOnCompletion(exhausted, verdict(156), context(et('2026-01-17T21:55:00')), {});
    expect(met).toMatchObject({ recovered: true, check: { status: 'met', degraded: false } });
  });
});

describe('decideOnDue', () => {
  const started = decideOnCompletion(undefined, verdict(1), context(et('2026-01-17T17:00:00')), {}).check;
  const due = (check: RecordCountCheck, at: string, observed: number, breakerOpen = false) =>
    decideOnDue(check, observed, { ...context(et(at)), random: () => 0.5, breakerOpen });

  function walk(observed: number) {
    const steps: Array<{ at: string; kind: string; attempt?: number }> = [];
    let check = started;
    for (let minute = 0; minute <= 300; minute += 5) {
      const at = new Date(et('2026-01-17T17:00:00').getTime() + minute * 60_000);
      const decision = decideOnDue(check, observed, {
        ...context(at),
        random: () => 0.5,
        breakerOpen: false,
      });
      if (decision.kind === 'not_due') continue;
      steps.push({
        at: at.toISOString(),
        kind: decision.kind,
        ...(decision.kind === 'send' ? { attempt: decision.attempt } : {}),
      });
      if (decision.kind === 'held') continue;
      check = decision.check;
    }
    return steps;
  }

  it('is not due before 17:30', () => {
    expect(due(started, '2026-01-17T17:25:00', 1).kind).toBe('not_due');
  });

  it('requests 3 re-runs on backoff, then gives up with the numbers, before the 22:00 cutoff', () => {
    expect(walk(1)).toEqual([
      { at: '2026-01-17T22:30:00.000Z', kind: 'send', attempt: 1 },
      { at: '2026-01-17T23:30:00.000Z', kind: 'send', attempt: 2 },
      { at: '2026-01-18T01:30:00.000Z', kind: 'send', attempt: 3 },
      { at: '2026-01-18T02:00:00.000Z', kind: 'exhausted' },
    ]);
  });

  it('cancels when the table meets the expectation by the time it is due', () => {
    expect(due(started, '2026-01-17T17:30:00', 156).kind).toBe('resolved');
  });

  it('stops at the cutoff whatever attempts remain', () => {
    const late = decideOnCompletion(undefined, verdict(1), context(et('2026-01-17T21:00:00')), {}).check;
    const first = due(late, '2026-01-17T21:30:00', 1);
    expect(first).toMatchObject({ kind: 'send', attempt: 1 });
    if (first.kind !== 'send') return;
    expect(first.check.retry?.next_due_at).toBe('2026-01-18T03:00:00.000Z');
    const atCutoff = due(first.check, '2026-01-17T22:00:00', 1);
    expect(atCutoff.kind).toBe('exhausted');
    if (atCutoff.kind === 'exhausted')
      expect(atCutoff.alert?.details).toMatchObject({ observed_count: 1, expected_count: 156, attempts: 1 });
  });

  it('holds requests while the breaker is open, and folds the give-up into its alert', () => {
    expect(due(started, '2026-01-17T17:30:00', 1, true).kind).toBe('held');
    const atCutoff = due(started, '2026-01-17T22:00:00', 1, true);
    expect(atCutoff).toMatchObject({ kind: 'exhausted', alert: null, check: { degraded: true } });
  });
});

describe('circuit breaker', () => {
  const start = et('2026-01-17T09:00:00');
  const minutesLater = (minutes: number) => new Date(start.getTime() + minutes * 60_000);

  it('opens once when 5 dates fail within 60 minutes, then only gathers more dates', () => {
    let breaker = CLOSED_BREAKER;
    const opened: boolean[] = [];
    for (let day = 1; day <= 8; day += 1) {
      const result = breakerOnFailure(breaker, `2026-01-0${day}`, minutesLater(day), policy);
      breaker = result.breaker;
      opened.push(result.opened);
    }
    expect(opened).toEqual([false, false, false, false, true, false, false, false]);
    expect(breaker.open_dates).toHaveLength(8);
  });

  it('stays closed when the failures are spread beyond the window', () => {
    let breaker = CLOSED_BREAKER;
    for (let day = 1; day <= 8; day += 1)
      breaker = breakerOnFailure(breaker, `2026-01-0${day}`, minutesLater(day * 20), policy).breaker;
    expect(breaker.open).toBe(false);
  });

  it('counts a date once however often it fails', () => {
    let breaker = CLOSED_BREAKER;
    for (let i = 0; i < 10; i += 1)
      breaker = breakerOnFailure(breaker, '2026-01-05', minutesLater(i), policy).breaker;
    expect(breaker.open).toBe(false);
  });

  it('closes on recovery, or on a tick once a quiet window has passed', () => {
    let breaker = CLOSED_BREAKER;
    for (let day = 1; day <= 5; day += 1)
      breaker = breakerOnFailure(breaker, `2026-01-0${day}`, minutesLater(day), policy).breaker;
    expect(breakerOnRecovery(breaker).closed).toBe(true);
    expect(breakerOnTick(breaker, minutesLater(30), policy).closed).toBe(false);
    expect(breakerOnTick(breaker, minutesLater(70), policy).closed).toBe(true);
  });
});

describe('decideOnMissingTable', () => {
  const started = decideOnCompletion(undefined, verdict(1), context(et('2026-01-17T17:00:00')), {}).check;

  it.each([
    { at: '2026-01-17T18:00:00', kind: 'not_due' }, // before the 22:00 ET cutoff: waits for the table
    { at: '2026-01-17T21:59:00', kind: 'not_due' },
    { at: '2026-01-17T22:00:00', kind: 'exhausted' }, // at the cutoff the series ends
    { at: '2026-01-18T03:00:00', kind: 'exhausted' },
  ])('table gone, $at ET -> $kind', ({ at, kind }) => {
    const decision = decideOnMissingTable(started, 'nba_analytics.upcoming_player_game_context', et(at));
    expect(decision.kind).toBe(kind);
    if (decision.kind !== 'exhausted') return;
    expect(decision.check).toMatchObject({ status: 'retry_exhausted', degraded: true });
    expect(decision.check.retry).toMatchObject({ state: 'exhausted', next_due_at: null, next_action: null });
    expect(decision.check.retry?.end_reason).toContain('nba_analytics.upcoming_player_game_context missing');
  });

  it('leaves a check with no pending series alone', () => {
    const met = { ...started, status: 'met' as const };
    expect(decideOnMissingTable(met, 'x.y', et('2026-01-18T03:00:00')).kind).toBe('not_due');
  });
});
