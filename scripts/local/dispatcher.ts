import type { PubSub } from '@google-cloud/pubsub';
import { v1 } from '@google-cloud/pubsub';
import type { SubscriptionSpec } from '../../infra/topology.js';
import type { Clock } from '../../shared/ports/clock.port.js';

/**
 * Delivers what sits on the emulator's subscriptions to the function servers,
 * the way a Pub/Sub push subscription does (POST of the push body to
 * `<function>/projects/<p>/topics/<topic>`), but on the simulated clock:
 * a non-2xx answer schedules a redelivery after the subscription's backoff,
 * and after `maxDeliveryAttempts` the message goes to the subscription's
 * dead-letter topic with the attributes Pub/Sub adds.
 */
export interface DeliveryOutcome {
  at: string;
  subscription: string;
  function: string;
  topic: string;
  message_id: string;
  attempt: number;
  status: number;
  /** wall-clock time the function took to answer */
  duration_ms: number;
  error?: string;
}

interface HeldMessage {
  subscription: SubscriptionSpec;
  messageId: string;
  data: string;
  attributes: Record<string, string>;
  publishTime: string;
  attempt: number;
  dueAt: number;
}

export class Dispatcher {
  private readonly subscriber: v1.SubscriberClient;
  private readonly held: HeldMessage[] = [];
  readonly outcomes: DeliveryOutcome[] = [];
  /** When set, every publish into the emulator is in here, in order (the replay's recorder). */
  private publishes: readonly { topic: string }[] | undefined;
  private publishesSeen = 0;

  constructor(
    pubsub: PubSub,
    private readonly projectId: string,
    private readonly subscriptions: SubscriptionSpec[],
    private readonly functionUrl: (name: string) => string,
    private readonly clock: Clock,
    /** publishes a dead-lettered message's bytes (the stack records it like any other publish) */
    private readonly publishRaw: (
      topic: string,
      data: Buffer,
      attributes: Record<string, string>,
    ) => Promise<void>,
  ) {
    this.subscriber = new v1.SubscriberClient(
      pubsub.options as ConstructorParameters<typeof v1.SubscriberClient>[0],
    );
  }

  /** The earliest redelivery still waiting, so the replay can wake for it. */
  nextRedeliveryAt(): number | undefined {
    return this.held.length ? Math.min(...this.held.map((message) => message.dueAt)) : undefined;
  }

  /**
   * Pull only the subscriptions whose topic was published to since the last
   * pull, when every publish goes through `publishes` (a replay: nothing
   * outside the stack publishes). A replayed day makes about a thousand
   * drains; pulling each of the ~20 push subscriptions every round kept the
   * Pub/Sub emulator busier than the functions.
   */
  followPublishes(publishes: readonly { topic: string }[]): void {
    this.publishes = publishes;
    this.publishesSeen = 0;
  }

  /** Subscriptions worth pulling now: all of them, or those whose topic got a publish. */
  private subscriptionsToPull(): SubscriptionSpec[] {
    const pushed = this.subscriptions.filter((subscription) => subscription.pushTo);
    if (!this.publishes) return pushed;
    const topics = new Set(this.publishes.slice(this.publishesSeen).map((publish) => publish.topic));
    this.publishesSeen = this.publishes.length;
    return pushed.filter((subscription) => topics.has(subscription.topic));
  }

  private async pullAll(): Promise<HeldMessage[]> {
    const pulled = await Promise.all(
      this.subscriptionsToPull().map(async (subscription) => {
        const name = `projects/${this.projectId}/subscriptions/${subscription.name}`;
        const [response] = await this.subscriber.pull({
          subscription: name,
          maxMessages: 500,
          returnImmediately: true,
        });
        const received = response.receivedMessages ?? [];
        if (received.length)
          await this.subscriber.acknowledge({ subscription: name, ackIds: received.map((m) => m.ackId!) });
        return received.map(
          (m): HeldMessage => ({
            subscription,
            messageId: m.message!.messageId!,
            data: Buffer.from(m.message!.data ?? '').toString('base64'),
            attributes: (m.message!.attributes ?? {}) as Record<string, string>,
            publishTime: new Date(
              Number(m.message!.publishTime?.seconds ?? 0) * 1000 +
                (m.message!.publishTime?.nanos ?? 0) / 1e6,
            ).toISOString(),
            attempt: 0,
            dueAt: 0,
          }),
        );
      }),
    );
    // Publish order within a subscription; subscriptions in a fixed order: a replay is repeatable.
    return pulled.flatMap((messages) =>
      messages.sort((a, b) => Number(BigInt(a.messageId) - BigInt(b.messageId))),
    );
  }

  private async deliver(message: HeldMessage): Promise<boolean> {
    const { subscription } = message;
    message.attempt += 1;
    const url = `${this.functionUrl(subscription.pushTo!)}/projects/${this.projectId}/topics/${subscription.topic}`;
    let status = 0;
    let error: string | undefined;
    const started = performance.now();
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          message: {
            data: message.data,
            attributes: message.attributes,
            messageId: message.messageId,
            publishTime: message.publishTime,
          },
          subscription: `projects/${this.projectId}/subscriptions/${subscription.name}`,
          deliveryAttempt: message.attempt,
        }),
        signal: AbortSignal.timeout(subscription.ackDeadlineSeconds * 1000),
      });
      status = response.status;
      if (status >= 300) error = (await response.text()).slice(0, 500);
    } catch (caught) {
      error = (caught as Error).message;
    }
    this.outcomes.push({
      at: this.clock.now().toISOString(),
      subscription: subscription.name,
      function: subscription.pushTo!,
      topic: subscription.topic,
      message_id: message.messageId,
      attempt: message.attempt,
      status,
      duration_ms: Math.round(performance.now() - started),
      ...(error ? { error } : {}),
    });
    return status >= 200 && status < 300;
  }

  private async deadLetter(message: HeldMessage): Promise<void> {
    const topic = message.subscription.deadLetterTopic;
    if (!topic) return;
    await this.publishRaw(topic, Buffer.from(message.data, 'base64'), {
      ...message.attributes,
      CloudPubSubDeadLetterSourceSubscription: message.subscription.name,
      CloudPubSubDeadLetterSourceDeliveryCount: String(message.attempt),
    });
  }

  private backoffMs(subscription: SubscriptionSpec, attempt: number): number {
    const seconds = Math.min(
      subscription.maxBackoffSeconds,
      subscription.minBackoffSeconds * 2 ** (attempt - 1),
    );
    return seconds * 1000;
  }

  /** Delivers until nothing is left to deliver now; returns how many deliveries were made. */
  async drain(maxRounds = 200): Promise<number> {
    let deliveries = 0;
    for (let round = 0; round < maxRounds; round += 1) {
      const now = this.clock.now().getTime();
      const due = this.held.filter((message) => message.dueAt <= now);
      for (const message of due) this.held.splice(this.held.indexOf(message), 1);
      const batch = [...due, ...(await this.pullAll())];
      if (batch.length === 0) return deliveries;
      // Like Pub/Sub, subscriptions deliver independently (functions run side by side); within one
      // subscription, in publish order.
      const bySubscription = new Map<string, HeldMessage[]>();
      for (const message of batch)
        bySubscription.set(message.subscription.name, [
          ...(bySubscription.get(message.subscription.name) ?? []),
          message,
        ]);
      await Promise.all(
        [...bySubscription.values()].map(async (messages) => {
          for (const message of messages) {
            deliveries += 1;
            if (await this.deliver(message)) continue;
            if (message.attempt >= message.subscription.maxDeliveryAttempts) await this.deadLetter(message);
            else
              this.held.push({
                ...message,
                dueAt: now + this.backoffMs(message.subscription, message.attempt),
              });
          }
        }),
      );
    }
    throw new Error(`messages still flowing after ${maxRounds} rounds: a loop between functions?`);
  }

  async close(): Promise<void> {
    await this.subscriber.close();
  }
}
