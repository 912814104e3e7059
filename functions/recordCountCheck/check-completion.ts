import type { Phase } from '../../shared/config/schema.js';
import { expectedCount } from '../../shared/domain/expected-count.js';
import {
  breakerAlert,
  breakerOnFailure,
  breakerOnRecovery,
  CLOSED_BREAKER,
  type CompletionDecision,
  decideOnCompletion,
  judgeCount,
  type RecordCountVerdict,
} from '../../shared/domain/record-count.js';
import type { Logger } from '../../shared/logging/logger.js';
import { isCompleted, type ProcessorCompletion } from '../../shared/messages/completion.js';
import { alertKey } from '../../shared/messages/alert.js';
import { scheduledGames } from '../../shared/queries/schedule.js';
import { PermanentError } from '../../shared/runtime/errors.js';
import {
  type CheckedProcessor,
  findProcessor,
  isChecked,
  type RecordCountCheckDeps,
} from './dependencies.js';
import {
  breakerOf,
  checkPath,
  historyKey,
  historyExpiry,
  historyPath,
  latchAlert,
  processorPath,
  raiseLatchedAlerts,
  readHistory,
  type StoredCheck,
  tablePath,
} from './state.js';
import { oneAtATime } from './one-at-a-time.js';
import { countRows, MissingTableError, readingTable } from './warehouse-counts.js';

/** A missing table alerts once (latched per table), then the message is refused for good. */
export async function alertMissingTable(
  deps: RecordCountCheckDeps,
  error: MissingTableError,
  logger: Logger,
): Promise<never> {
  const path = tablePath(error.table);
  await deps.state.transaction(async (tx) => {
    const current = await tx.get(path);
    if (current?.alerts) return;
    latchAlert(
      tx,
      path,
      {
        rule: 'table_missing',
        severity: 'ERROR',
        message: `${error.table} does not exist: record counts for it cannot be checked`,
        details: { table: error.table },
      },
      error.table,
      undefined,
      deps.clock.now(),
      deps.config.project.status_page_url,
    );
  });
  await raiseLatchedAlerts({ ...deps, logger }, path);
  throw error;
}

/**
 * Judges one completion: expected rows (rule and figure), rows in the table,
 * the message's own count; then, in one transaction on the date's check
 * document, starts, keeps or cancels the retry series and feeds the
 * processor's circuit breaker. Alerts decided there are latched with the
 * decision and raised once it has committed.
 */
export async function checkCompletion(
  deps: RecordCountCheckDeps,
  completion: ProcessorCompletion,
  source: { topic: string | undefined; messageId: string },
  logger: Logger,
): Promise<RecordCountVerdict | undefined> {
  const { config } = deps;
  const found = findProcessor(config, completion.processor_name);
  const log = logger.child({ game_date: completion.game_date, correlation_id: completion.correlation_id });
  if (!found) {
    log.info(`not a processor the record-count check watches: ${completion.processor_name}`);
    return undefined;
  }
  if (source.topic && source.topic !== found.phase.completion_topic)
    throw new PermanentError(
      `${completion.processor_name} belongs to ${found.phase.completion_topic}, not ${source.topic}`,
    );
  const { processor, phase } = found;
  if (!isChecked(processor)) {
    log.info(`${processor.name} has no table or expected-count rule: nothing to check`);
    return undefined;
  }
  try {
    return await oneAtATime(checkPath(processor.name, completion.game_date), () =>
      judgeAndDecide(deps, phase, processor, completion, source.messageId, log),
    );
  } catch (error) {
    if (error instanceof MissingTableError) return alertMissingTable(deps, error, log);
    throw error;
  }
}

async function judgeAndDecide(
  deps: RecordCountCheckDeps,
  phase: Phase,
  processor: CheckedProcessor,
  completion: ProcessorCompletion,
  messageId: string,
  logger: Logger,
): Promise<RecordCountVerdict> {
  const { config, clock } = deps;
  const rule = processor.expected;
  const gameDate = completion.game_date;
  const schedule = await readingTable(deps.warehouse, config.schedule_table, () =>
    scheduledGames(deps.warehouse, config, gameDate),
  );
  // A date without games is settled by the schedule alone: no table read, no retry, no alert.
  const observed =
    schedule.games === 0
      ? 0
      : await countRows(deps.warehouse, processor.table, processor.date_column, gameDate);
  const history =
    rule.kind === 'baseline' && schedule.games > 0
      ? await readHistory(deps.state, processor.name, gameDate, rule.days)
      : [];
  const verdict = judgeCount(
    {
      processor: processor.name,
      game_date: gameDate,
      games: schedule.games,
      expected: expectedCount(rule, gameDate, schedule.games, history),
      warehouse_count: observed,
      // Only a run that completed vouches for the table: a failed or skipped run's 0 says nothing about it.
      ...(completion.record_count === undefined || !isCompleted(completion)
        ? {}
        : { message_count: completion.record_count }),
      incremental: completion.metadata?.is_incremental === true,
    },
    config.record_count,
  );
  const now = clock.now();
  const context = { now, policy: config.record_count, timeZone: config.project.time_zone };
  const path = checkPath(processor.name, gameDate);
  const breakerDocument = processorPath(processor.name);
  const messageFields = {
    ...(completion.record_count === undefined ? {} : { count: completion.record_count }),
    id: messageId,
  };
  const counted = schedule.games > 0 ? { rows: observed, games: schedule.games } : undefined;
  // Duplicates are the common case: when the decision changes nothing, skip the transaction
  // (50 copies of one completion would otherwise queue on one document).
  const seen = (await deps.state.get(path)) as StoredCheck | undefined;
  const preview = decideOnCompletion(seen, verdict, context, messageFields);
  const outcome = isNoOp(seen, preview)
    ? { decision: preview, breakerClosed: false, breakerOpened: false }
    : await deps.state.transaction(async (tx) => {
        const current = (await tx.get(path)) as StoredCheck | undefined;
        const decision = decideOnCompletion(current, verdict, context, messageFields);
        const touchesBreaker = decision.retryStarted || verdict.outcome === 'met';
        const processorState = touchesBreaker ? await tx.get(breakerDocument) : undefined;
        tx.merge(path, { ...decision.check, phase: phase.id, table: processor.table });
        for (const intent of decision.alerts)
          latchAlert(tx, path, intent, processor.name, gameDate, now, config.project.status_page_url);
        const before = breakerOf(processorState) ?? CLOSED_BREAKER;
        let breaker = before;
        let breakerClosed = false;
        let breakerOpened = false;
        if (decision.retryStarted) {
          const failed = breakerOnFailure(breaker, gameDate, now, config.record_count);
          breaker = failed.breaker;
          breakerOpened = failed.opened;
          if (failed.opened)
            latchAlert(
              tx,
              breakerDocument,
              breakerAlert(processor.name, breaker, config.record_count),
              processor.name,
              undefined,
              now,
              config.project.status_page_url,
            );
        } else if (verdict.outcome === 'met') {
          const recovered = breakerOnRecovery(breaker);
          breaker = recovered.breaker;
          breakerClosed = recovered.closed;
        }
        // Every date of the processor shares this document: write it only when the breaker moves.
        if (breaker !== before) tx.merge(breakerDocument, { processor: processor.name, breaker });
        return { decision, breakerClosed, breakerOpened };
      });
  if (outcome.decision === preview && seen)
    await deps.state.merge(path, {
      last_check: preview.check.last_check,
      updated_at: preview.check.updated_at,
    });
  if (counted)
    await deps.state.merge(historyPath(processor.name, gameDate), {
      key: historyKey(processor.name, gameDate),
      processor: processor.name,
      game_date: gameDate,
      ...counted,
      recorded_at: now.toISOString(),
      expire_at: historyExpiry(gameDate),
    });
  const { decision } = outcome;
  logger.log(verdict.outcome === 'low' ? 'WARNING' : 'INFO', verdict.summary, {
    processor: processor.name,
    outcome: verdict.outcome,
    expected_count: verdict.expected.rows,
    expected_rule: verdict.expected.rule,
    expected_basis: verdict.expected.basis,
    observed_count: verdict.observed,
    message_count: completion.record_count,
    mismatch: verdict.mismatch,
    retry: decision.check.retry
      ? { state: decision.check.retry.state, next_due_at: decision.check.retry.next_due_at }
      : null,
    retry_started: decision.retryStarted,
    retry_cancelled: decision.cancelled,
  });
  if (decision.alerts.length > 0) await raiseLatchedAlerts({ ...deps, logger }, path);
  if (outcome.breakerOpened) await raiseLatchedAlerts({ ...deps, logger }, breakerDocument);
  if (decision.recovered)
    await resolveQuietly(
      deps,
      logger,
      alertKey('retry_exhausted', processor.name, gameDate),
      verdict.summary,
    );
  if (outcome.breakerClosed)
    await resolveQuietly(
      deps,
      logger,
      alertKey('retry_circuit_open', processor.name),
      `${processor.name} met its expectation again`,
    );
  return verdict;
}

/** Resolutions are courtesy: a lost one leaves an alert open, never a wrong decision. */
export async function resolveQuietly(
  deps: RecordCountCheckDeps,
  logger: Logger,
  key: string,
  message: string,
): Promise<void> {
  try {
    await deps.alerts.resolve({ key, message, resolved_at: deps.clock.now().toISOString() });
  } catch (error) {
    logger.warning('alert resolution not delivered', { alert_key: key, error: (error as Error).message });
  }
}

/** A decision that changes nothing but the latest count: no transaction needed. */
function isNoOp(current: StoredCheck | undefined, decision: CompletionDecision): boolean {
  return (
    current !== undefined &&
    decision.check.status === current.status &&
    decision.check.degraded === current.degraded &&
    !decision.retryStarted &&
    !decision.cancelled &&
    !decision.recovered &&
    decision.alerts.length === 0 &&
    (decision.check.mismatch === null) === (current.mismatch === null)
  );
}
