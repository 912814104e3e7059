import { describe, expect, it } from 'vitest';
import {
  assessSystem,
  exportStaleness,
  type GradedPrediction,
  isSignificantlyBelow,
  overallLine,
  type PredictionStatus,
  type SystemTally,
  tallySystems,
  wilsonInterval,
} from '../../../shared/domain/grading-stats.js';

const policy = { min_sample: 30, baseline_days: 14 };

function tally(system_id: string, correct: number, incorrect: number, extra: Partial<SystemTally> = {}) {
  const pushes = extra.pushes ?? 0;
  const graded = correct + incorrect + pushes;
  return {
    system_id,
    total: graded,
    not_graded: 0,
    gradable: graded,
    voided: 0,
    pending: 0,
    graded,
    pushes,
    correct,
    incorrect,
    absolute_error_sum: graded * 5,
    ...extra,
  };
}

function row(
  system_id: string,
  status: PredictionStatus,
  absolute_error: number | null = null,
): GradedPrediction {
  return {
    game_date: '2026-01-18',
    system_id,
    player_lookup: `p${Math.random()}`,
    game_id: 'g1',
    prediction_id: null,
    predicted_points: 20,
    confidence_score: 60,
    recommendation: 'OVER',
    line_value: 18.5,
    actual_points: null,
    minutes_played: null,
    game_status: 3,
    status,
    reason: null,
    prediction_correct: status === 'correct' ? true : status === 'incorrect' ? false : null,
    absolute_error,
  } as GradedPrediction;
}

describe('Wilson 95% interval', () => {
  // Reference values: Newcombe (1998), Table I, and the closed form for 0 of n.
  it.each([
    { successes: 0, trials: 10, low: 0, high: 0.2775 },
    { successes: 10, trials: 10, low: 0.7225, high: 1 },
    { successes: 50, trials: 100, low: 0.4038, high: 0.5962 },
    { successes: 15, trials: 148, low: 0.0624, high: 0.1605 },
    { successes: 81, trials: 263, low: 0.2553, high: 0.3662 },
  ])('$successes of $trials -> [$low, $high]', ({ successes, trials, low, high }) => {
    const interval = wilsonInterval(successes, trials);
    expect(interval?.low).toBeCloseTo(low, 3);
    expect(interval?.high).toBeCloseTo(high, 3);
  });

  it('has no interval without trials and refuses impossible counts', () => {
    expect(wilsonInterval(0, 0)).toBeNull();
    expect(() => wilsonInterval(5, 4)).toThrow(RangeError);
  });

  it('narrows as the sample grows, around the same rate', () => {
    const small = wilsonInterval(9, 48)!;
    const large = wilsonInterval(90, 480)!;
    expect(large.high - large.low).toBeLessThan(small.high - small.low);
    expect(small.low).toBeLessThan(9 / 48);
    expect(small.high).toBeGreaterThan(9 / 48);
  });
});

describe('tallySystems', () => {
  it('keeps one denominator: pushes, voids, pending and not-graded rows are not misses', () => {
    const rows = [
      row('a', 'correct', 2),
      row('a', 'incorrect', 6),
      row('a', 'push', 0),
      row('a', 'voided'),
      row('a', 'pending'),
      row('a', 'not_graded'),
      row('b', 'incorrect', 4),
    ];
    const [a, b] = tallySystems(rows);
    expect(a).toEqual({
      system_id: 'a',
      total: 6,
      not_graded: 1,
      gradable: 5,
      voided: 1,
      pending: 1,
      graded: 3,
      pushes: 1,
      correct: 1,
      incorrect: 1,
      absolute_error_sum: 8,
    });
    expect(b?.graded).toBe(1);
    const assessed = assessSystem(a!, undefined, policy);
    expect(assessed.accuracy).toBe(0.5);
    expect(assessed.mae).toBeCloseTo(8 / 3);
    expect(assessed.coverage).toBe(3 / 5);
  });
});

describe('verdict against the trailing baseline', () => {
  const baseline = (rate: number) => ({
    system_id: 's',
    correct: Math.round(rate * 560),
    decided: 560,
    days: 14,
  });

  it.each([
    {
      case: '9 of 48 against 49%: the whole interval is under the baseline',
      correct: 9,
      incorrect: 39,
      rate: 0.49,
      verdict: 'below_baseline',
    },
    {
      case: '9 of 48 against 30%: bad day, within chance',
      correct: 9,
      incorrect: 39,
      rate: 0.3,
      verdict: 'ok',
    },
    { case: '3 of 12: too few to judge', correct: 3, incorrect: 9, rate: 0.49, verdict: 'inconclusive' },
    { case: '0 of 0: nothing decided', correct: 0, incorrect: 0, rate: 0.49, verdict: 'inconclusive' },
    { case: '25 of 48 against 49%: in line', correct: 25, incorrect: 23, rate: 0.49, verdict: 'ok' },
  ])('$case -> $verdict', ({ correct, incorrect, rate, verdict }) => {
    const result = assessSystem(tally('s', correct, incorrect), baseline(rate), policy);
    expect(result.verdict).toBe(verdict);
    if (verdict === 'below_baseline')
      expect(result.accuracy_interval!.high).toBeLessThan(result.baseline!.accuracy);
    if (verdict === 'ok' && correct + incorrect > 0)
      expect(result.accuracy_interval!.high).toBeGreaterThanOrEqual(result.baseline!.accuracy);
  });

  it('without history the verdict is inconclusive, and says why', () => {
    const result = assessSystem(tally('s', 9, 39), undefined, policy);
    expect(result.verdict).toBe('inconclusive');
    expect(result.verdict_reason).toMatch(/no 14-day baseline/);
  });

  it('the accuracy floor applies only with enough sample and the whole interval under it', () => {
    const floor = 0.3;
    expect(isSignificantlyBelow(assessSystem(tally('s', 9, 39), undefined, policy), floor, policy)).toBe(
      false,
    );
    expect(isSignificantlyBelow(assessSystem(tally('s', 10, 90), undefined, policy), floor, policy)).toBe(
      true,
    );
    expect(isSignificantlyBelow(assessSystem(tally('s', 1, 9), undefined, policy), floor, policy)).toBe(
      false,
    );
  });
});

describe('overallLine', () => {
  it('says in words whether 9 of 48 means anything', () => {
    const systems = [
      assessSystem(
        tally('catboost_v8', 9, 39),
        { system_id: 'catboost_v8', correct: 274, decided: 560, days: 14 },
        policy,
      ),
      assessSystem(
        tally('ensemble_v1', 18, 31),
        { system_id: 'ensemble_v1', correct: 218, decided: 560, days: 14 },
        policy,
      ),
    ];
    const line = overallLine(systems, 'catboost_v8');
    expect(line).toContain('9 of 48');
    expect(line).toContain('18.8%');
    expect(line).toMatch(/beyond chance/);
    expect(line).toMatch(/No other system is below its baseline/);
  });

  it('tells people not to read a small sample', () => {
    const baseline = { system_id: 'catboost_v8', correct: 274, decided: 560, days: 14 };
    const line = overallLine([assessSystem(tally('catboost_v8', 2, 8), baseline, policy)], 'catboost_v8');
    expect(line).toMatch(/too little to say/);
  });

  it('says when there is nothing to compare with', () => {
    const line = overallLine([assessSystem(tally('catboost_v8', 20, 30), undefined, policy)], 'catboost_v8');
    expect(line).toMatch(/no baseline to compare with/);
  });
});

describe('exportStaleness', () => {
  const now = new Date('2026-01-19T01:00:00Z');
  it.each([
    { case: 'no games in progress', games: 0, updated: '2026-01-18T20:00:00Z', stale: false },
    { case: 'updated 3 minutes ago', games: 3, updated: '2026-01-19T00:57:00Z', stale: false },
    { case: 'updated 40 minutes ago', games: 3, updated: '2026-01-19T00:20:00Z', stale: true },
    { case: 'never written', games: 1, updated: undefined, stale: true },
  ])('$case -> stale: $stale', ({ games, updated, stale }) => {
    expect(
      exportStaleness({ now, gamesInProgress: games, latestUpdatedAt: updated, staleAfterMinutes: 15 }).stale,
    ).toBe(stale);
  });
});
