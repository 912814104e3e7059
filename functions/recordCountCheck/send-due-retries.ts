import { alertKey } from '../../shared/messages/alert.js';
import {
  breakerOnTick,
  decideOnDue,
  decideOnMissingTable,
  type RecordCountCheck,
} from '../../shared/domain/record-count.js';
import type { Logger } from '../../shared/logging/logger.js';
import { RerunRequest } from '../../shared/messages/rerun-request.js';
import type { ProcessDateRangeRequest } from '../../shared/messages/service-requests.js';
import { downstreamActions } from '../../shared/runtime/downstream.js';
import { drive, drivePending, enqueue, outboxId } from '../../shared/runtime/outbox.js';
import { resolveQuietly } from './check-completion.js';
import { findProcessor, isChecked, type RecordCountCheckDeps } from './dependencies.js';
import {
  breakerOf,
  CHECKS,
  checkPath,
  latchAlert,
  OUTBOX_OWNER,
  PROCESSORS,
  processorPath,
  raiseLatchedAlerts,
  type StoredCheck,
  TABLES,
} from './state.js';
import { oneAtATime } from './one-at-a-time.js';
import { countRows, MissingTableError } from './warehouse-counts.js';
import { alertMissingTable } from './check-completion.js';

export interface TickReport {
  requested: number;
  resolved: number;
  exhausted: number;
  held: number;
}

/**
 * One scheduler tick: for every pending series that is due, count the table
 * again and request the next re-run (through the outbox: the analytics
 * service's `/process-date-range`, and the re-run message), cancel, or give up;
 * then re-drive re-run requests that did not go out, close breakers that
 * have calmed down, and raise alerts that did not reach the sink.
 */
export async function sendDueRetries(deps: RecordCountCheckDeps, logger: Logger): Promise<TickReport> {
  const report: TickReport = { requested: 0, resolved: 0, exhausted: 0, held: 0 };
  const failures: unknown[] = [];
  const pending = await deps.state.list(CHECKS, [{ field: 'status', op: '==', value: 'retry_pending' }]);
  for (const document of pending) {
    try {
      // Ticks of several jobs can arrive together: one instance handles a date one tick at a time.
      const outcome = await oneAtATime(document.path, () =>
        handleDue(deps, document.data as unknown as StoredCheck, logger),
      );
      if (outcome !== 'not_due') report[outcome] += 1;
    } catch (error) {
      failures.push(error);
      logger.error('due retry not handled, the next tick tries again', {
        check: document.id,
        error: (error as Error).message,
      });
    }
  }
  await driveOwnOutbox(deps, logger).catch((error) => failures.push(error));
  await closeCalmBreakers(deps, logger).catch((error) => failures.push(error));
  for (const collection of [CHECKS, PROCESSORS, TABLES]) {
    const withAlerts = await deps.state.list(collection, [{ field: 'alert_pending', op: '==', value: true }]);
    for (const document of withAlerts) await raiseLatchedAlerts({ ...deps, logger }, document.path);
  }
  if (report.requested + report.resolved + report.exhausted + report.held > 0)
    logger.info('record-count retries on this tick', { ...report });
  // Transient trouble with one date: let Pub/Sub redeliver the tick (every step above is idempotent).
  if (failures.length > 0) throw failures[0];
  return report;
}

/** At the cutoff a series whose table is gone ends (see `decideOnMissingTable`); before it, it waits. */
async function endSeriesOnMissingTable(
  deps: RecordCountCheckDeps,
  stored: StoredCheck,
  table: string,
  logger: Logger,
): Promise<'not_due' | 'exhausted'> {
  const path = checkPath(stored.processor, stored.game_date);
  const decision = await deps.state.transaction(async (tx) => {
    const current = (await tx.get(path)) as StoredCheck | undefined;
    if (!current) return { kind: 'not_due' as const };
    const decided = decideOnMissingTable(current as RecordCountCheck, table, deps.clock.now());
    if (decided.kind === 'exhausted') tx.merge(path, { ...decided.check });
    return decided;
  });
  if (decision.kind === 'exhausted')
    logger.warning(
      `retry series ended: ${decision.check.retry?.end_reason ?? 'table missing at the cutoff'}`,
      {
        processor: stored.processor,
        game_date: stored.game_date,
        table,
      },
    );
  return decision.kind;
}

async function handleDue(
  deps: RecordCountCheckDeps,
  stored: StoredCheck,
  logger: Logger,
): Promise<'not_due' | 'requested' | 'resolved' | 'exhausted' | 'held'> {
  const now = deps.clock.now();
  const series = stored.retry;
  if (!series?.next_due_at) return 'not_due';
  if (now < new Date(series.next_due_at) && now < new Date(series.cutoff_at)) return 'not_due';
  const found = findProcessor(deps.config, stored.processor);
  if (!found || !isChecked(found.processor)) return 'not_due';
  const { processor } = found;
  let observed: number;
  try {
    observed = await countRows(deps.warehouse, processor.table, processor.date_column, stored.game_date);
  } catch (error) {
    if (!(error instanceof MissingTableError)) throw error;
    await alertMissingTable(deps, error, logger).catch(() => undefined);
    return endSeriesOnMissingTable(deps, stored, error.table, logger);
  }
  const path = checkPath(stored.processor, stored.game_date);
  const log = logger.child({ game_date: stored.game_date, processor: stored.processor });
  const decided = await deps.state.transaction(async (tx) => {
    const current = (await tx.get(path)) as StoredCheck | undefined;
    const processorState = await tx.get(processorPath(stored.processor));
    if (!current) return { kind: 'not_due' as const };
    const decision = decideOnDue(current as RecordCountCheck, observed, {
      now,
      policy: deps.config.record_count,
      timeZone: deps.config.project.time_zone,
      random: deps.random ?? Math.random,
      breakerOpen: breakerOf(processorState)?.open === true,
    });
    if (decision.kind === 'not_due' || decision.kind === 'held') return decision;
    tx.merge(path, { ...decision.check });
    if (decision.kind === 'exhausted' && decision.alert)
      latchAlert(
        tx,
        path,
        decision.alert,
        stored.processor,
        stored.game_date,
        now,
        deps.config.project.status_page_url,
      );
    if (decision.kind !== 'send') return decision;
    const retry = decision.check.retry!;
    const request: RerunRequest = RerunRequest.parse({
      processor_name: stored.processor,
      game_date: stored.game_date,
      attempt: decision.attempt,
      max_attempts: retry.max_attempts,
      reason:
        `${observed} of ${current.expected.rows} rows ` +
        `(${current.expected.rule}: ${current.expected.basis}), below ${Math.round(current.threshold * 100)}%`,
      expected_count: current.expected.rows,
      observed_count: observed,
      trigger_source: 'shotclock',
      requested_at: now.toISOString(),
    });
    const id = outboxId(
      'record_count',
      stored.processor,
      stored.game_date,
      retry.started_at.replace(/[^0-9]/g, ''),
      `attempt${decision.attempt}`,
    );
    enqueue(tx, deps.clock, {
      id,
      owner: OUTBOX_OWNER,
      actions: downstreamActions(deps.config, deps.config.downstream.phase3_rerun, {
        body: processDateRange(stored.game_date, processor.class_name ?? classNameOf(processor.name)),
        message: {
          topic: deps.config.record_count.rerun_topic,
          data: request,
          attributes: {
            processor_name: stored.processor,
            game_date: stored.game_date,
            attempt: String(decision.attempt),
          },
        },
      }),
      on_sent: { path, fields: { published: { [String(decision.attempt)]: true } } },
      game_date: stored.game_date,
    });
    return { ...decision, outboxId: id };
  });
  switch (decided.kind) {
    case 'not_due':
      return 'not_due';
    case 'held':
      log.info('re-run held: the processor’s circuit breaker is open');
      return 'held';
    case 'resolved':
      log.info(
        `${stored.processor} ${stored.game_date}: the table now meets the expectation, retry cancelled`,
        {
          observed_count: observed,
          expected_count: stored.expected.rows,
        },
      );
      return 'resolved';
    case 'exhausted':
      log.warning(decided.check.retry?.end_reason ?? 'retries exhausted', {
        observed_count: observed,
        expected_count: stored.expected.rows,
        degraded: true,
      });
      await raiseLatchedAlerts({ ...deps, logger }, path);
      return 'exhausted';
    case 'send':
      log.notice(`re-run requested: attempt ${decided.attempt} of ${decided.check.retry?.max_attempts}`, {
        observed_count: observed,
        expected_count: stored.expected.rows,
        next_due_at: decided.check.retry?.next_due_at,
      });
      await drive({ ...deps, logger }, decided.outboxId);
      return 'requested';
  }
}

/** Only this function's entries: other functions drive theirs on their own ticks. */
async function driveOwnOutbox(deps: RecordCountCheckDeps, logger: Logger): Promise<void> {
  await drivePending({ ...deps, logger }, OUTBOX_OWNER);
}

/**
 * The analytics service's re-run of one processor for one date, as its
 * `/process-date-range` reads it: a normal run (dependency checks on) whose
 * completion is published, so the transition and this checker see the result.
 */
function processDateRange(gameDate: string, className: string): ProcessDateRangeRequest {
  return {
    start_date: gameDate,
    end_date: gameDate,
    processors: [className],
    backfill_mode: false,
    skip_downstream_trigger: false,
  };
}

/** The incumbent names its Phase 3 classes after the table: `player_game_summary` -> `PlayerGameSummaryProcessor`. */
function classNameOf(processor: string): string {
  return `${processor.replace(/(^|_)([a-z0-9])/g, (_, __, letter: string) => letter.toUpperCase())}Processor`;
}

async function closeCalmBreakers(deps: RecordCountCheckDeps, logger: Logger): Promise<void> {
  const open = await deps.state.list(PROCESSORS, [{ field: 'breaker.open', op: '==', value: true }]);
  const now = deps.clock.now();
  for (const document of open) {
    const closed = await deps.state.transaction(async (tx) => {
      const breaker = breakerOf(await tx.get(document.path));
      if (!breaker) return false;
      const next = breakerOnTick(breaker, now, deps.config.record_count);
      if (next.closed) tx.merge(document.path, { breaker: next.breaker });
      return next.closed;
    });
    if (closed)
      await resolveQuietly(
        deps,
        logger,
        alertKey('retry_circuit_open', document.id),
        `${document.id}: fewer dates failing, re-run requests resume`,
      );
  }
}
