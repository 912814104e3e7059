import { describe, expect, it } from 'vitest';
import type { ExpectedCountRule } from '../../../shared/config/schema.js';
import { addDays } from '../../../shared/domain/calendar.js';
import { type CountHistoryDay, expectedCount } from '../../../shared/domain/expected-count.js';

const GAME_DATE = '2026-01-17'; // a Saturday

/** `rowsPerGame[i]` rows per game on the day `i + 1` days before GAME_DATE, `games` games each. */
function history(rowsPerGame: number[], games = 5): CountHistoryDay[] {
  return rowsPerGame.map((perGame, i) => ({
    game_date: addDays(GAME_DATE, -(i + 1)),
    rows: perGame * games,
    games,
  }));
}

const upcomingPlayers: ExpectedCountRule = {
  kind: 'baseline',
  days: 14,
  min_history: 7,
  fallback: { kind: 'schedule', rows_per_game: 26 },
};

describe('expectedCount', () => {
  it.each<{
    case: string;
    rule: ExpectedCountRule;
    games: number;
    history?: CountHistoryDay[];
    rows: number;
    kind: string;
    basis: string;
  }>([
    {
      case: 'no games: nothing expected, whatever the rule',
      rule: { kind: 'static', rows: 30 },
      games: 0,
      rows: 0,
      kind: 'static',
      basis: 'no games scheduled',
    },
    {
      case: 'no games with a baseline rule and rich history',
      rule: upcomingPlayers,
      games: 0,
      history: history([30, 30, 30, 30, 30, 30, 30]),
      rows: 0,
      kind: 'baseline',
      basis: 'no games scheduled',
    },
    {
      case: 'static',
      rule: { kind: 'static', rows: 30 },
      games: 9,
      rows: 30,
      kind: 'static',
      basis: 'static 30 rows',
    },
    {
      case: 'per game on the schedule (the 2026-01-17 slate: 6 games)',
      rule: { kind: 'schedule', rows_per_game: 26 },
      games: 6,
      rows: 156,
      kind: 'schedule',
      basis: '26 rows per game x 6 games',
    },
    {
      case: 'fractional rows per game round to whole rows',
      rule: { kind: 'schedule', rows_per_game: 2.5 },
      games: 3,
      rows: 8,
      kind: 'schedule',
      basis: '2.5 rows per game x 3 games',
    },
    {
      case: 'baseline without history: the fallback, saying why',
      rule: upcomingPlayers,
      games: 6,
      rows: 156,
      kind: 'schedule',
      basis: '26 rows per game x 6 games (baseline needs 7 days of history, has 0)',
    },
    {
      case: 'baseline with too little history',
      rule: upcomingPlayers,
      games: 6,
      history: history([30, 30, 30, 30, 30, 30]),
      rows: 156,
      kind: 'schedule',
      basis: '26 rows per game x 6 games (baseline needs 7 days of history, has 6)',
    },
    {
      case: 'baseline: median rows per game times the games on the date',
      rule: upcomingPlayers,
      games: 6,
      history: history([28, 30, 31, 30, 29, 90, 1]),
      rows: 180,
      kind: 'baseline',
      basis: 'median 30.0 rows per game over 7 days x 6 games',
    },
    {
      case: 'baseline: an even count takes the middle two',
      rule: upcomingPlayers,
      games: 4,
      history: history([20, 20, 20, 21, 22, 22, 22, 22]),
      rows: 86,
      kind: 'baseline',
      basis: 'median 21.5 rows per game over 8 days x 4 games',
    },
    {
      case: 'baseline ignores days with no games or no rows, and days outside the window',
      rule: { ...upcomingPlayers, days: 7, min_history: 3 },
      games: 2,
      history: [
        { game_date: '2026-01-16', rows: 50, games: 2 }, // 25 per game
        { game_date: '2026-01-15', rows: 0, games: 3 }, // the processor wrote nothing: not a baseline
        { game_date: '2026-01-14', rows: 0, games: 0 }, // no games
        { game_date: '2026-01-13', rows: 75, games: 3 }, // 25
        { game_date: '2026-01-10', rows: 100, games: 4 }, // 25, 7 days back: inside
        { game_date: '2026-01-09', rows: 400, games: 4 }, // 8 days back: outside
        { game_date: '2026-01-17', rows: 400, games: 2 }, // the date itself: not history
        { game_date: '2026-01-18', rows: 400, games: 2 }, // the future
      ],
      rows: 50,
      kind: 'baseline',
      basis: 'median 25.0 rows per game over 3 days x 2 games',
    },
  ])('$case', ({ rule, games, history: days, rows, kind, basis }) => {
    expect(expectedCount(rule, GAME_DATE, games, days)).toEqual({ rows, rule: kind, basis });
  });

  it('the same weekday counted several times moves the median toward it', () => {
    // 7 days back is the same weekday (a Saturday) at 40 rows per game; three of the other six are 20
    const days = history([20, 20, 20, 20, 40, 40, 40]);
    const plain = { ...upcomingPlayers, min_history: 3 };
    expect(expectedCount(plain, GAME_DATE, 1, days).rows).toBe(20);
    expect(expectedCount({ ...plain, same_weekday_weight: 3 }, GAME_DATE, 1, days).rows).toBe(40);
  });
});
