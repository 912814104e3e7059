import {
  type AlertVerdict,
  breakerCleared,
  deadLetterQuiet,
  type OpenCondition,
  outsideWatchWindow,
  type RecordCountState,
  recordCountCleared,
  tableCleared,
} from '../../shared/domain/alert-rules.js';
import { addDays } from '../../shared/domain/calendar.js';
import { checkPath, processorPath } from '../recordCountCheck/state.js';
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
 * them when it next runs (gate, grading, export staleness, probe, worker
 * errors).
 */
export async function clearEventConditions(
  deps: TickRuleDependencies,
  open: readonly OpenCondition[],
  oldestDate: string,
): Promise<AlertVerdict[]> {
  const now = deps.clock.now();
  const oldestWatched = addDays(oldestDate, -deps.config.record_count.past_date_max_age_days);
  const verdicts: AlertVerdict[] = [];
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
  }
  return verdicts;
}
