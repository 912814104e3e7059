import type { PubSub, Topic } from '@google-cloud/pubsub';
import type { Bus, BusTopology, OutgoingMessage } from '../ports/bus.port.js';

/** The Bus on Pub/Sub (or its emulator, when PUBSUB_EMULATOR_HOST is set). */
export class PubSubBus implements Bus, BusTopology {
  private readonly topics = new Map<string, Topic>();

  constructor(
    private readonly pubsub: PubSub,
    /** the client's whole publish retry budget (its default is 10 minutes) */
    private readonly options: { publishTimeoutMs?: number } = {},
  ) {}

  private topic(name: string, ordered: boolean): Topic {
    const key = `${name}:${ordered}`;
    let topic = this.topics.get(key);
    if (!topic) {
      // Publish right away: these functions send a few messages per event, and a
      // batching delay would only hold the decision back.
      topic = this.pubsub.topic(name, {
        batching: { maxMessages: 1, maxMilliseconds: 0 },
        messageOrdering: ordered,
        ...(this.options.publishTimeoutMs ? { gaxOpts: { timeout: this.options.publishTimeoutMs } } : {}),
      });
      this.topics.set(key, topic);
    }
    return topic;
  }

  async publish({ topic, data, attributes, orderingKey }: OutgoingMessage): Promise<string> {
    const target = this.topic(topic, orderingKey !== undefined);
    return target.publishMessage({
      data: Buffer.from(JSON.stringify(data)),
      ...(attributes ? { attributes } : {}),
      ...(orderingKey ? { orderingKey } : {}),
    });
  }

  async topicExists(topic: string): Promise<boolean> {
    const [exists] = await this.pubsub.topic(topic).exists();
    return exists;
  }

  async subscriptionsOf(topic: string): Promise<string[]> {
    const [subscriptions] = await this.pubsub.topic(topic).getSubscriptions();
    return subscriptions.map((subscription) => subscription.name.split('/').pop()!);
  }

  async deadLetterTopicOf(subscription: string): Promise<string | undefined> {
    const [metadata] = await this.pubsub.subscription(subscription).getMetadata();
    return metadata.deadLetterPolicy?.deadLetterTopic?.split('/').pop() ?? undefined;
  }
}
