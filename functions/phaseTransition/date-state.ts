import type { Phase, PipelineConfig, Transition } from '../../shared/config/schema.js';
import type { ProcessorReport, TransitionDecision } from '../../shared/domain/transition-rules.js';
import type { Alert } from '../../shared/messages/alert.js';
import {
  type CompletionStatus,
  isCompleted,
  type ProcessorCompletion,
} from '../../shared/messages/completion.js';
import type { StateDocument } from '../../shared/ports/state-store.port.js';

/**
 * The per-date document, in the incumbent's layout so its dashboards keep
 * reading it: `<state_collection>/<game_date>` holds one field per processor
 * and `_`-prefixed metadata. shotclock's own fields:
 * - `_first_completion_at`: every deadline and tier is counted from it;
 * - `_decision`: the latched decision (fire / skip / expire), set once;
 * - `_open`: true while the tick still has to look at the date (the tick
 *   queries `_open == true`, so settled dates cost nothing);
 * - `_scheduled_games`: the schedule table's answer, asked once per date;
 * - `_unknown_processors`: names that belong to no configured processor;
 * - `_alerts`: alerts claimed for the date, by key (raised once).
 */
export interface ProcessorRecord {
  completed_at: string;
  correlation_id?: string;
  status: CompletionStatus;
  record_count?: number;
  execution_id?: string;
}

export interface LatchedDecision {
  kind: 'fire' | 'skip' | 'expire';
  reason: string;
  mode: string;
  decided_at: string;
  quality?: TransitionDecision['quality'];
  outbox_id?: string;
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
  return typeof record.status === 'string' && typeof record.completed_at === 'string'
    ? (record as ProcessorRecord)
    : undefined;
}

export function reportsOf(document: StateDocument, phase: Phase): ProcessorReport[] {
  return phase.processors.flatMap((processor) => {
    const record = processorRecord(document, processor.name);
    return record ? [{ name: processor.name, status: record.status, completed_at: record.completed_at }] : [];
  });
}

/**
 * The processor field after `completion`, or undefined when nothing changes.
 * A completed processor stays completed (a later failed re-run does not undo
 * the data it wrote) and keeps its first `completed_at`, which the deadlines
 * count from; a new execution updates the rest.
 */
export function nextRecord(
  existing: ProcessorRecord | undefined,
  completion: ProcessorCompletion,
  receivedAt: string,
): ProcessorRecord | undefined {
  const incoming: ProcessorRecord = {
    completed_at: existing && isCompleted(existing) ? existing.completed_at : receivedAt,
    status: completion.status,
    ...(completion.correlation_id ? { correlation_id: completion.correlation_id } : {}),
    ...(completion.record_count !== undefined ? { record_count: completion.record_count } : {}),
    ...(completion.execution_id ? { execution_id: completion.execution_id } : {}),
  };
  if (!existing) return incoming;
  if (isCompleted(existing) && !isCompleted(completion)) return undefined;
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
