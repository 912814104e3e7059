/**
 * Grading statistics: what a day's graded picks say, per system, and whether
 * that says anything at all. Pure functions of rows and numbers.
 *
 * Denominators, written down once (the incumbent mixed them):
 * - `total`: the latest active prediction per (player, game, system);
 * - `not_graded`: PASS / NO_LINE, no line, or the 20.0 placeholder line;
 * - `gradable` = total - not_graded;
 * - `voided`: gradable, but the player did not play;
 * - `pending`: gradable, outcome not known yet;
 * - `graded` = correct + incorrect + pushes (gradable, outcome known);
 * - accuracy = correct / (correct + incorrect): a push is neither;
 * - coverage = graded / gradable: how much of what could be graded is;
 * - MAE over graded picks.
 */

export type PredictionStatus = 'correct' | 'incorrect' | 'push' | 'pending' | 'voided' | 'not_graded';

/** One prediction after the grading rules, as the grading query returns it. */
export interface GradedPrediction {
  game_date: string;
  system_id: string;
  player_lookup: string;
  game_id: string;
  prediction_id: string | null;
  predicted_points: number | null;
  confidence_score: number | null;
  recommendation: string | null;
  line_value: number | null;
  actual_points: number | null;
  minutes_played: number | null;
  game_status: number | null;
  status: PredictionStatus;
  /** why a row is voided or not graded, e.g. `did_not_play`, `placeholder_line` */
  reason: string | null;
  prediction_correct: boolean | null;
  absolute_error: number | null;
  signed_error: number | null;
}

export interface SystemTally {
  system_id: string;
  total: number;
  not_graded: number;
  gradable: number;
  voided: number;
  pending: number;
  graded: number;
  pushes: number;
  correct: number;
  incorrect: number;
  /** sum of absolute errors over graded picks */
  absolute_error_sum: number;
}

/** A system's trailing accuracy from shotclock's own grades (`graded_predictions`). */
export interface SystemBaseline {
  system_id: string;
  correct: number;
  decided: number;
  days: number;
}

export interface Interval {
  low: number;
  high: number;
}

export type GradingVerdict = 'below_baseline' | 'inconclusive' | 'ok';

export interface SystemGrading extends Omit<SystemTally, 'absolute_error_sum'> {
  accuracy: number | null;
  accuracy_interval: Interval | null;
  mae: number | null;
  coverage: number | null;
  baseline: { accuracy: number; decided: number; days: number } | null;
  verdict: GradingVerdict;
  /** the verdict in words */
  verdict_reason: string;
}

export interface GradingPolicy {
  min_sample: number;
  baseline_days: number;
}

const Z_95 = 1.959963984540054;

/**
 * Wilson score interval for `successes` of `trials` (95% by default). Unlike
 * p +- z*se it stays inside [0, 1] and is honest for small samples and for
 * 0 or n successes. No trials: no interval.
 */
export function wilsonInterval(successes: number, trials: number, z = Z_95): Interval | null {
  if (trials <= 0) return null;
  if (successes < 0 || successes > trials) throw new RangeError(`${successes} successes of ${trials} trials`);
  const p = successes / trials;
  const z2 = z * z;
  const denominator = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / denominator;
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

function emptyTally(system_id: string): SystemTally {
  return {
    system_id,
    total: 0,
    not_graded: 0,
    gradable: 0,
    voided: 0,
    pending: 0,
    graded: 0,
    pushes: 0,
    correct: 0,
    incorrect: 0,
    absolute_error_sum: 0,
  };
}

/** Counts per system, in system id order. */
export function tallySystems(rows: readonly GradedPrediction[]): SystemTally[] {
  const tallies = new Map<string, SystemTally>();
  for (const row of rows) {
    let tally = tallies.get(row.system_id);
    if (!tally) {
      tally = emptyTally(row.system_id);
      tallies.set(row.system_id, tally);
    }
    tally.total += 1;
    switch (row.status) {
      case 'not_graded':
        tally.not_graded += 1;
        continue;
      case 'voided':
        tally.voided += 1;
        break;
      case 'pending':
        tally.pending += 1;
        break;
      case 'push':
        tally.pushes += 1;
        break;
      case 'correct':
        tally.correct += 1;
        break;
      case 'incorrect':
        tally.incorrect += 1;
        break;
    }
    tally.gradable += 1;
    if (row.status === 'correct' || row.status === 'incorrect' || row.status === 'push') {
      tally.graded += 1;
      tally.absolute_error_sum += row.absolute_error ?? 0;
    }
  }
  return [...tallies.values()].sort((a, b) => a.system_id.localeCompare(b.system_id));
}

const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

/** Accuracy, interval, MAE, coverage and the verdict against the system's baseline. */
export function assessSystem(
  tally: SystemTally,
  baseline: SystemBaseline | undefined,
  policy: GradingPolicy,
): SystemGrading {
  const { absolute_error_sum, ...counts } = tally;
  const decided = tally.correct + tally.incorrect;
  const accuracy = decided > 0 ? tally.correct / decided : null;
  const interval = wilsonInterval(tally.correct, decided);
  const baselineAccuracy =
    baseline && baseline.decided > 0
      ? { accuracy: baseline.correct / baseline.decided, decided: baseline.decided, days: baseline.days }
      : null;
  const { verdict, reason } = verdictFor(tally.correct, decided, interval, baselineAccuracy, policy);
  return {
    ...counts,
    accuracy,
    accuracy_interval: interval,
    mae: tally.graded > 0 ? absolute_error_sum / tally.graded : null,
    coverage: tally.gradable > 0 ? tally.graded / tally.gradable : null,
    baseline: baselineAccuracy,
    verdict,
    verdict_reason: reason,
  };
}

function verdictFor(
  correct: number,
  decided: number,
  interval: Interval | null,
  baseline: { accuracy: number } | null,
  policy: GradingPolicy,
): { verdict: GradingVerdict; reason: string } {
  const record = `${correct} of ${decided} correct`;
  if (!interval || decided < policy.min_sample)
    return {
      verdict: 'inconclusive',
      reason: `${record}: fewer than ${policy.min_sample} decided picks, too few to judge`,
    };
  const range = `${percent(correct / decided)}, 95% CI ${percent(interval.low)}-${percent(interval.high)}`;
  if (!baseline)
    return {
      verdict: 'inconclusive',
      reason: `${record} (${range}): no ${policy.baseline_days}-day baseline to compare with`,
    };
  if (interval.high < baseline.accuracy)
    return {
      verdict: 'below_baseline',
      reason: `${record} (${range}): even the top of the interval is under the ${policy.baseline_days}-day baseline of ${percent(baseline.accuracy)}`,
    };
  return {
    verdict: 'ok',
    reason: `${record} (${range}): consistent with the ${policy.baseline_days}-day baseline of ${percent(baseline.accuracy)}`,
  };
}

/**
 * The accuracy floor (e.g. 30%) applies only where it is significant: enough
 * decided picks, and the whole interval under the floor.
 */
export function isSignificantlyBelow(system: SystemGrading, floor: number, policy: GradingPolicy): boolean {
  const decided = system.correct + system.incorrect;
  return (
    decided >= policy.min_sample && system.accuracy_interval !== null && system.accuracy_interval.high < floor
  );
}

/** One sentence on whether today's number for the production system means anything. */
export function overallLine(systems: readonly SystemGrading[], productionSystem: string): string {
  const production = systems.find((system) => system.system_id === productionSystem);
  const others = systems.filter((system) => system.system_id !== productionSystem);
  const othersBelow = others.filter((system) => system.verdict === 'below_baseline');
  const otherSentence =
    others.length === 0
      ? ''
      : othersBelow.length === 0
        ? ` No other system is below its baseline (${others.length} checked).`
        : ` Also below baseline: ${othersBelow.map((system) => system.system_id).join(', ')} (of ${others.length} other systems).`;
  if (!production) return `No predictions from the production system ${productionSystem}.${otherSentence}`;
  const decided = production.correct + production.incorrect;
  const record = `${productionSystem} is ${production.correct} of ${decided}`;
  const range = production.accuracy_interval
    ? ` (${percent(production.accuracy ?? 0)}, 95% CI ${percent(production.accuracy_interval.low)}-${percent(production.accuracy_interval.high)})`
    : '';
  const baseline = production.baseline
    ? ` against a baseline of ${percent(production.baseline.accuracy)}`
    : '';
  const meaning: Record<GradingVerdict, string> = {
    below_baseline: 'below its baseline beyond chance: this is a real drop worth investigating, not noise.',
    inconclusive:
      decided === 0
        ? 'nothing decided yet, so there is no number to read.'
        : production.baseline === null
          ? 'no baseline to compare with yet, so the number cannot be judged.'
          : 'too little to say anything either way; do not read the percentage on its own.',
    ok: 'within normal variation; no evidence of a regression.',
  };
  return `${record}${range}${baseline}: ${meaning[production.verdict]}${otherSentence}`;
}

/** Whether `latest.json` has stopped moving while games are being played. */
export function exportStaleness(input: {
  now: Date;
  gamesInProgress: number;
  latestUpdatedAt: string | undefined;
  staleAfterMinutes: number;
}): { stale: boolean; minutesSinceUpdate: number | null } {
  const minutesSinceUpdate = input.latestUpdatedAt
    ? (input.now.getTime() - new Date(input.latestUpdatedAt).getTime()) / 60_000
    : null;
  if (input.gamesInProgress === 0) return { stale: false, minutesSinceUpdate };
  return {
    stale: minutesSinceUpdate === null || minutesSinceUpdate > input.staleAfterMinutes,
    minutesSinceUpdate,
  };
}
