import { randomUUID } from 'node:crypto';
import { Firestore } from '@google-cloud/firestore';
import { PubSub } from '@google-cloud/pubsub';
import { inject } from 'vitest';
import { FirestoreStateStore } from '../../shared/adapters/firestore.state-store.js';
import { PubSubBus } from '../../shared/adapters/pubsub.bus.js';

/** A project id of its own, so tests sharing the emulators never see each other's data. */
export function freshProjectId(prefix = 'test'): string {
  return `demo-${prefix}-${randomUUID().slice(0, 8)}`;
}

export function emulatorFirestore(projectId: string): Firestore {
  process.env.FIRESTORE_EMULATOR_HOST = inject('firestoreEmulatorHost');
  return new Firestore({ projectId, host: inject('firestoreEmulatorHost'), ssl: false, preferRest: false });
}

export function emulatorPubSub(projectId: string): PubSub {
  process.env.PUBSUB_EMULATOR_HOST = inject('pubsubEmulatorHost');
  return new PubSub({ projectId, apiEndpoint: inject('pubsubEmulatorHost'), emulatorMode: true });
}

export function emulatorStateStore(projectId: string) {
  return new FirestoreStateStore(emulatorFirestore(projectId));
}

export function emulatorBus(projectId: string) {
  return new PubSubBus(emulatorPubSub(projectId));
}

/** Pulls what has been published on `topic` through a fresh subscription. */
export async function subscribeForTest(pubsub: PubSub, topic: string) {
  const [topicRef] = await pubsub.topic(topic).get({ autoCreate: true });
  const [subscription] = await topicRef.createSubscription(`${topic}-test-${randomUUID().slice(0, 6)}`);
  return {
    async drain(waitMs = 1500): Promise<Array<{ data: unknown; attributes: Record<string, string> }>> {
      const received: Array<{ data: unknown; attributes: Record<string, string> }> = [];
      await new Promise<void>((resolve) => {
        let timer = setTimeout(finish, waitMs);
        function finish() {
          subscription.removeAllListeners('message');
          void subscription.close().then(() => resolve());
        }
        subscription.on('message', (message) => {
          message.ack();
          received.push({ data: JSON.parse(message.data.toString('utf8')), attributes: message.attributes });
          clearTimeout(timer);
          timer = setTimeout(finish, waitMs / 2);
        });
      });
      return received;
    },
  };
}
