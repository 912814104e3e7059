import type { PipelineConfig } from '../config/schema.js';
import { type Logger, traceField } from '../logging/logger.js';
import { type CloudEventLike, type ReceivedMessage, receivedMessage } from '../messages/pubsub-event.js';
import type { Bus } from '../ports/bus.port.js';
import type { Clock } from '../ports/clock.port.js';
import { deadLetter } from './dead-letter.js';
import { isTransient, PermanentError } from './errors.js';
import type { FunctionDescriptor } from '../probe/function-descriptor.js';
import { answerProbe } from '../probe/function-probe.js';
import { probeScopeOfEvent } from '../probe/probe-request.js';

export interface EventHandlerDependencies {
  config: PipelineConfig;
  bus: Bus;
  clock: Clock;
  logger: Logger;
  projectId?: string;
}

export interface HandledEvent {
  message: ReceivedMessage;
  logger: Logger;
}

type CloudEventWithTrace = CloudEventLike & { traceparent?: string };

/**
 * The shape every Pub/Sub-triggered function shares. Returning acks the
 * message; throwing makes Pub/Sub redeliver it with backoff. So:
 * - a message that cannot be read, or a `PermanentError`: dead-letter with the
 *   reason, then return (ack): retrying cannot help;
 * - a transient failure (UNAVAILABLE, ABORTED, timeouts, 429/5xx): throw;
 * - anything else is a bug: throw too, and the subscription's own dead-letter
 *   policy (max delivery attempts) stops it looping.
 * A probe request (see shared/probe/probe-request.ts) is answered, not
 * handled: `options.probe` says which env, lazy modules and backends to check.
 */
export function pubsubEventHandler<Deps extends EventHandlerDependencies>(
  functionName: string,
  dependencies: () => Promise<Deps>,
  handle: (event: HandledEvent, deps: Deps) => Promise<void>,
  options: { probe?: FunctionDescriptor } = {},
): (event: CloudEventWithTrace) => Promise<void> {
  return async (event) => {
    const probeScope = probeScopeOfEvent(event);
    if (probeScope) {
      const answer = await answerProbe(functionName, dependencies, probeScope, options.probe);
      // functions-framework sends the resolved value as the response body; the
      // declared type stays `void` so every function's handler type is unchanged.
      return answer as unknown as undefined;
    }
    const deps = await dependencies();
    const baseLogger = deps.logger.child({
      function: functionName,
      event_id: event.id,
      ...traceField(deps.projectId, { traceparent: event.traceparent }),
    });
    const received = receivedMessage(event);
    if (!received.ok) {
      await deadLetter({ ...deps, logger: baseLogger }, functionName, undefined, received.reason);
      return;
    }
    const message = received.value;
    const logger = baseLogger.child({ message_id: message.messageId });
    try {
      await handle({ message, logger }, deps);
    } catch (error) {
      if (error instanceof PermanentError) {
        await deadLetter({ ...deps, logger }, functionName, message, error.message);
        return;
      }
      logger.error(
        `${isTransient(error) ? 'transient' : 'unexpected'} failure, message will be redelivered`,
        {
          error: (error as Error).message,
          stack: (error as Error).stack,
        },
      );
      throw error;
    }
  };
}
