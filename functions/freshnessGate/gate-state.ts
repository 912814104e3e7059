import { DEFAULT_COLLECTIONS } from '../../shared/config/collections.js';
import { randomUUID } from 'node:crypto';
import type { PipelineConfig } from '../../shared/config/schema.js';
import { type FreshnessVerdict, type GateStatus, gateCutoff, isOpen } from '../../shared/domain/freshness.js';
import type {
  GateCheckResult,
  GateDecisionMessage,
  GateEvaluationSource,
  GateOverride,
} from '../../shared/messages/gate-decision.js';
import type { PredictionsTrigger } from '../../shared/messages/predictions-trigger.js';
import type { Clock } from '../../shared/ports/clock.port.js';
import type { StateDocument, StateStore, StateTransaction } from '../../shared/ports/state-store.port.js';
import type { CoordinatorStartRequest } from '../../shared/messages/service-requests.js';
import { downstreamActions } from '../../shared/runtime/downstream.js';
import { enqueue, outboxId } from '../../shared/runtime/outbox.js';
import type { GateEvaluation } from './evaluate-gate.js';

/**
 * Firestore layout: one document per game date, `freshness_gate/{YYYY-MM-DD}`.
 * Every write is a field-level merge inside a transaction.
 *
 * | field | meaning |
 * |---|---|
 * | `game_date` | the date the gate is for |
 * | `status` | current decision: `OPEN` \| `DEGRADED` \| `BLOCKED` \| `SKIPPED`. Once the date has opened (`opened` set) it stays at the opening decision |
 * | `reasons` | why, errors first, as people read them |
 * | `games` | scheduled games on the date (null: the schedule could not be read) |
 * | `checks[]` | one entry per configured table: `table`, `level` (`pass`/`warn`/`error`), `findings[]` (`kind`, `level`, `reason`), `rows`, `players`, `players_with_lines`, `games_with_rows`, `newest_processed_at`, `age_hours`, `expected_rows`, `expected_basis`, `line_coverage`, `game_coverage` (see `GateCheckResult` in shared/messages/gate-decision.ts) |
 * | `source`, `evaluated_at` | what caused the last evaluation (`scheduled`, `tick`, `cutoff`, `wake`, `override`) and when |
 * | `first_evaluated_at`, `evaluation_count` | |
 * | `cutoff_at` | when re-checking a BLOCKED date stops (22:00 ET the evening before the games) |
 * | `correlation_id` | carried into the predictions trigger: the upstream one from the wake message when there is one |
 * | `history[]` | the last 100 evaluations, oldest first: `at`, `source`, `status`, `reasons` (after opening, later evaluations are only recorded here) |
 * | `opened` | latched once: `{ status, at, source, outbox_id }` of the decision that queued the start of predictions |
 * | `_triggered`, `_triggered_at` | set by the outbox only once every predictions action went out (the coordinator's `/start` accepted, the trigger published), with the time |
 * | `override` | `{ recorded_by, reason, recorded_at, overridden_status, overridden_reasons }` when a person opened the date |
 * | `cutoff_alert` | `{ raised_at, reasons }` once the still-blocked-at-cutoff alert went out |
 */
export const GATE_COLLECTION = DEFAULT_COLLECTIONS.freshness_gate;
/** The outbox entries the gate queues, and alone drives. */
export const GATE_OUTBOX_OWNER = 'freshnessGate';
const HISTORY_LIMIT = 100;
const TRIGGERED_BY = 'shotclock-freshness-gate';
/** `trigger_source` in the trigger message and in the coordinator's `/start` body */
const TRIGGER_SOURCE = 'freshness_gate';

export const gatePath = (gameDate: string) => `${GATE_COLLECTION}/${gameDate}`;
export const triggerOutboxId = (gameDate: string) =>
  outboxId(GATE_COLLECTION, gameDate, 'predictions_trigger');

export interface HistoryEntry {
  at: string;
  source: GateEvaluationSource;
  status: GateStatus;
  reasons: string[];
}

/** The stored document, as read back. */
export interface GateDocument {
  game_date: string;
  status: GateStatus;
  reasons: string[];
  games: number | null;
  checks: GateCheckResult[];
  source: GateEvaluationSource;
  evaluated_at: string;
  first_evaluated_at: string;
  evaluation_count: number;
  cutoff_at: string;
  correlation_id: string;
  history: HistoryEntry[];
  opened?: { status: 'OPEN' | 'DEGRADED'; at: string; source: GateEvaluationSource; outbox_id: string };
  _triggered?: boolean;
  _triggered_at?: string;
  override?: GateOverride;
  cutoff_alert?: { raised_at: string; reasons: string[] };
  /** Firestore TTL (infra/firestore-ttl.ts): `GATE_RETENTION_DAYS` after the game date */
  expire_at?: string;
}

/** A date's gate document is kept this long after its game date (the status page reads 14 days back). */
export const GATE_RETENTION_DAYS = 60;
const gateExpiry = (gameDate: string) =>
  new Date(Date.parse(`${gameDate}T00:00:00Z`) + GATE_RETENTION_DAYS * 86_400_000).toISOString();

export interface GateStateDependencies {
  config: PipelineConfig;
  state: StateStore;
  clock: Clock;
}

export interface RecordedGate {
  document: GateDocument;
  previous_status: GateStatus | null;
  /** this call queued the predictions trigger */
  opened_now: boolean;
  /** outbox entries to drive now that the transaction committed */
  outbox_ids: string[];
}

export function checkResult(verdict: FreshnessVerdict): GateCheckResult {
  const figures = verdict.figures;
  return {
    table: verdict.table,
    level: verdict.level,
    findings: verdict.findings,
    rows: figures?.rows ?? null,
    players: figures?.players ?? null,
    players_with_lines: figures?.players_with_lines ?? null,
    games_with_rows: figures?.games_with_rows ?? null,
    newest_processed_at: figures?.newest_processed_at ?? null,
    age_hours: verdict.age_hours,
    expected_rows: verdict.expected_rows,
    expected_basis: verdict.expected_basis,
    line_coverage: verdict.line_coverage,
    game_coverage: verdict.game_coverage,
  };
}

export async function readGate(state: StateStore, gameDate: string): Promise<GateDocument | undefined> {
  return (await state.get(gatePath(gameDate))) as GateDocument | undefined;
}

function decisionMessage(
  document: GateDocument,
  previous: GateStatus | null,
  source: GateEvaluationSource,
): GateDecisionMessage {
  return {
    game_date: document.game_date,
    status: document.status,
    previous_status: previous,
    reasons: document.reasons,
    games: document.games,
    checks: document.checks,
    source,
    evaluated_at: document.evaluated_at,
    cutoff_at: document.cutoff_at,
    predictions_triggered: document.opened !== undefined,
    correlation_id: document.correlation_id,
    ...(document.override ? { override: document.override } : {}),
  };
}

function predictionsTrigger(document: GateDocument, now: string): PredictionsTrigger {
  return {
    game_date: document.game_date,
    gate_decision: document.status as 'OPEN' | 'DEGRADED',
    reasons: document.reasons,
    correlation_id: document.correlation_id,
    trigger_source: TRIGGER_SOURCE,
    triggered_by: TRIGGERED_BY,
    timestamp: now,
    ...(document.override ? { override: document.override } : {}),
  };
}

/**
 * Queues what a decision must publish, in the decision's transaction: the
 * decision itself when the status changed, and, the first time the date
 * opens, the start of predictions: `config.downstream.predictions`, by default
 * a POST to the coordinator's `/start` with the incumbent's body and the
 * `nba-predictions-trigger` message beside it (deterministic outbox id,
 * latched by `opened`, so a redelivered event cannot queue a second one).
 */
function queueMessages(
  deps: GateStateDependencies,
  tx: StateTransaction,
  document: GateDocument,
  previous: GateStatus | null,
  source: GateEvaluationSource,
  openNow: boolean,
): string[] {
  const ids: string[] = [];
  const now = deps.clock.now().toISOString();
  if (openNow) {
    const id = document.opened!.outbox_id;
    const start: CoordinatorStartRequest = {
      game_date: document.game_date,
      correlation_id: document.correlation_id,
      trigger_source: TRIGGER_SOURCE,
    };
    enqueue(tx, deps.clock, {
      id,
      owner: GATE_OUTBOX_OWNER,
      actions: downstreamActions(deps.config, deps.config.downstream.predictions, {
        body: start,
        message: {
          topic: deps.config.freshness_gate.output_topic,
          data: predictionsTrigger(document, now),
          attributes: {
            game_date: document.game_date,
            gate_decision: document.status,
            correlation_id: document.correlation_id,
          },
        },
      }),
      on_sent: {
        path: gatePath(document.game_date),
        fields: { _triggered: true },
        sent_at_field: '_triggered_at',
      },
      game_date: document.game_date,
      // Predictions that never start are the incident this gate exists for.
      alert_severity: 'CRITICAL',
    });
    ids.push(id);
  }
  if (previous !== document.status) {
    const id = outboxId(GATE_COLLECTION, document.game_date, 'decision', String(document.evaluation_count));
    enqueue(tx, deps.clock, {
      id,
      owner: GATE_OUTBOX_OWNER,
      actions: [
        {
          topic: deps.config.topics.gate_decisions,
          data: decisionMessage(document, previous, source),
          attributes: { game_date: document.game_date, status: document.status },
        },
      ],
      game_date: document.game_date,
    });
    ids.push(id);
  }
  return ids;
}

/** Stores an evaluation and, when it opens the date for the first time, queues the predictions trigger. */
export function recordEvaluation(
  deps: GateStateDependencies,
  evaluation: GateEvaluation,
  source: GateEvaluationSource,
  /** from upstream (the wake message); otherwise the date keeps the one it has, or gets a new one */
  upstreamCorrelationId: string | undefined,
): Promise<RecordedGate> {
  const gameDate = evaluation.game_date;
  const path = gatePath(gameDate);
  return deps.state.transaction(async (tx) => {
    const stored = (await tx.get(path)) as GateDocument | undefined;
    const entry: HistoryEntry = {
      at: evaluation.evaluated_at,
      source,
      status: evaluation.status,
      reasons: evaluation.reasons,
    };
    const history = [...(stored?.history ?? []), entry].slice(-HISTORY_LIMIT);
    const count = (stored?.evaluation_count ?? 0) + 1;
    const previous = stored?.status ?? null;
    if (stored?.opened) {
      // Opened for good: the trigger went out (or is on its way); later evaluations are history only.
      tx.merge(path, { history, evaluation_count: count });
      return {
        document: { ...stored, history, evaluation_count: count },
        previous_status: previous,
        opened_now: false,
        outbox_ids: [],
      };
    }
    const openNow = isOpen(evaluation.status);
    const document: GateDocument = {
      ...(stored ?? {}),
      game_date: gameDate,
      status: evaluation.status,
      reasons: evaluation.reasons,
      games: evaluation.games,
      checks: evaluation.verdicts.map(checkResult),
      source,
      evaluated_at: evaluation.evaluated_at,
      first_evaluated_at: stored?.first_evaluated_at ?? evaluation.evaluated_at,
      evaluation_count: count,
      cutoff_at: gateCutoff(
        gameDate,
        deps.config.freshness_gate,
        deps.config.project.time_zone,
      ).toISOString(),
      correlation_id: upstreamCorrelationId ?? stored?.correlation_id ?? randomUUID(),
      history,
      expire_at: gateExpiry(gameDate),
      ...(openNow
        ? {
            opened: {
              status: evaluation.status as 'OPEN' | 'DEGRADED',
              at: evaluation.evaluated_at,
              source,
              outbox_id: triggerOutboxId(gameDate),
            },
            _triggered: false,
          }
        : {}),
    };
    tx.merge(path, document as unknown as StateDocument);
    const ids = queueMessages(deps, tx, document, previous, source, openNow);
    return { document, previous_status: previous, opened_now: openNow, outbox_ids: ids };
  });
}

export type OverrideOutcome =
  | { kind: 'opened'; recorded: RecordedGate }
  | { kind: 'refused'; reason: string; document?: GateDocument };

/** Opens a BLOCKED date on a person's word, recording who and why; anything else is refused with the reason. */
export function recordOverride(
  deps: GateStateDependencies,
  gameDate: string,
  person: { recorded_by: string; reason: string },
): Promise<OverrideOutcome> {
  const path = gatePath(gameDate);
  return deps.state.transaction(async (tx): Promise<OverrideOutcome> => {
    const stored = (await tx.get(path)) as GateDocument | undefined;
    if (!stored) return { kind: 'refused', reason: `the gate has not evaluated ${gameDate} yet` };
    if (stored.opened)
      return {
        kind: 'refused',
        reason: `${gameDate} is already ${stored.opened.status} (opened ${stored.opened.at}); predictions were triggered once`,
        document: stored,
      };
    if (stored.status !== 'BLOCKED')
      return {
        kind: 'refused',
        reason: `${gameDate} is ${stored.status}, not BLOCKED: ${stored.reasons.join('; ')}`,
        document: stored,
      };
    const now = deps.clock.now().toISOString();
    const override: GateOverride = {
      recorded_by: person.recorded_by,
      reason: person.reason,
      recorded_at: now,
      overridden_status: stored.status,
      overridden_reasons: stored.reasons,
    };
    const entry: HistoryEntry = {
      at: now,
      source: 'override',
      status: 'OPEN',
      reasons: [`opened by ${person.recorded_by}: ${person.reason}`],
    };
    const document: GateDocument = {
      ...stored,
      status: 'OPEN',
      reasons: [
        `opened by manual override (${person.recorded_by}): ${person.reason}`,
        ...stored.reasons.map((reason) => `overridden: ${reason}`),
      ],
      source: 'override',
      evaluated_at: now,
      evaluation_count: stored.evaluation_count + 1,
      history: [...stored.history, entry].slice(-HISTORY_LIMIT),
      override,
      opened: { status: 'OPEN', at: now, source: 'override', outbox_id: triggerOutboxId(gameDate) },
      _triggered: false,
    };
    tx.merge(path, document as unknown as StateDocument);
    const ids = queueMessages(deps, tx, document, stored.status, 'override', true);
    return {
      kind: 'opened',
      recorded: { document, previous_status: stored.status, opened_now: true, outbox_ids: ids },
    };
  });
}

/** Dates the tick must look at: BLOCKED ones (re-check until the cutoff, then alert once). */
export async function blockedDates(state: StateStore): Promise<GateDocument[]> {
  const documents = await state.list(GATE_COLLECTION, [{ field: 'status', op: '==', value: 'BLOCKED' }]);
  return documents.map((document) => document.data as unknown as GateDocument);
}

export async function markCutoffAlerted(state: StateStore, gameDate: string, at: string, reasons: string[]) {
  await state.merge(gatePath(gameDate), { cutoff_alert: { raised_at: at, reasons } });
}
