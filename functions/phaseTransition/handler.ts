import { CompletionMessage } from '../../shared/messages/completion.js';
import { decodeJson } from '../../shared/messages/pubsub-event.js';
import { SchedulerTick } from '../../shared/messages/tick.js';
import type { Backends } from '../../shared/runtime/dependencies.js';
import { PermanentError } from '../../shared/runtime/errors.js';
import { pubsubEventHandler } from '../../shared/runtime/event-handler.js';
import type { PhaseTransitionDependencies } from './evaluate-date.js';
import { descriptor } from './descriptor.js';
import { KeyedQueue } from '../../shared/runtime/keyed-queue.js';
import { recordCompletion, transitionsFedBy } from './record-completion.js';
import { runTick } from './run-tick.js';

export const FUNCTION_NAME = 'phaseTransition';

/**
 * Completion messages (on each phase's `completion_topic`) and scheduler ticks
 * (on `config.topics.tick`), told apart by the topic they came from.
 */
export function makePhaseTransitionHandler(
  deps: () => Promise<PhaseTransitionDependencies & Pick<Backends, 'projectId'>>,
) {
  const dateQueue = new KeyedQueue();
  return pubsubEventHandler(
    FUNCTION_NAME,
    deps,
    async ({ message, logger }, given) => {
      const backends = { ...given, dateQueue };
      if (message.topic === backends.config.topics.tick) {
        const tick = decodeJson(message.data, SchedulerTick);
        if (!tick.ok) throw new PermanentError(`not a scheduler tick: ${tick.reason}`);
        return runTick({ ...backends, logger }, tick.value, logger);
      }
      const transitions = transitionsFedBy(backends.config, message.topic);
      if (transitions.length === 0)
        throw new PermanentError(`no transition listens on topic ${message.topic ?? '(none)'}`);
      const completion = decodeJson(message.data, CompletionMessage);
      if (!completion.ok) throw new PermanentError(`not a completion message: ${completion.reason}`);
      await recordCompletion({ ...backends, logger }, transitions, completion.value, logger);
    },
    { probe: descriptor },
  );
}
