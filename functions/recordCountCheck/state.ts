/**
 * Firestore layout of the record-count checker (the status page reads it).
 *
 * `record_count_checks/{processor}__{game_date}`: one per (processor, date) seen,
 *   processor, game_date, phase, table
 *   status        'met' | 'no_games' | 'retry_pending' | 'retry_exhausted'
 *   degraded      true once every permitted attempt left the date low; degraded_at
 *   games         scheduled games on the date
 *   expected      { rows, rule: 'static' | 'schedule' | 'baseline', basis }  (the figure and how)
 *   threshold     fraction of `expected.rows` below which the date is low
 *   last_check    { at, source: 'completion' | 'tick', outcome, observed, message_count, fraction, message_id }
 *   mismatch      null | { message_count, warehouse_count, difference_fraction, at }
 *   retry         null | { state: 'pending' | 'cancelled' | 'exhausted', started_at, cutoff_at,
 *                   max_attempts, attempts_sent, next_action: 'rerun' | 'final_check' | null,
 *                   next_due_at, requests: [{ attempt, requested_at, observed, expected }],
 *                   ended_at, end_reason }
 *   published     { [attempt]: true } once that re-run went out: the analytics service accepted it and
 *                 the request is on the topic (set by the outbox)
 *   alerts        { [rule]: { alert, raised_at } }: alerts decided here, latched with the decision
 *   alert_pending true while some latched alert has not reached the sink yet (the tick re-raises)
 *   updated_at
 * Pending retries: `status == 'retry_pending'`; exhausted: `status == 'retry_exhausted'` (with
 * `degraded`), numbers in `last_check`, `expected` and `retry.requests`.
 *
 * `record_count_processors/{processor}`: the processor's circuit breaker
 *   breaker       { open, opened_at, recent_failures: [{ game_date, at }], open_dates: [...] }
 *   alerts, alert_pending   as above (`retry_circuit_open`)
 *
 * `record_count_tables/{dataset.table}`: `alerts.table_missing`, so a missing table alerts once.
 *
 * `record_count_history/{processor}__{game_date}`: { key: '{processor}__{game_date}', processor, game_date,
 *   rows, games, recorded_at },
 *   the latest count per date, read back for the `baseline` rule.
 *
 * Re-runs go through `shotclock_outbox/record_count__{processor}__{game_date}__{series}__{attempt}`
 * (owner `recordCountCheck`).
 */
import { DEFAULT_COLLECTIONS } from '../../shared/config/collections.js';
import { type Alert, alertKey } from '../../shared/messages/alert.js';
import type { AlertIntent, RecordCountCheck, RetryBreaker } from '../../shared/domain/record-count.js';
import type { CountHistoryDay } from '../../shared/domain/expected-count.js';
import { addDays } from '../../shared/domain/calendar.js';
import type { StateDocument, StateStore, StateTransaction } from '../../shared/ports/state-store.port.js';
import type { AlertSink } from '../../shared/ports/alert-sink.port.js';
import type { Clock } from '../../shared/ports/clock.port.js';
import type { Logger } from '../../shared/logging/logger.js';

export const CHECKS = DEFAULT_COLLECTIONS.record_count_checks;
export const PROCESSORS = DEFAULT_COLLECTIONS.record_count_processors;
export const TABLES = DEFAULT_COLLECTIONS.record_count_tables;
export const HISTORY = DEFAULT_COLLECTIONS.record_count_history;
/** The outbox entries this function queues, and alone drives. */
export const OUTBOX_OWNER = 'recordCountCheck';

export const checkPath = (processor: string, gameDate: string) => `${CHECKS}/${processor}__${gameDate}`;
export const processorPath = (processor: string) => `${PROCESSORS}/${processor}`;
export const tablePath = (table: string) => `${TABLES}/${table}`;
/** A day's count is history for the baseline (`baseline_days`, 14 by default): kept 60 days after its date. */
export const HISTORY_RETENTION_DAYS = 60;
export const historyExpiry = (gameDate: string) =>
  new Date(Date.parse(`${gameDate}T00:00:00Z`) + HISTORY_RETENTION_DAYS * 86_400_000).toISOString();
export const historyKey = (processor: string, gameDate: string) => `${processor}__${gameDate}`;
export const historyPath = (processor: string, gameDate: string) =>
  `${HISTORY}/${historyKey(processor, gameDate)}`;

export type StoredCheck = RecordCountCheck & {
  phase?: string;
  table?: string;
  alerts?: Record<string, LatchedAlert>;
  alert_pending?: boolean;
};

export interface LatchedAlert {
  alert: Alert;
  raised_at: string | null;
}

export function breakerOf(document: StateDocument | undefined): RetryBreaker | undefined {
  return document?.breaker as RetryBreaker | undefined;
}

/** An alert decided in a transaction: stored with it, raised after it commits. */
export function latchAlert(
  tx: StateTransaction,
  path: string,
  intent:
    | AlertIntent
    | { rule: 'table_missing'; severity: 'ERROR'; message: string; details: Record<string, unknown> },
  subject: string,
  gameDate: string | undefined,
  now: Date,
  statusUrl: string,
): void {
  const alert: Alert = {
    key: alertKey(intent.rule, subject, gameDate),
    rule: intent.rule,
    severity: intent.severity,
    subject,
    ...(gameDate ? { game_date: gameDate } : {}),
    message: intent.message,
    details: intent.details,
    raised_at: now.toISOString(),
    status_url: statusUrl,
  };
  tx.merge(path, {
    alerts: { [intent.rule]: { alert, raised_at: null } },
    alert_pending: true,
  });
}

/**
 * Raises the latched alerts of `path` that have not reached the sink, then
 * marks them raised. A failure leaves them for the next tick.
 */
export async function raiseLatchedAlerts(
  deps: { state: StateStore; alerts: AlertSink; clock: Clock; logger: Logger },
  path: string,
): Promise<number> {
  const document = await deps.state.get(path);
  const latched = (document?.alerts ?? {}) as Record<string, LatchedAlert>;
  const raised: string[] = [];
  for (const [rule, entry] of Object.entries(latched)) {
    if (entry.raised_at) continue;
    try {
      await deps.alerts.raise(entry.alert);
      raised.push(rule);
    } catch (error) {
      deps.logger.warning('alert not delivered, the tick will retry it', {
        alert_key: entry.alert.key,
        error: (error as Error).message,
      });
    }
  }
  if (raised.length === 0) return 0;
  const at = deps.clock.now().toISOString();
  await deps.state.transaction(async (tx) => {
    const fresh = (await tx.get(path)) ?? {};
    const alerts = (fresh.alerts ?? {}) as Record<string, LatchedAlert>;
    const marks: Record<string, { raised_at: string }> = {};
    for (const rule of raised)
      if (
        alerts[rule] &&
        !alerts[rule].raised_at &&
        alerts[rule].alert.raised_at === latched[rule]?.alert.raised_at
      )
        marks[rule] = { raised_at: at };
    const stillPending = Object.entries(alerts).some(([rule, entry]) => !entry.raised_at && !marks[rule]);
    tx.merge(path, { alerts: marks, alert_pending: stillPending });
  });
  return raised.length;
}

/** The last `days` days of a processor's counts before `gameDate`, for the baseline rule. */
export async function readHistory(
  state: StateStore,
  processor: string,
  gameDate: string,
  days: number,
): Promise<CountHistoryDay[]> {
  // One range query on the document's own key (processor__date sorts by date): no composite index.
  const documents = await state.list(HISTORY, [
    { field: 'key', op: '>=', value: historyKey(processor, addDays(gameDate, -days)) },
    { field: 'key', op: '<', value: historyKey(processor, gameDate) },
  ]);
  return documents.map(({ data }) => ({
    game_date: String(data.game_date),
    rows: Number(data.rows),
    games: Number(data.games),
  }));
}
