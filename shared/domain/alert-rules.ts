import type { AlertRule, AlertSeverity } from '../messages/alert.js';
import { alertKey } from '../messages/alert.js';
import { minutesBetween } from './calendar.js';

/**
 * The alert rules of the incident report, as pure decisions over data and
 * time. Each evaluator answers with a verdict:
 * - `raise`: the condition holds; the sink decides whether people hear of it
 *   now (first time, or cooldown over) or it only counts a repeat;
 * - `clear`: the condition was checked and does not hold; the sink sends one
 *   resolved notice if the alert was open;
 * - `not_due`: too early to judge (before a deadline, no games, no sample):
 *   neither raise nor clear.
 */
export interface AlertCondition {
  rule: AlertRule;
  subject: string;
  game_date?: string;
  severity: AlertSeverity;
  message: string;
  details?: Record<string, unknown>;
}

export type AlertVerdict =
  | { kind: 'raise'; key: string; condition: AlertCondition }
  | { kind: 'clear'; key: string; message: string }
  | { kind: 'not_due'; key: string; reason: string };

function raise(condition: AlertCondition): AlertVerdict {
  return { kind: 'raise', key: alertKey(condition.rule, condition.subject, condition.game_date), condition };
}

function clear(
  rule: AlertRule,
  subject: string,
  gameDate: string | undefined,
  message: string,
): AlertVerdict {
  return { kind: 'clear', key: alertKey(rule, subject, gameDate), message };
}

function notDue(
  rule: AlertRule,
  subject: string,
  gameDate: string | undefined,
  reason: string,
): AlertVerdict {
  return { kind: 'not_due', key: alertKey(rule, subject, gameDate), reason };
}

const percent = (fraction: number) => `${Math.round(fraction * 1000) / 10}%`;

// ---------------------------------------------------------------------------
// Phase completion below the threshold at the phase's deadline

export interface PhaseCompletionInput {
  /**
   * the phase id, e.g. `phase3`: the alert's subject, as phaseTransition
   * raises it, so the sink deduplicates the two sources into one alert
   */
  phase: string;
  phaseLabel: string;
  gameDate: string;
  /** the processors the phase counts (required ones) */
  required: readonly string[];
  /** required processors completed (`success` / `partial`) for the date */
  completed: readonly string[];
  /** first completion of the date in this phase; none yet means nothing to judge */
  firstCompletionAt: Date | undefined;
  /** minutes after the first completion at which the phase should be complete */
  deadlineMinutes: number;
  now: Date;
  /** e.g. 0.8 */
  threshold: number;
}

export function phaseCompletion(input: PhaseCompletionInput): AlertVerdict {
  const rule: AlertRule = 'phase_completion_low';
  const { phase, gameDate } = input;
  if (input.required.length === 0) return notDue(rule, phase, gameDate, 'no required processors');
  const done = input.required.filter((name) => input.completed.includes(name));
  const fraction = done.length / input.required.length;
  if (fraction >= input.threshold)
    return clear(
      rule,
      phase,
      gameDate,
      `${input.phaseLabel} for ${gameDate} is ${percent(fraction)} complete (${done.length}/${input.required.length})`,
    );
  if (!input.firstCompletionAt)
    return notDue(rule, phase, gameDate, 'no processor of the phase has completed yet');
  const late = minutesBetween(input.firstCompletionAt, input.now) - input.deadlineMinutes;
  if (late < 0) return notDue(rule, phase, gameDate, `deadline in ${Math.ceil(-late)} min`);
  const missing = input.required.filter((name) => !done.includes(name));
  return raise({
    rule,
    subject: phase,
    game_date: gameDate,
    severity: 'ERROR',
    message:
      `${input.phaseLabel} for ${gameDate} is only ${percent(fraction)} complete ` +
      `(${done.length}/${input.required.length}) ${input.deadlineMinutes} min after its first completion; ` +
      `missing: ${missing.join(', ')}. Re-run the missing processors for ${gameDate} or check their logs.`,
    details: {
      completed: done,
      missing,
      fraction,
      threshold: input.threshold,
      first_completion_at: input.firstCompletionAt.toISOString(),
      deadline_minutes: input.deadlineMinutes,
    },
  });
}

// ---------------------------------------------------------------------------
// Data staleness: how old a table's rows for the date were when predictions ran

export interface DataStalenessInput {
  table: string;
  gameDate: string;
  /** newest `processed_at` of the table's rows for the date; undefined when there are none */
  newestProcessedAt: Date | undefined;
  /** when the date's predictions were made (newest active prediction); undefined: not yet */
  predictionsAt: Date | undefined;
  thresholdHours: number;
}

/**
 * Staleness is judged at the moment predictions were made: inputs older than
 * the threshold then mean predictions ran on outdated data (the incident's
 * hypothesis 3). A table with no rows for the date is the freshness gate's
 * finding, not this rule's.
 */
export function dataStaleness(input: DataStalenessInput): AlertVerdict {
  const rule: AlertRule = 'data_stale';
  const { table, gameDate } = input;
  if (!input.predictionsAt) return notDue(rule, table, gameDate, 'no predictions for the date yet');
  if (!input.newestProcessedAt) return notDue(rule, table, gameDate, 'no rows for the date');
  const ageHours = minutesBetween(input.newestProcessedAt, input.predictionsAt) / 60;
  const age = `${Math.round(ageHours * 10) / 10} h`;
  if (ageHours <= input.thresholdHours)
    return clear(rule, table, gameDate, `${table} for ${gameDate} was ${age} old when predictions ran`);
  return raise({
    rule,
    subject: table,
    game_date: gameDate,
    severity: 'WARNING',
    message:
      `${table} rows for ${gameDate} were ${age} old when predictions ran ` +
      `(limit ${input.thresholdHours} h). Re-run the processor, then the predictions for ${gameDate}.`,
    details: {
      newest_processed_at: input.newestProcessedAt.toISOString(),
      predictions_at: input.predictionsAt.toISOString(),
      age_hours: ageHours,
      threshold_hours: input.thresholdHours,
    },
  });
}

// ---------------------------------------------------------------------------
// Prediction volume for a date with games

export interface PredictionVolumeInput {
  gameDate: string;
  games: number;
  /** active rows in `player_prop_predictions` for the date */
  predictions: number;
  /** the time by which predictions must exist (the gate's cutoff for the date) */
  dueAt: Date;
  now: Date;
  threshold: number;
}

export function predictionVolume(input: PredictionVolumeInput): AlertVerdict {
  const rule: AlertRule = 'prediction_volume_low';
  const subject = 'player_prop_predictions';
  const { gameDate } = input;
  if (input.games === 0) return notDue(rule, subject, gameDate, 'no games scheduled');
  if (input.predictions >= input.threshold)
    return clear(rule, subject, gameDate, `${input.predictions} predictions for ${gameDate}`);
  if (input.now < input.dueAt)
    return notDue(rule, subject, gameDate, `predictions are due at ${input.dueAt.toISOString()}`);
  return raise({
    rule,
    subject,
    game_date: gameDate,
    severity: input.predictions === 0 ? 'CRITICAL' : 'ERROR',
    message:
      `Only ${input.predictions} predictions for ${gameDate} (${input.games} games scheduled; ` +
      `at least ${input.threshold} expected). Check the freshness gate and the prediction coordinator.`,
    details: { predictions: input.predictions, games: input.games, threshold: input.threshold },
  });
}

// ---------------------------------------------------------------------------
// Grading accuracy: below the baseline by the interval test, and the floor

/** Wilson score interval for `correct` of `graded` (95% by default). */
export function wilsonInterval(correct: number, graded: number, z = 1.959964): { low: number; high: number } {
  if (graded <= 0) return { low: 0, high: 1 };
  const p = correct / graded;
  const z2 = z * z;
  const denominator = 1 + z2 / graded;
  const centre = (p + z2 / (2 * graded)) / denominator;
  const margin = (z * Math.sqrt((p * (1 - p)) / graded + z2 / (4 * graded * graded))) / denominator;
  return { low: Math.max(0, centre - margin), high: Math.min(1, centre + margin) };
}

export interface GradingAccuracyInput {
  system: string;
  gameDate: string;
  correct: number;
  /** correct + incorrect (pushes, voids, PASS/NO_LINE excluded) */
  graded: number;
  /** trailing accuracy of the system; undefined when there is no history */
  baseline: number | undefined;
  /** below this many graded picks nothing is judged */
  minSample: number;
  /** e.g. 0.3: below it (with enough sample) is an error whatever the baseline */
  floor: number;
}

/**
 * Below the baseline only when the whole 95% interval is under it (the
 * exporter's test); the floor only with at least `minSample` graded picks, so
 * 9 of 48 on a quiet morning is judged on its interval, not its point value.
 */
export function gradingAccuracy(input: GradingAccuracyInput): AlertVerdict {
  const rule: AlertRule = 'grading_below_baseline';
  const { system, gameDate, correct, graded } = input;
  if (graded < input.minSample)
    return notDue(rule, system, gameDate, `${graded} graded, fewer than ${input.minSample}: inconclusive`);
  const accuracy = correct / graded;
  const interval = wilsonInterval(correct, graded);
  const belowBaseline = input.baseline !== undefined && interval.high < input.baseline;
  const belowFloor = accuracy < input.floor;
  const figures =
    `${system} graded ${correct}/${graded} = ${percent(accuracy)} on ${gameDate} ` +
    `(95% interval ${percent(interval.low)}-${percent(interval.high)}` +
    (input.baseline === undefined ? ', no baseline' : `, baseline ${percent(input.baseline)}`) +
    ')';
  if (!belowBaseline && !belowFloor) return clear(rule, system, gameDate, figures);
  return raise({
    rule,
    subject: system,
    game_date: gameDate,
    severity: belowFloor ? 'ERROR' : 'WARNING',
    message:
      `${figures}: ${belowBaseline ? 'below its baseline' : ''}${belowBaseline && belowFloor ? ' and ' : ''}` +
      `${belowFloor ? `under the ${percent(input.floor)} floor` : ''}. Check the grading inputs and the model.`,
    details: {
      correct,
      graded,
      accuracy,
      interval_low: interval.low,
      interval_high: interval.high,
      baseline: input.baseline,
      floor: input.floor,
    },
  });
}

// ---------------------------------------------------------------------------
// Raised from events: dead letters, red probes, exhausted retries, a gate at cutoff

export interface DeadLetterInput {
  functionName: string;
  reason: string;
  sourceTopic?: string;
  messageId?: string;
  /** when it was dead-lettered: alerts group by day */
  at: Date;
}

/** One alert per function and day; repeats inside the cooldown are counted, not sent. */
export function deadLettered(input: DeadLetterInput): AlertVerdict {
  const day = input.at.toISOString().slice(0, 10);
  return raise({
    rule: 'dead_letter',
    subject: input.functionName,
    game_date: day,
    severity: 'ERROR',
    message:
      `${input.functionName} refused a message${input.sourceTopic ? ` from ${input.sourceTopic}` : ''}: ` +
      `${input.reason}. The payload is kept on the dead-letter topic; fix the sender or replay it.`,
    details: {
      reason: input.reason,
      ...(input.sourceTopic ? { source_topic: input.sourceTopic } : {}),
      ...(input.messageId ? { message_id: input.messageId } : {}),
    },
  });
}

export interface ProbeCheckInput {
  check: string;
  status: 'green' | 'amber' | 'red' | string;
  detail: string;
  at: Date;
}

export function probeCheck(input: ProbeCheckInput): AlertVerdict {
  if (input.status !== 'red')
    return clear('probe_red', input.check, undefined, `probe check ${input.check} is ${input.status}`);
  return raise({
    rule: 'probe_red',
    subject: input.check,
    severity: 'ERROR',
    message: `Dependency probe check ${input.check} is red: ${input.detail}`,
    details: { checked_at: input.at.toISOString() },
  });
}

export interface RetryOutcomeInput {
  processor: string;
  gameDate: string;
  attempts: number;
  maxAttempts: number;
  expected: number;
  observed: number;
  /** true once the count met the expectation */
  recovered: boolean;
}

export function retryOutcome(input: RetryOutcomeInput): AlertVerdict {
  const { processor, gameDate } = input;
  if (input.recovered)
    return clear(
      'retry_exhausted',
      processor,
      gameDate,
      `${processor} for ${gameDate} now has ${input.observed} rows`,
    );
  if (input.attempts < input.maxAttempts)
    return notDue(
      'retry_exhausted',
      processor,
      gameDate,
      `attempt ${input.attempts} of ${input.maxAttempts}`,
    );
  return raise({
    rule: 'retry_exhausted',
    subject: processor,
    game_date: gameDate,
    severity: 'ERROR',
    message:
      `${processor} for ${gameDate} still has ${input.observed} of ${input.expected} expected rows after ` +
      `${input.attempts} re-runs; the date is marked degraded for it. Check its upstream data.`,
    details: { attempts: input.attempts, expected: input.expected, observed: input.observed },
  });
}

export interface GateAtCutoffInput {
  gameDate: string;
  decision: string;
  reasons: readonly string[];
  cutoffAt: Date;
  now: Date;
}

export function gateAtCutoff(input: GateAtCutoffInput): AlertVerdict {
  const { gameDate } = input;
  const subject = 'freshness_gate';
  if (input.decision !== 'BLOCKED')
    return clear('gate_blocked_at_cutoff', subject, gameDate, `gate for ${gameDate} is ${input.decision}`);
  if (input.now < input.cutoffAt)
    return notDue('gate_blocked_at_cutoff', subject, gameDate, 'cutoff not reached');
  return raise({
    rule: 'gate_blocked_at_cutoff',
    subject,
    game_date: gameDate,
    severity: 'CRITICAL',
    message:
      `The freshness gate for ${gameDate} was still BLOCKED at its cutoff; no predictions were triggered. ` +
      `Still missing: ${input.reasons.join('; ') || 'see the status page'}. Fix the data or open the gate by hand.`,
    details: { reasons: [...input.reasons], cutoff_at: input.cutoffAt.toISOString() },
  });
}
