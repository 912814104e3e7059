import type { PipelineConfig, Transition } from '../../shared/config/schema.js';
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
 * shape, one message per Phase 3 source table that is in (Phase 4 rejects a
 * message without `source_table`); `phase_ready` is one `PhaseReady`.
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
  const phase = phaseOf(config, transition.from);
  return decision.quality.completed.map((name) => {
    const processor = phase.processors.find((candidate) => candidate.name === name);
    const sourceTable = processor?.table?.split('.')[1] ?? name;
    const own = processorRecord(document, name)?.correlation_id ?? correlation;
    const trigger: Phase4Trigger = {
      source_table: sourceTable,
      analysis_date: gameDate,
      game_date: gameDate,
      success: true,
      ...(own ? { correlation_id: own } : {}),
      trigger_source: 'orchestrator',
      triggered_by: TRIGGERED_BY,
      timestamp,
      is_incremental: false,
      mode: decision.mode,
      trigger_reason: decision.trigger_reason,
      quality: decision.quality,
    };
    return { topic: output.topic, data: trigger, attributes: { ...attributes, source_table: sourceTable } };
  });
}
