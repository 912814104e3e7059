import type { AlertRule, AlertSeverity } from '../messages/alert.js';
import { alertKey } from '../messages/alert.js';
import { minutesBetween } from './calendar.js';

/**
 * The alert rules of the incident report, as pure decisions over data and
 * time. Each evaluator answers with a verdict:
 * - `raise`: the condition holds; the sink records it and the date's group
 *   decides whether people hear of it now (see `alert-grouping.ts`);
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
// Raised from events: dead letters, red probes, exhausted retries, a gate at cutoff

export interface DeadLetterInput {
  functionName: string;
  reason: string;
  sourceTopic?: string;
  messageId?: string;
  /** when it was dead-lettered: alerts group by day */
  at: Date;
}

/** One alert per function and day; it clears once the function has refused nothing for a quiet period. */
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

// ---------------------------------------------------------------------------
// What clears a condition that was raised from an event, judged on the tick

/** An open condition as the tick sees it. */
export interface OpenCondition {
  key: string;
  rule: AlertRule;
  subject: string;
  game_date?: string;
  last_raised_at: string;
  details?: Record<string, unknown>;
}

const cleared = (key: string, message: string): AlertVerdict => ({ kind: 'clear', key, message });
const stillOpen = (key: string, reason: string): AlertVerdict => ({ kind: 'not_due', key, reason });

/** A dead-letter condition clears when the function refused nothing for `quietMinutes`. */
export function deadLetterQuiet(open: OpenCondition, now: Date, quietMinutes: number): AlertVerdict {
  const quiet = minutesBetween(new Date(open.last_raised_at), now);
  if (quiet < quietMinutes) return stillOpen(open.key, `last refusal ${Math.round(quiet)} min ago`);
  return cleared(
    open.key,
    `${open.subject} has refused no message for ${Math.round(quiet)} minutes (since ${open.last_raised_at})`,
  );
}

/** A refused outbox request is an event: the condition clears when no request was refused for `quietMinutes`. */
export function refusalsQuiet(open: OpenCondition, now: Date, quietMinutes: number): AlertVerdict {
  const quiet = minutesBetween(new Date(open.last_raised_at), now);
  if (quiet < quietMinutes) return stillOpen(open.key, `last refusal ${Math.round(quiet)} min ago`);
  return cleared(open.key, `${open.subject}: no request refused for ${Math.round(quiet)} minutes`);
}

/**
 * A stuck outbox condition clears once no pending entry carries it: each one
 * went out (the driver resolves it then too) or was given up, which the
 * stuck notice already said.
 */
export function outboxUnstuck(open: OpenCondition, stillPending: number): AlertVerdict {
  if (stillPending > 0) return stillOpen(open.key, `${stillPending} entry(ies) still pending`);
  return cleared(open.key, `${open.subject}: nothing is waiting to go out any more`);
}

/** A worker-errors condition clears when its Monitoring incident was recorded closed (a close that came first). */
export function incidentClosed(open: OpenCondition, recordedState: unknown): AlertVerdict {
  if (recordedState !== 'closed') return stillOpen(open.key, 'incident still open in Cloud Monitoring');
  return cleared(open.key, `${open.subject}: the Cloud Monitoring incident is closed`);
}

/** The record-count checker's word on one (processor, date), as it stores it. */
export interface RecordCountState {
  status?: string;
  mismatch?: unknown;
  observed?: number | null;
  expected?: number | null;
}

/**
 * `record_count_low` and `retry_exhausted` clear once the count met its
 * expectation (or the date turned out to have no games); a mismatch clears
 * once the latest completion's own count agrees with the table.
 */
export function recordCountCleared(open: OpenCondition, check: RecordCountState | undefined): AlertVerdict {
  if (!check) return stillOpen(open.key, 'no record-count state');
  const rows =
    check.observed != null
      ? ` (${check.observed} rows${check.expected != null ? ` of ${check.expected} expected` : ''})`
      : '';
  if (open.rule === 'record_count_mismatch')
    return check.mismatch
      ? stillOpen(open.key, 'counts still disagree')
      : cleared(
          open.key,
          `${open.subject} for ${open.game_date}: the completion's count now matches the table${rows}`,
        );
  if (check.status === 'met' || check.status === 'no_games')
    return cleared(open.key, `${open.subject} for ${open.game_date} now meets its expected count${rows}`);
  return stillOpen(open.key, `status ${check.status ?? 'unknown'}`);
}

/** A processor's retry circuit clears when its breaker is closed again. */
export function breakerCleared(open: OpenCondition, breakerOpen: boolean | undefined): AlertVerdict {
  return breakerOpen === false
    ? cleared(open.key, `${open.subject}: re-runs are allowed again (its circuit closed)`)
    : stillOpen(open.key, 'circuit still open');
}

/** A missing table clears once a query can read it. */
export function tableCleared(open: OpenCondition, readable: boolean): AlertVerdict {
  return readable
    ? cleared(open.key, `${open.subject} exists again: its record counts can be checked`)
    : stillOpen(open.key, 'table still missing');
}

/**
 * A condition about a date older than the watch window is closed: nothing
 * re-checks such a date, so keeping it open would only nag (it says so).
 */
export function outsideWatchWindow(open: OpenCondition, oldestWatched: string): AlertVerdict | undefined {
  if (open.game_date === undefined || open.game_date >= oldestWatched) return undefined;
  return cleared(
    open.key,
    `${open.rule} for ${open.subject} on ${open.game_date}: no longer watched (dates before ${oldestWatched} are not re-checked); closed unresolved`,
  );
}
