import type { PipelineConfig, Processor, Transition } from '../../shared/config/schema.js';
import type { TransitionDecision } from '../../shared/domain/transition-rules.js';
import type { Phase4Trigger, PhaseReady } from '../../shared/messages/phase4-trigger.js';
import type { StateDocument } from '../../shared/ports/state-store.port.js';
import type { OutboxMessage } from '../../shared/runtime/outbox.js';
import { phaseOf, processorRecord } from './date-state.js';

export const TRIGGERED_BY = 'shotclock-phase-transition';

type Fire = Extract<TransitionDecision, { kind: 'fire' }>;

/** The correlation id carried on: a critical processor's first, else any completed one's. */
function correlationOf(
  document: StateDocument,
  transition: Transition,
  completed: string[],
): string | undefined {
  for (const name of [...transition.critical, ...completed]) {
    const id = processorRecord(document, name)?.correlation_id;
    if (id) return id;
  }
  return undefined;
}

/**
 * What a fired transition publishes. `phase4_trigger` keeps the incumbent's
 * shape, one message per Phase 3 source table (Phase 4 rejects a message
 * without `source_table`); `phase_ready` is one `PhaseReady`.
 */
export function triggerMessages(
  config: PipelineConfig,
  transition: Transition,
  gameDate: string,
  decision: Fire,
  document: StateDocument,
  now: Date,
): OutboxMessage[] {
  const output = transition.output;
  if (!output) return [];
  const timestamp = now.toISOString();
  const attributes = {
    game_date: gameDate,
    transition: transition.id,
    trigger_reason: decision.trigger_reason,
    degraded: String(decision.quality.degraded),
  };
  const correlation = correlationOf(document, transition, decision.quality.completed);
  if (output.shape === 'phase_ready') {
    const ready: PhaseReady = {
      transition: transition.id,
      from_phase: transition.from,
      to_phase: transition.to,
      game_date: gameDate,
      ...(correlation ? { correlation_id: correlation } : {}),
      triggered_by: TRIGGERED_BY,
      timestamp,
      mode: decision.mode,
      trigger_reason: decision.trigger_reason,
      quality: decision.quality,
    };
    return [{ topic: output.topic, data: ready, attributes }];
  }
  // Every table of the phase, completed or not, as the incumbent sends them: Phase 4 decides per
  // source table what to run, and the zone analyses for tomorrow hang off the summaries' tables.
  const phase = phaseOf(config, transition.from);
  const entities = combinedEntities(document, phase.processors);
  const parentExecution = parentExecutionOf(document, transition, decision.quality.completed);
  return phase.processors.map((processor) => {
    const sourceTable = processor.table?.split('.')[1] ?? processor.name;
    const trigger: Phase4Trigger = {
      source_table: sourceTable,
      analysis_date: gameDate,
      game_date: gameDate,
      success: true,
      ...(correlation ? { correlation_id: correlation } : {}),
      trigger_source: 'orchestrator',
      triggered_by: TRIGGERED_BY,
      timestamp,
      entities_changed: entities.changed,
      is_incremental: entities.incremental,
      mode: decision.mode,
      trigger_reason: decision.trigger_reason,
      ...(parentExecution ? { parent_execution_id: parentExecution } : {}),
      parent_processor: 'Phase3Orchestrator',
      quality: decision.quality,
    };
    return { topic: output.topic, data: trigger, attributes: { ...attributes, source_table: sourceTable } };
  });
}

/** Players and teams changed by incremental runs, combined over the date's processors as the incumbent does. */
function combinedEntities(
  document: StateDocument,
  processors: readonly Pick<Processor, 'name'>[],
): { changed: { players?: string[]; teams?: string[] }; incremental: boolean } {
  const players = new Set<string>();
  const teams = new Set<string>();
  let incremental = false;
  for (const { name } of processors) {
    const record = processorRecord(document, name);
    if (!record?.is_incremental) continue;
    incremental = true;
    const into = name.includes('player') ? players : name.includes('team') ? teams : undefined;
    for (const entity of record.entities_changed ?? []) into?.add(entity);
  }
  return {
    changed: {
      ...(players.size > 0 ? { players: [...players].sort() } : {}),
      ...(teams.size > 0 ? { teams: [...teams].sort() } : {}),
    },
    incremental,
  };
}

function parentExecutionOf(
  document: StateDocument,
  transition: Transition,
  completed: string[],
): string | undefined {
  for (const name of [...transition.critical, ...completed]) {
    const id = processorRecord(document, name)?.execution_id;
    if (id) return id;
  }
  return undefined;
}
