import { describe, expect, it } from 'vitest';
import {
  type AlertVerdict,
  breakerCleared,
  dataStaleness,
  deadLettered,
  deadLetterQuiet,
  type OpenCondition,
  outsideWatchWindow,
  predictionVolume,
  recordCountCleared,
  tableCleared,
} from '../../../shared/domain/alert-rules.js';

const at = (iso: string) => new Date(iso);

function summary(verdict: AlertVerdict) {
  return verdict.kind === 'raise'
    ? { kind: verdict.kind, key: verdict.key, severity: verdict.condition.severity }
    : { kind: verdict.kind, key: verdict.key };
}

describe('data staleness over 2 h when predictions ran', () => {
  const base = {
    table: 'nba_analytics.upcoming_player_game_context',
    gameDate: '2026-01-18',
    thresholdHours: 2,
  };
  it.each([
    ['processed 1 h before predictions', '2026-01-17T22:01:40Z', '2026-01-17T23:01:00Z', 'clear'],
    ['processed exactly 2 h before', '2026-01-17T21:00:00Z', '2026-01-17T23:00:00Z', 'clear'],
    ['processed 21 h before', '2026-01-17T02:00:00Z', '2026-01-17T23:00:00Z', 'raise'],
    ['no predictions yet', '2026-01-17T02:00:00Z', undefined, 'not_due'],
    ['no rows for the date', undefined, '2026-01-17T23:00:00Z', 'not_due'],
  ])('%s -> %s', (_case, processed, predictions, kind) => {
    const verdict = dataStaleness({
      ...base,
      newestProcessedAt: processed ? at(processed) : undefined,
      predictionsAt: predictions ? at(predictions) : undefined,
    });
    expect(verdict.kind).toBe(kind);
    expect(verdict.key).toBe('data_stale:nba_analytics.upcoming_player_game_context:2026-01-18');
  });
});

describe('prediction volume below 200 on a date with games', () => {
  const base = { gameDate: '2026-01-18', dueAt: at('2026-01-18T03:00:00Z'), threshold: 200 };
  it.each([
    ['1,680 predictions', 6, 1680, '2026-01-18T04:00:00Z', 'clear', undefined],
    ['150 predictions after the cutoff', 6, 150, '2026-01-18T04:00:00Z', 'raise', 'ERROR'],
    ['none at all after the cutoff', 6, 0, '2026-01-18T04:00:00Z', 'raise', 'CRITICAL'],
    ['150 before the cutoff', 6, 150, '2026-01-17T23:30:00Z', 'not_due', undefined],
    ['no games scheduled', 0, 0, '2026-01-18T04:00:00Z', 'not_due', undefined],
    ['exactly 200', 4, 200, '2026-01-18T04:00:00Z', 'clear', undefined],
  ])('%s -> %s', (_case, games, predictions, now, kind, severity) => {
    const verdict = predictionVolume({ ...base, games, predictions, now: at(now) });
    expect(summary(verdict)).toEqual({
      kind,
      key: 'prediction_volume_low:player_prop_predictions:2026-01-18',
      ...(severity ? { severity } : {}),
    });
  });
});

describe('rules raised from events', () => {
  it('groups dead letters per function and day', () => {
    const first = deadLettered({
      functionName: 'phaseTransition',
      reason: 'game_date: expected a date',
      at: at('2026-01-18T02:04:00Z'),
    });
    const second = deadLettered({
      functionName: 'phaseTransition',
      reason: 'message data is not JSON',
      at: at('2026-01-18T02:05:00Z'),
    });
    expect(first.key).toBe('dead_letter:phaseTransition:2026-01-18');
    expect(second.key).toBe(first.key);
    expect(first.kind).toBe('raise');
  });
});

describe('what clears a condition raised from an event', () => {
  const open = (rule: OpenCondition['rule'], subject: string, gameDate?: string): OpenCondition => ({
    key: [rule, subject, gameDate].filter(Boolean).join(':'),
    rule,
    subject,
    ...(gameDate ? { game_date: gameDate } : {}),
    last_raised_at: '2026-01-18T02:00:00.000Z',
  });
  it.each([
    ['59 min after the last refusal', '2026-01-18T02:59:00Z', 'not_due'],
    ['120 min after the last refusal', '2026-01-18T04:00:00Z', 'clear'],
  ])('dead letters, %s -> %s', (_case, now, kind) => {
    expect(deadLetterQuiet(open('dead_letter', 'phaseTransition', '2026-01-18'), at(now), 120).kind).toBe(
      kind,
    );
  });
  it.each([
    ['record_count_low', { status: 'retry_pending' }, 'not_due'],
    ['record_count_low', { status: 'retry_exhausted' }, 'not_due'],
    ['record_count_low', { status: 'met', observed: 160, expected: 156 }, 'clear'],
    ['retry_exhausted', { status: 'met' }, 'clear'],
    ['record_count_low', { status: 'no_games' }, 'clear'],
    ['record_count_mismatch', { status: 'met', mismatch: { message_count: 1 } }, 'not_due'],
    ['record_count_mismatch', { status: 'met', mismatch: null }, 'clear'],
    ['record_count_low', undefined, 'not_due'],
  ] as const)('%s with %j -> %s', (rule, check, kind) => {
    expect(recordCountCleared(open(rule, 'upcoming_player_game_context', '2026-01-18'), check).kind).toBe(
      kind,
    );
  });
  it.each([
    [false, 'clear'],
    [true, 'not_due'],
    [undefined, 'not_due'],
  ] as const)('circuit open=%s -> %s', (breakerOpen, kind) => {
    expect(breakerCleared(open('retry_circuit_open', 'player_game_summary'), breakerOpen).kind).toBe(kind);
  });
  it.each([
    [true, 'clear'],
    [false, 'not_due'],
  ] as const)('table readable=%s -> %s', (readable, kind) => {
    expect(tableCleared(open('table_missing', 'nba_analytics.x'), readable).kind).toBe(kind);
  });
  it('closes a condition whose date left the watch window, saying it was not fixed', () => {
    const old = outsideWatchWindow(
      open('record_count_low', 'player_game_summary', '2026-01-10'),
      '2026-01-14',
    );
    expect(old?.kind).toBe('clear');
    expect(old?.kind === 'clear' && old.message).toContain('closed unresolved');
    expect(outsideWatchWindow(open('record_count_low', 'x', '2026-01-14'), '2026-01-14')).toBeUndefined();
    expect(outsideWatchWindow(open('probe_red', 'function:x'), '2026-01-14')).toBeUndefined();
  });
});
