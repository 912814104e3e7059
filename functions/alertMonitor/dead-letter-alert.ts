import { deadLettered } from '../../shared/domain/alert-rules.js';
import type { Logger } from '../../shared/logging/logger.js';
import { DeadLetter } from '../../shared/messages/dead-letter.js';
import type { ReceivedMessage } from '../../shared/messages/pubsub-event.js';
import type { AlertSink } from '../../shared/ports/alert-sink.port.js';
import type { Clock } from '../../shared/ports/clock.port.js';
import { raiseVerdict } from './raise-verdict.js';

export interface DeadLetterAlertDependencies {
  alerts: AlertSink;
  clock: Clock;
  logger: Logger;
}

/**
 * Anything on the dead-letter topic becomes an alert. Two shapes arrive there:
 * shotclock's own `DeadLetter` (a refused message, with the reason), and a
 * message Pub/Sub moved after too many failed deliveries (the original
 * payload, with `CloudPubSubDeadLetter*` attributes). Neither is ever refused
 * here: refusing would dead-letter a dead letter, in a loop.
 */
export async function alertOnDeadLetter(deps: DeadLetterAlertDependencies, message: ReceivedMessage) {
  const letter = parseLetter(message.data);
  const now = deps.clock.now();
  const verdict = letter
    ? deadLettered({
        functionName: letter.function_name,
        reason: letter.reason,
        ...(letter.source_topic ? { sourceTopic: letter.source_topic } : {}),
        ...(letter.message_id ? { messageId: letter.message_id } : {}),
        at: now,
      })
    : deadLettered({
        functionName: subscriptionOwner(message.attributes) ?? 'unknown subscriber',
        reason: undeliveredReason(message.attributes),
        messageId: message.messageId,
        at: now,
      });
  await raiseVerdict(deps, verdict);
}

function parseLetter(data: Buffer): DeadLetter | undefined {
  try {
    const parsed = DeadLetter.safeParse(JSON.parse(data.toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function subscriptionOwner(attributes: Record<string, string>): string | undefined {
  const subscription = attributes.CloudPubSubDeadLetterSourceSubscription;
  return subscription?.split('/').pop();
}

function undeliveredReason(attributes: Record<string, string>): string {
  const attempts = attributes.CloudPubSubDeadLetterSourceDeliveryCount;
  return attempts
    ? `not acknowledged after ${attempts} delivery attempts`
    : 'a message arrived on the dead-letter topic without a reason';
}
