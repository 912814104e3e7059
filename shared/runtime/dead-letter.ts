import type { PipelineConfig } from '../config/schema.js';
import type { Logger } from '../logging/logger.js';
import type { DeadLetter } from '../messages/dead-letter.js';
import type { ReceivedMessage } from '../messages/pubsub-event.js';
import type { Bus } from '../ports/bus.port.js';
import type { Clock } from '../ports/clock.port.js';

const KEEP_BYTES = 64 * 1024;

/**
 * Refuses a message for good: logs the reason with the message id and sends
 * the payload to the dead-letter topic, so nothing is lost and nothing loops.
 */
export async function deadLetter(
  deps: { bus: Bus; clock: Clock; config: PipelineConfig; logger: Logger },
  functionName: string,
  message: ReceivedMessage | undefined,
  reason: string,
): Promise<void> {
  deps.logger.warning(`dead-lettered: ${reason}`, {
    message_id: message?.messageId,
    source_topic: message?.topic,
    reason,
  });
  const letter: DeadLetter = {
    function_name: functionName,
    reason,
    ...(message?.messageId ? { message_id: message.messageId } : {}),
    ...(message?.topic ? { source_topic: message.topic } : {}),
    ...(message ? { attributes: message.attributes } : {}),
    data_base64: (message?.data ?? Buffer.alloc(0)).subarray(0, KEEP_BYTES).toString('base64'),
    data_truncated: (message?.data.length ?? 0) > KEEP_BYTES,
    dead_lettered_at: deps.clock.now().toISOString(),
  };
  await deps.bus.publish({
    topic: deps.config.topics.dead_letter,
    data: letter,
    attributes: { function_name: functionName, reason: reason.slice(0, 1000) },
  });
}
