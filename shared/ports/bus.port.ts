/** Pub/Sub. Message data is JSON; attributes are string pairs. */
export type MessageAttributes = Record<string, string>;

export interface OutgoingMessage {
  topic: string;
  data: unknown;
  attributes?: MessageAttributes;
  /** Messages with the same ordering key are delivered in publish order. */
  orderingKey?: string;
}

export interface Bus {
  /** Resolves with the message id once the broker has accepted the message. */
  publish(message: OutgoingMessage): Promise<string>;
}

/** Read-only questions about the topology, asked by the dependency probe and the local stack. */
export interface BusTopology {
  topicExists(topic: string): Promise<boolean>;
  /** Subscription names (short form) attached to a topic. */
  subscriptionsOf(topic: string): Promise<string[]>;
  /** Dead-letter topic (short form) of a subscription, if it has one. */
  deadLetterTopicOf(subscription: string): Promise<string | undefined>;
}
