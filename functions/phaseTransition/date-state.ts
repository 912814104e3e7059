import type { Phase, PipelineConfig, Processor, Transition } from '../../shared/config/schema.js';
import type { ProcessorReport, TransitionDecision } from '../../shared/domain/transition-rules.js';
import type { Alert } from '../../shared/messages/alert.js';
import {
  type CompletionStatus,
  isCompleted,
  type ProcessorCompletion,
} from '../../shared/messages/completion.js';
import { identifyProcessor } from '../../shared/messages/processor-name.js';
import { instantText, type StateDocument } from '../../shared/ports/state-store.port.js';

/**
 * The per-date document, in the incumbent's layout and types so its tools keep
 * reading it (its reconcile script, Firestore health check, transition
 * monitor, stall detection and latency tracker): `<state_collection>/<game_date>`
 * holds one field per COMPLETED processor, `completed_at` a Timestamp, and
 * `_`-prefixed metadata: `_completed_count` (= the processor fields),
 * `_mode` (`overnight` / `same_day` / `tomorrow`), `_triggered`,
 * `_triggered_at` (a Timestamp), `_trigger_reason`. shotclock's own fields:
 * - `_failed_runs`: runs that did not complete (failed, no_data), by processor,
 *   kept apart because every non-`_` field counts as a completed processor;
 * - `_first_completion_at`: every deadline and tier is counted from it;
 * - `_decision`: the latched decision (fire / skip / expire), set once;
 * - `_open`: true while the tick still has to look at the date (the tick
 *   queries `_open == true`, so settled dates cost nothing);
 * - `_scheduled_games`: the schedule table's answer, asked once per date;
 * - `_unknown_processors`: names that belong to no configured processor;
 * - `_alerts`: alerts claimed for the date, by key (raised once).
 */
export interface ProcessorRecord {
  /** a `Date` (a Timestamp in Firestore); ISO text in documents written before */
  completed_at: Date | string;
  correlation_id?: string;
  status: CompletionStatus;
  record_count?: number;
  execution_id?: string;
  /** carried to Phase 4 as the incumbent does (`metadata.is_incremental`, `metadata.entities_changed`) */
  is_incremental?: boolean;
  entities_changed?: string[];
}

/** A run that did not complete, kept apart from the processor fields. */
export interface FailedRun {
  status: CompletionStatus;
  last_seen_at: Date;
  execution_id?: string;
  error_message?: string;
  count: number;
}

export interface LatchedDecision {
  kind: 'fire' | 'skip' | 'expire';
  reason: string;
  mode: string;
  decided_at: string;
  quality?: TransitionDecision['quality'];
  outbox_id?: string;
  /** `incumbent`: the incumbent's orchestrator triggered the date before shotclock took over */
  by?: 'incumbent';
}

export interface ClaimedAlert {
  state: 'pending' | 'raised';
  claimed_at: string;
  raised_at?: string;
  alert: Alert;
}

/** Unknown names kept per date; past this they are only logged, so a flood cannot grow the document. */
export const MAX_UNKNOWN_RECORDED = 50;

export function statePath(transition: Transition, gameDate: string): string {
  return `${transition.state_collection}/${gameDate}`;
}

export function phaseOf(config: PipelineConfig, id: string): Phase {
  const phase = config.phases.find((candidate) => candidate.id === id);
  if (!phase) throw new Error(`no phase ${id} in the config`);
  return phase;
}

export function processorRecord(document: StateDocument, name: string): ProcessorRecord | undefined {
  const value = document[name];
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Partial<ProcessorRecord>;
  return typeof record.status === 'string' && instantText(record.completed_at) !== undefined
    ? (record as ProcessorRecord)
    : undefined;
}

export function reportsOf(document: StateDocument, phase: Phase): ProcessorReport[] {
  return phase.processors.flatMap((processor) => {
    const record = processorRecord(document, processor.name);
    const completedAt = record && instantText(record.completed_at);
    return record && completedAt
      ? [{ name: processor.name, status: record.status, completed_at: completedAt }]
      : [];
  });
}

/** The configured processor a completion is about (by class, `p2_*`, snake or table name), if any. */
export function processorOf(phase: Phase, completion: ProcessorCompletion): Processor | undefined {
  return identifyProcessor(
    phase.processors,
    completion.reported_name ?? completion.processor_name,
    completion.output_table,
  );
}

export function failedRuns(document: StateDocument): Record<string, FailedRun> {
  const value = document._failed_runs;
  return typeof value === 'object' && value !== null ? (value as Record<string, FailedRun>) : {};
}

/** The number the incumbent's reconcile script compares `_completed_count` with: every non-`_` field. */
export function processorFieldCount(document: StateDocument): number {
  return Object.keys(document).filter((key) => !key.startsWith('_')).length;
}

/**
 * The processor field after a COMPLETED run (success / partial), or undefined
 * when nothing changes. A completed processor keeps its first `completed_at`,
 * which the deadlines count from; a new execution updates the rest. Runs that
 * did not complete never become processor fields (see `_failed_runs`).
 */
export function nextRecord(
  existing: ProcessorRecord | undefined,
  completion: ProcessorCompletion,
  receivedAt: Date,
): ProcessorRecord | undefined {
  if (!isCompleted(completion)) return undefined;
  const metadata = completion.metadata ?? {};
  const entities = Array.isArray(metadata.entities_changed)
    ? metadata.entities_changed.filter((entity): entity is string => typeof entity === 'string')
    : undefined;
  const incoming: ProcessorRecord = {
    completed_at: existing && isCompleted(existing) ? existing.completed_at : receivedAt,
    status: completion.status,
    ...(completion.correlation_id ? { correlation_id: completion.correlation_id } : {}),
    ...(completion.record_count !== undefined ? { record_count: completion.record_count } : {}),
    ...(completion.execution_id ? { execution_id: completion.execution_id } : {}),
    ...(typeof metadata.is_incremental === 'boolean' ? { is_incremental: metadata.is_incremental } : {}),
    ...(entities && entities.length > 0 ? { entities_changed: entities } : {}),
  };
  if (!existing) return incoming;
  const same =
    existing.status === incoming.status &&
    existing.execution_id === incoming.execution_id &&
    existing.record_count === incoming.record_count &&
    existing.correlation_id === incoming.correlation_id;
  return same ? undefined : incoming;
}

export function latchedDecision(document: StateDocument): LatchedDecision | undefined {
  const value = document._decision;
  return typeof value === 'object' && value !== null ? (value as LatchedDecision) : undefined;
}

export function claimedAlerts(document: StateDocument): Record<string, ClaimedAlert> {
  const value = document._alerts;
  return typeof value === 'object' && value !== null ? (value as Record<string, ClaimedAlert>) : {};
}

/** Only the fields whose value differs from the document, so an unchanged evaluation writes nothing. */
export function changedFields(document: StateDocument, fields: StateDocument): StateDocument {
  return Object.fromEntries(
    Object.entries(fields).filter(([key, value]) => JSON.stringify(document[key]) !== JSON.stringify(value)),
  );
}
