import { CompletionMessage } from '../../shared/messages/completion.js';
import { decodeJson } from '../../shared/messages/pubsub-event.js';
import { SchedulerTick } from '../../shared/messages/tick.js';
import { PermanentError } from '../../shared/runtime/errors.js';
import { pubsubEventHandler } from '../../shared/runtime/event-handler.js';
import { checkCompletion } from './check-completion.js';
import { type RecordCountCheckDeps, watchedPhases } from './dependencies.js';
import { descriptor } from './descriptor.js';
import { sendDueRetries } from './send-due-retries.js';

/**
 * `recordCountCheck`: completions of the phases in `record_count.phases` are
 * judged as they arrive; the scheduler tick sends the re-run requests that
 * have come due. The topic tells the two apart.
 */
export function makeRecordCountCheckHandler(deps: () => Promise<RecordCountCheckDeps>) {
  return pubsubEventHandler(
    'recordCountCheck',
    deps,
    async ({ message, logger }, backends) => {
      const { config } = backends;
      if (message.topic === config.topics.tick) {
        const tick = decodeJson(message.data, SchedulerTick);
        if (!tick.ok) throw new PermanentError(tick.reason);
        await sendDueRetries(backends, logger.child({ job: tick.value.job }));
        return;
      }
      const topics = watchedPhases(config).map((phase) => phase.completion_topic);
      if (message.topic !== undefined && !topics.includes(message.topic))
        throw new PermanentError(`recordCountCheck does not listen on ${message.topic}`);
      const completion = decodeJson(message.data, CompletionMessage);
      if (!completion.ok) throw new PermanentError(completion.reason);
      await checkCompletion(
        backends,
        completion.value,
        { topic: message.topic, messageId: message.messageId },
        logger,
      );
    },
    { probe: descriptor },
  );
}
