import type { Phase, Transition } from '../../shared/config/schema.js';
import { modeFacts } from '../../shared/domain/orchestration-mode.js';
import { decideTransition, type TransitionDecision } from '../../shared/domain/transition-rules.js';
import { type Alert, alertKey } from '../../shared/messages/alert.js';
import { isCompleted, type ProcessorCompletion } from '../../shared/messages/completion.js';
import type { StateDocument, StateTransaction } from '../../shared/ports/state-store.port.js';
import { scheduledGames } from '../../shared/queries/schedule.js';
import type { Backends } from '../../shared/runtime/dependencies.js';
import { drive, enqueue, outboxId } from '../../shared/runtime/outbox.js';

/** The outbox entries this function queues, and alone drives. */
export const OUTBOX_OWNER = 'phaseTransition';
import {
  changedFields,
  claimedAlerts,
  type ClaimedAlert,
  type FailedRun,
  failedRuns,
  type LatchedDecision,
  latchedDecision,
  MAX_UNKNOWN_RECORDED,
  nextRecord,
  phaseOf,
  processorFieldCount,
  processorOf,
  processorRecord,
  reportsOf,
  statePath,
} from './date-state.js';
import type { KeyedQueue } from '../../shared/runtime/keyed-queue.js';
import { triggerMessages } from './trigger-messages.js';

export type PhaseTransitionDependencies = Pick<
  Backends,
  'config' | 'clock' | 'logger' | 'state' | 'bus' | 'warehouse' | 'alerts'
> & {
  /** per-instance ordering of work on one date document (see KeyedQueue) */
  dateQueue?: KeyedQueue;
};

/** A claimed alert left pending this long (its raiser died) is raised again by the tick. */
const ALERT_RECLAIM_MS = 60_000;

export interface DateOutcome {
  /** what the rule says now (undefined for a duplicate, which is not re-evaluated) */
  decision: TransitionDecision | undefined;
  /** the decision latched for the date (now or earlier) */
  latched: LatchedDecision | undefined;
  /** `new`, `duplicate`, `unknown_processor` or `not_counted` for a completion; undefined on a tick */
  recorded: 'new' | 'duplicate' | 'unknown_processor' | 'not_counted' | undefined;
  /** the configured processor the completion was recorded as */
  processor?: string | undefined;
  /** true the first time an unknown name is seen for the date (it is reported once, not per message) */
  firstSighting?: boolean;
}

interface Pass {
  outcome: DateOutcome;
  needsSchedule: boolean;
  toDrive: string | undefined;
  toRaise: Alert[];
}

/**
 * Records `completion` (if any) for one (transition, date) and applies the
 * rule, all in one transaction: the decision is latched at most once, its
 * messages are queued in the outbox in the same commit, and `_triggered` is
 * only set by the outbox once the publish went through. Then it publishes and
 * raises the alerts it claimed. Safe to call any number of times, from any
 * number of instances at once.
 */
export function evaluateDate(
  deps: PhaseTransitionDependencies,
  transition: Transition,
  gameDate: string,
  completion?: ProcessorCompletion,
): Promise<DateOutcome> {
  const path = statePath(transition, gameDate);
  const work = () => evaluateNow(deps, transition, gameDate, completion);
  return deps.dateQueue ? deps.dateQueue.run(path, work) : work();
}

async function evaluateNow(
  deps: PhaseTransitionDependencies,
  transition: Transition,
  gameDate: string,
  completion: ProcessorCompletion | undefined,
): Promise<DateOutcome> {
  const path = statePath(transition, gameDate);
  const before = (await deps.state.get(path)) ?? {};
  if (completion && isDuplicate(before, phaseOf(deps.config, transition.from), completion)) {
    // Nothing new to record; only finish what an earlier delivery may have left (a crash before its publish).
    const latched = latchedDecision(before);
    if (latched?.outbox_id && before._triggered !== true) await drive(deps, latched.outbox_id);
    return { decision: undefined, latched, recorded: 'duplicate' };
  }
  let games = typeof before._scheduled_games === 'number' ? before._scheduled_games : undefined;
  // A dry run on what was just read: when it would write nothing (the usual tick on a waiting
  // date), no transaction is needed; otherwise the transaction decides on a fresh read.
  const dry = dryTransaction(before);
  const preview = await decideInTransaction(deps, transition, gameDate, completion, games, dry);
  if (preview.needsSchedule) games = (await scheduledGames(deps.warehouse, deps.config, gameDate)).games;
  else if (!dry.wrote() && preview.toRaise.length === 0) return preview.outcome;
  let pass = await deps.state.transaction((tx) =>
    decideInTransaction(deps, transition, gameDate, completion, games, tx),
  );
  if (pass.needsSchedule) {
    // Another writer moved the date on between the read and the transaction.
    games = (await scheduledGames(deps.warehouse, deps.config, gameDate)).games;
    pass = await deps.state.transaction((tx) =>
      decideInTransaction(deps, transition, gameDate, completion, games, tx),
    );
  }
  if (pass.toDrive) {
    const sent = await drive(deps, pass.toDrive);
    if (!sent) deps.logger.warning('trigger queued; the tick will publish it', { outbox_id: pass.toDrive });
  }
  await raiseClaimed(deps, path, pass.toRaise);
  return pass.outcome;
}

/** Reads `document`, records whether anything would be written. */
function dryTransaction(document: StateDocument): StateTransaction & { wrote(): boolean } {
  let wrote = false;
  return {
    get: async () => document,
    merge: () => {
      wrote = true;
    },
    create: () => {
      wrote = true;
    },
    delete: () => {
      wrote = true;
    },
    wrote: () => wrote,
  };
}

function isDuplicate(document: StateDocument, phase: Phase, completion: ProcessorCompletion): boolean {
  const processor = processorOf(phase, completion);
  if (!processor) return false;
  const record = processorRecord(document, processor.name);
  if (!isCompleted(completion)) {
    // A completed processor stays completed; a failed run already kept is not kept twice.
    if (record) return true;
    const failed = failedRuns(document)[processor.name];
    return (
      completion.execution_id !== undefined &&
      failed?.execution_id === completion.execution_id &&
      failed.status === completion.status
    );
  }
  if (!record) return false;
  return (
    record.status === completion.status &&
    record.execution_id === completion.execution_id &&
    record.record_count === completion.record_count &&
    record.correlation_id === completion.correlation_id
  );
}

async function decideInTransaction(
  deps: PhaseTransitionDependencies,
  transition: Transition,
  gameDate: string,
  completion: ProcessorCompletion | undefined,
  games: number | undefined,
  tx: StateTransaction,
): Promise<Pass> {
  const { config, clock } = deps;
  const now = clock.now();
  const nowIso = now.toISOString();
  const path = statePath(transition, gameDate);
  const phase = phaseOf(config, transition.from);
  const document = (await tx.get(path)) ?? {};
  const fields: StateDocument = {};
  let recorded: DateOutcome['recorded'];
  let recordedAs: string | undefined;
  let firstSighting = false;

  if (completion) {
    const processor = processorOf(phase, completion);
    if (processor) {
      recordedAs = processor.name;
      const existing = processorRecord(document, processor.name);
      if (isCompleted(completion)) {
        const next = nextRecord(existing, completion, now);
        if (next) fields[processor.name] = next;
        recorded = next ? 'new' : 'duplicate';
      } else if (existing) recorded = 'duplicate';
      else {
        // Kept apart: every non-`_` field is a completed processor to the incumbent's tools.
        recorded = 'not_counted';
        const previous = failedRuns(document)[processor.name];
        const run: FailedRun = {
          status: completion.status,
          last_seen_at: now,
          count: (previous?.count ?? 0) + 1,
          ...(completion.execution_id ? { execution_id: completion.execution_id } : {}),
          ...(completion.error_message ? { error_message: completion.error_message.slice(0, 500) } : {}),
        };
        fields._failed_runs = { [processor.name]: run };
      }
    } else {
      recorded = 'unknown_processor';
      const name = completion.reported_name ?? completion.processor_name;
      const unknown = (document._unknown_processors ?? {}) as Record<string, { count?: number }>;
      firstSighting = unknown[name] === undefined;
      if (unknown[name] || Object.keys(unknown).length < MAX_UNKNOWN_RECORDED)
        fields._unknown_processors = {
          [name]: { last_seen_at: nowIso, status: completion.status, count: (unknown[name]?.count ?? 0) + 1 },
        };
    }
  }

  const merged = { ...document, ...fields };
  const reports = reportsOf(merged, phase);
  const firstCompletion =
    (typeof document._first_completion_at === 'string' ? document._first_completion_at : undefined) ??
    reports
      .filter((report) => isCompleted(report))
      .map((report) => report.completed_at)
      .sort()[0];
  const latched = latchedDecision(document) ?? triggeredByIncumbent(document, nowIso);
  const facts = modeFacts(transition, gameDate, now, config.project.time_zone);
  const { mode } = facts;
  const decision = decideTransition({
    transition,
    gameDate,
    processors: phase.processors,
    reports,
    firstCompletionAt: firstCompletion,
    ...facts,
    now,
    hasGames: games === undefined ? true : games > 0,
    completionBelow: config.alerts.thresholds.phase_completion_below,
  });
  const outcomeOf = (latchedNow: LatchedDecision | undefined): DateOutcome => ({
    decision,
    latched: latchedNow,
    recorded,
    processor: recordedAs,
    firstSighting,
  });
  const consequential = decision.kind !== 'wait' || decision.alerts.length > 0;
  if (games === undefined && consequential && latched?.kind !== 'skip')
    return { outcome: outcomeOf(latched), needsSchedule: true, toDrive: undefined, toRaise: [] };

  fields._completed_count = processorFieldCount(merged);
  fields._mode = mode;
  if (document._triggered === undefined) fields._triggered = false;
  if (firstCompletion) fields._first_completion_at = firstCompletion;
  if (games !== undefined) fields._scheduled_games = games;

  let toDrive: string | undefined;
  let nowLatched = latched;
  if (latched && !latchedDecision(document)) fields._decision = latched;
  if (!latched && (decision.kind === 'fire' || decision.kind === 'skip' || decision.kind === 'expire')) {
    const reason = decision.kind === 'fire' ? decision.trigger_reason : decision.reason;
    nowLatched = {
      kind: decision.kind,
      reason,
      mode: decision.mode,
      decided_at: nowIso,
      ...(decision.kind === 'fire' ? { quality: decision.quality } : {}),
    };
    if (decision.kind === 'fire') {
      toDrive = outboxId(transition.id, gameDate);
      nowLatched.outbox_id = toDrive;
      // `_triggered_at` is a Timestamp, as the incumbent's tools read it: the decision's instant,
      // written only once the publish went out (the outbox merges it then, with the send time
      // as ISO text in `_trigger_sent_at`).
      enqueue(tx, clock, {
        id: toDrive,
        owner: OUTBOX_OWNER,
        actions: triggerMessages(config, transition, gameDate, decision, merged, now),
        on_sent: {
          path,
          fields: { _triggered: true, _triggered_at: now },
          sent_at_field: '_trigger_sent_at',
        },
        game_date: gameDate,
      });
      fields._trigger_reason = reason;
    }
    fields._decision = nowLatched;
  }

  const toRaise: Alert[] = [];
  if (nowLatched?.kind !== 'skip') {
    const claimed = claimedAlerts(document);
    const claims: Record<string, ClaimedAlert> = {};
    for (const planned of decision.alerts) {
      const key = alertKey(planned.rule, planned.subject, gameDate);
      if (claimed[key]) continue;
      const alert: Alert = {
        key,
        rule: planned.rule,
        severity: planned.severity,
        subject: planned.subject,
        game_date: gameDate,
        message: planned.message,
        details: planned.details,
        raised_at: nowIso,
        status_url: config.project.status_page_url,
      };
      claims[key] = { state: 'pending', claimed_at: nowIso, alert };
      toRaise.push(alert);
    }
    // A claim whose raiser died before raising it.
    for (const [key, claim] of Object.entries(claimed))
      if (claim.state === 'pending' && now.getTime() - Date.parse(claim.claimed_at) >= ALERT_RECLAIM_MS) {
        claims[key] = { ...claim, claimed_at: nowIso };
        toRaise.push(claim.alert);
      }
    if (Object.keys(claims).length > 0) fields._alerts = claims;
  }

  const nothingMissing =
    decision.quality.missing.length === 0 && decision.quality.missing_critical.length === 0;
  const settled =
    (nowLatched !== undefined || decision.kind === 'watch') &&
    (nothingMissing || decision.review_until === undefined || nowIso >= decision.review_until);
  fields._open = firstCompletion !== undefined && !settled;
  if (nowLatched?.kind === 'skip') fields._open = false;

  const changes = changedFields(document, fields);
  if (Object.keys(changes).length > 0) tx.merge(path, { ...changes, _last_update: now });
  return { outcome: outcomeOf(nowLatched), needsSchedule: false, toDrive, toRaise };
}

/** Raises what this call claimed; a failure leaves the claim pending for the tick. */
async function raiseClaimed(deps: PhaseTransitionDependencies, path: string, alerts: Alert[]): Promise<void> {
  for (const alert of alerts) {
    try {
      await deps.alerts.raise(alert);
      await deps.state.merge(path, {
        _alerts: { [alert.key]: { state: 'raised', raised_at: deps.clock.now().toISOString() } },
      });
    } catch (error) {
      deps.logger.error('alert not raised; the tick will try again', {
        alert_key: alert.key,
        error: (error as Error).message,
      });
    }
  }
}

/**
 * A date the incumbent's own orchestrator already triggered (its `_triggered: true`, which shotclock only
 * ever writes after a decision of its own): at take-over, the documents of the dates in flight are the
 * incumbent's. That trigger stands for shotclock's: latched as fired, never sent a second time.
 */
function triggeredByIncumbent(document: StateDocument, nowIso: string): LatchedDecision | undefined {
  if (document._triggered !== true) return undefined;
  return {
    kind: 'fire',
    reason:
      typeof document._trigger_reason === 'string' ? document._trigger_reason : 'triggered_by_incumbent',
    mode: typeof document._mode === 'string' ? document._mode : 'unknown',
    decided_at: nowIso,
    by: 'incumbent',
  };
}
