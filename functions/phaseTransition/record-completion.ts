import type { PipelineConfig, Transition } from '../../shared/config/schema.js';
import { implausibleGameDate } from '../../shared/domain/transition-rules.js';
import type { Logger } from '../../shared/logging/logger.js';
import type { ProcessorCompletion } from '../../shared/messages/completion.js';
import { PermanentError } from '../../shared/runtime/errors.js';
import { evaluateDate, type PhaseTransitionDependencies } from './evaluate-date.js';

/** The transitions a completion topic feeds (each transition listens to its `from` phase's topic). */
export function transitionsFedBy(config: PipelineConfig, topic: string | undefined): Transition[] {
  const phases = new Set(
    config.phases.filter((phase) => phase.completion_topic === topic).map((phase) => phase.id),
  );
  return config.transitions.filter((transition) => phases.has(transition.from));
}

/**
 * One processor's completion for a date: recorded in each transition its
 * phase feeds, then the rule decides. A name that belongs to no processor of
 * the phase is recorded apart and never counts.
 */
export async function recordCompletion(
  deps: PhaseTransitionDependencies,
  transitions: readonly Transition[],
  completion: ProcessorCompletion,
  logger: Logger,
): Promise<void> {
  const implausible = implausibleGameDate(completion.game_date, deps.clock.now());
  if (implausible) throw new PermanentError(implausible);
  const log = logger.child({ game_date: completion.game_date, correlation_id: completion.correlation_id });
  for (const transition of transitions) {
    const outcome = await evaluateDate(
      { ...deps, logger: log },
      transition,
      completion.game_date,
      completion,
    );
    const fields = {
      transition: transition.id,
      processor: outcome.processor ?? completion.reported_name ?? completion.processor_name,
      reported_name: completion.reported_name,
      status: completion.status,
      recorded: outcome.recorded,
      decision: outcome.decision?.kind,
      latched: outcome.latched?.kind,
      reason: outcome.latched?.reason,
    };
    // An unknown name is a fact about the emitter, not a fault of the date: said once per date, at INFO.
    if (outcome.recorded === 'unknown_processor') {
      const said = `${fields.processor} is not a processor of ${transition.from}; kept in _unknown_processors, not counted`;
      if (outcome.firstSighting) log.info(said, fields);
      else log.debug(said, fields);
    } else log.info(`completion ${outcome.recorded}`, fields);
  }
}
