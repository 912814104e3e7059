import { describe, expect, it } from 'vitest';
import {
  type AlertVerdict,
  dataStaleness,
  deadLettered,
  gateAtCutoff,
  gradingAccuracy,
  phaseCompletion,
  predictionVolume,
  probeCheck,
  retryOutcome,
  wilsonInterval,
} from '../../../shared/domain/alert-rules.js';

const at = (iso: string) => new Date(iso);
const PHASE3 = [
  'player_game_summary',
  'team_offense_game_summary',
  'team_defense_game_summary',
  'upcoming_player_game_context',
  'upcoming_team_game_context',
];

function summary(verdict: AlertVerdict) {
  return verdict.kind === 'raise'
    ? { kind: verdict.kind, key: verdict.key, severity: verdict.condition.severity }
    : { kind: verdict.kind, key: verdict.key };
}

describe('phase completion below 80% at its deadline', () => {
  const base = {
    phase: 'phase3',
    phaseLabel: 'Phase 3 analytics',
    gameDate: '2026-01-18',
    required: PHASE3,
    firstCompletionAt: at('2026-01-17T22:01:40Z'),
    deadlineMinutes: 240,
    threshold: 0.8,
  };
  it.each([
    [
      '2 of 5 at the deadline (the incident)',
      ['team_offense_game_summary', 'upcoming_player_game_context'],
      '2026-01-18T02:01:40Z',
      'raise',
    ],
    [
      '2 of 5 before the deadline',
      ['team_offense_game_summary', 'upcoming_player_game_context'],
      '2026-01-18T02:00:00Z',
      'not_due',
    ],
    ['3 of 5 long after the deadline', PHASE3.slice(0, 3), '2026-01-18T12:00:00Z', 'raise'],
    ['4 of 5 (80%) at the deadline', PHASE3.slice(0, 4), '2026-01-18T02:30:00Z', 'clear'],
    ['5 of 5 before the deadline', PHASE3, '2026-01-17T23:00:00Z', 'clear'],
  ])('%s -> %s', (_case, completed, now, kind) => {
    const verdict = phaseCompletion({ ...base, completed, now: at(now) });
    expect(summary(verdict)).toMatchObject({ kind, key: 'phase_completion_low:phase3:2026-01-18' });
  });

  it('names what is missing and the percentage in the message', () => {
    const verdict = phaseCompletion({
      ...base,
      completed: ['team_offense_game_summary', 'upcoming_player_game_context', 'some_unknown_processor'],
      now: at('2026-01-18T03:00:00Z'),
    });
    expect(verdict.kind).toBe('raise');
    if (verdict.kind !== 'raise') return;
    expect(verdict.condition.message).toContain('40%');
    expect(verdict.condition.message).toContain('(2/5)');
    expect(verdict.condition.details?.missing).toEqual([
      'player_game_summary',
      'team_defense_game_summary',
      'upcoming_team_game_context',
    ]);
  });

  it('has nothing to judge before any completion', () => {
    expect(
      phaseCompletion({
        ...base,
        completed: [],
        firstCompletionAt: undefined,
        now: at('2026-01-19T00:00:00Z'),
      }).kind,
    ).toBe('not_due');
  });
});

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

describe('grading accuracy: below baseline by the interval, floor only with sample', () => {
  const base = { system: 'catboost_v8', gameDate: '2026-01-18', minSample: 30, floor: 0.3 };
  it.each([
    // 9/48 = 18.75%: interval ~10.2-31.9%, entirely under a 48% baseline, and under the floor.
    ['9 of 48 against 48%', 9, 48, 0.48, 'raise', 'ERROR'],
    // 9/20: too few to judge either way.
    ['9 of 20 (small sample)', 9, 20, 0.48, 'not_due', undefined],
    // 30/100 = 30%: on the floor, but the interval (22-40%) reaches the 39% baseline.
    ['30 of 100 against 39%', 30, 100, 0.39, 'clear', undefined],
    // 100/300 = 33%: above the floor, interval 28-39% under a 48% baseline.
    ['100 of 300 against 48%', 100, 300, 0.48, 'raise', 'WARNING'],
    ['25 of 100, no baseline yet', 25, 100, undefined, 'raise', 'ERROR'],
    ['140 of 280 against 48%', 140, 280, 0.48, 'clear', undefined],
  ])('%s -> %s', (_case, correct, graded, baseline, kind, severity) => {
    const verdict = gradingAccuracy({ ...base, correct, graded, baseline });
    expect(summary(verdict)).toEqual({
      kind,
      key: 'grading_below_baseline:catboost_v8:2026-01-18',
      ...(severity ? { severity } : {}),
    });
  });

  it('computes the Wilson interval the exporter uses', () => {
    const { low, high } = wilsonInterval(9, 48);
    expect(low).toBeCloseTo(0.1019, 3);
    expect(high).toBeCloseTo(0.3194, 3);
    expect(wilsonInterval(0, 0)).toEqual({ low: 0, high: 1 });
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

  it.each([
    ['red', 'raise'],
    ['green', 'clear'],
  ])('probe check %s -> %s', (status, kind) => {
    const verdict = probeCheck({
      check: 'topic:nba-phase3-trigger',
      status,
      detail: 'no subscription',
      at: at('2026-01-18T12:00:00Z'),
    });
    expect(verdict.kind).toBe(kind);
    expect(verdict.key).toBe('probe_red:topic:nba-phase3-trigger');
  });

  it.each([
    [2, false, 'not_due'],
    [3, false, 'raise'],
    [3, true, 'clear'],
  ])('retry attempt %i of 3 (recovered %s) -> %s', (attempts, recovered, kind) => {
    const verdict = retryOutcome({
      processor: 'upcoming_player_game_context',
      gameDate: '2026-01-18',
      attempts,
      maxAttempts: 3,
      expected: 156,
      observed: recovered ? 156 : 1,
      recovered,
    });
    expect(verdict.kind).toBe(kind);
  });

  it.each([
    ['BLOCKED', '2026-01-18T03:00:00Z', 'raise'],
    ['BLOCKED', '2026-01-18T02:00:00Z', 'not_due'],
    ['OPEN', '2026-01-18T03:00:00Z', 'clear'],
  ])('gate %s at %s -> %s', (decision, now, kind) => {
    const verdict = gateAtCutoff({
      gameDate: '2026-01-18',
      decision,
      reasons: ['upcoming_player_game_context: 1 of 156 rows'],
      cutoffAt: at('2026-01-18T03:00:00Z'),
      now: at(now),
    });
    expect(verdict.kind).toBe(kind);
    if (verdict.kind === 'raise') expect(verdict.condition.message).toContain('1 of 156 rows');
  });
});
