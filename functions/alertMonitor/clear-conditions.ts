import {
  type AlertVerdict,
  breakerCleared,
  deadLetterQuiet,
  incidentClosed,
  type OpenCondition,
  outboxUnstuck,
  outsideWatchWindow,
  type RecordCountState,
  recordCountCleared,
  refusalsQuiet,
  tableCleared,
} from '../../shared/domain/alert-rules.js';
import { addDays } from '../../shared/domain/calendar.js';
import { OUTBOX, type OutboxEntry } from '../../shared/runtime/outbox.js';
import { checkPath, processorPath } from '../recordCountCheck/state.js';
import { INCIDENTS_COLLECTION } from './worker-error-incident.js';
import type { TickRuleDependencies } from './tick-rules.js';

const RECORD_COUNT_RULES = new Set(['record_count_low', 'record_count_mismatch', 'retry_exhausted']);

/** The record-count checker's stored word on (processor, date) (`record_count_checks`, see its state.ts). */
async function recordCountState(
  deps: TickRuleDependencies,
  processor: string,
  gameDate: string,
): Promise<RecordCountState | undefined> {
  const document = await deps.state.get(checkPath(processor, gameDate));
  if (!document) return undefined;
  const lastCheck = (document.last_check ?? {}) as { observed?: number };
  const expected = (document.expected ?? {}) as { rows?: number };
  return {
    ...(typeof document.status === 'string' ? { status: document.status } : {}),
    mismatch: document.mismatch ?? null,
    observed: typeof lastCheck.observed === 'number' ? lastCheck.observed : null,
    expected: typeof expected.rows === 'number' ? expected.rows : null,
  };
}

/** Pending outbox entries (any owner) per stuck alert key they raised. */
async function pendingStuckKeys(deps: TickRuleDependencies): Promise<Map<string, number>> {
  const pending = await deps.state.list(OUTBOX, [{ field: 'state', op: '==', value: 'pending' }]);
  const counts = new Map<string, number>();
  for (const { data } of pending) {
    const key = (data as unknown as OutboxEntry).stuck_alert?.key;
    if (key) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

async function tableReadable(deps: TickRuleDependencies, table: string): Promise<boolean> {
  try {
    return await deps.warehouse.tableExists(table);
  } catch {
    return false;
  }
}

/**
 * For conditions raised from an event (a dead letter, a low count, an open
 * circuit, a missing table), what says they are over, read from the raiser's
 * own state on the tick. Conditions whose date left the watch window close
 * unresolved. Rules not listed here are cleared by the function that raises
 * them when it next runs (gate, grading, export staleness, probe); see
 * `RULE_RESOLUTION` in `shared/domain/alert-lifecycle.ts` for every rule.
 */
export async function clearEventConditions(
  deps: TickRuleDependencies,
  open: readonly OpenCondition[],
  oldestDate: string,
): Promise<AlertVerdict[]> {
  const now = deps.clock.now();
  const oldestWatched = addDays(oldestDate, -deps.config.record_count.past_date_max_age_days);
  const verdicts: AlertVerdict[] = [];
  let stuckKeys: Map<string, number> | undefined;
  for (const condition of open) {
    const expired = outsideWatchWindow(condition, oldestWatched);
    if (expired) {
      verdicts.push(expired);
      continue;
    }
    if (condition.rule === 'dead_letter')
      verdicts.push(deadLetterQuiet(condition, now, deps.config.alerts.grouping.dead_letter_quiet_minutes));
    else if (RECORD_COUNT_RULES.has(condition.rule) && condition.game_date)
      verdicts.push(
        recordCountCleared(condition, await recordCountState(deps, condition.subject, condition.game_date)),
      );
    else if (condition.rule === 'retry_circuit_open') {
      const breaker = (await deps.state.get(processorPath(condition.subject)))?.breaker as
        | { open?: boolean }
        | undefined;
      verdicts.push(breakerCleared(condition, breaker ? breaker.open === true : undefined));
    } else if (condition.rule === 'table_missing')
      verdicts.push(tableCleared(condition, await tableReadable(deps, condition.subject)));
    else if (condition.rule === 'outbox_rejected')
      verdicts.push(refusalsQuiet(condition, now, deps.config.alerts.grouping.dead_letter_quiet_minutes));
    else if (condition.rule === 'outbox_stuck') {
      stuckKeys ??= await pendingStuckKeys(deps);
      verdicts.push(outboxUnstuck(condition, stuckKeys.get(condition.key) ?? 0));
    } else if (condition.rule === 'worker_errors' && typeof condition.details?.incident_id === 'string') {
      const incident = await deps.state.get(
        `${INCIDENTS_COLLECTION}/${encodeURIComponent(condition.details.incident_id)}`,
      );
      verdicts.push(incidentClosed(condition, incident?.state));
    }
  }
  return verdicts;
}
