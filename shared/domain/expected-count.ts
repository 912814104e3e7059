import type { ExpectedCountRule } from '../config/schema.js';
import { daysBetween } from './calendar.js';

/** One earlier day of a processor's output, for the baseline. */
export interface CountHistoryDay {
  game_date: string;
  rows: number;
  games: number;
}

export interface ExpectedCount {
  rows: number;
  /** the rule that produced the figure: `static`, `schedule` or `baseline` */
  rule: 'static' | 'schedule' | 'baseline';
  /** how the figure was reached, for people */
  basis: string;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function weekday(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

/**
 * How many rows a processor should write for `gameDate`. A date with no games
 * expects 0 whatever the rule. The baseline is the median rows per game over
 * the last `days` days that had games (same weekday counted
 * `same_weekday_weight` times), times today's games; until `min_history`
 * such days exist, the fallback rule applies.
 */
export function expectedCount(
  rule: ExpectedCountRule,
  gameDate: string,
  games: number,
  history: readonly CountHistoryDay[] = [],
): ExpectedCount {
  if (games === 0) return { rows: 0, rule: rule.kind, basis: 'no games scheduled' };
  switch (rule.kind) {
    case 'static':
      return { rows: rule.rows, rule: 'static', basis: `static ${rule.rows} rows` };
    case 'schedule':
      return {
        rows: Math.round(rule.rows_per_game * games),
        rule: 'schedule',
        basis: `${rule.rows_per_game} rows per game x ${games} games`,
      };
    case 'baseline': {
      const comparable = history.filter((day) => {
        const age = daysBetween(day.game_date, gameDate);
        return age >= 1 && age <= rule.days && day.games > 0 && day.rows > 0;
      });
      if (comparable.length < rule.min_history) {
        const fallback = expectedCount(rule.fallback, gameDate, games);
        return {
          ...fallback,
          basis: `${fallback.basis} (baseline needs ${rule.min_history} days of history, has ${comparable.length})`,
        };
      }
      const weight = Math.max(1, Math.round(rule.same_weekday_weight ?? 1));
      const perGame = comparable.flatMap((day) =>
        Array.from(
          { length: weekday(day.game_date) === weekday(gameDate) ? weight : 1 },
          () => day.rows / day.games,
        ),
      );
      const rowsPerGame = median(perGame);
      return {
        rows: Math.round(rowsPerGame * games),
        rule: 'baseline',
        basis: `median ${rowsPerGame.toFixed(1)} rows per game over ${comparable.length} days x ${games} games`,
      };
    }
  }
}
