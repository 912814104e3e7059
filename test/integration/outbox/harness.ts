import { randomUUID } from 'node:crypto';
import type { PubSub } from '@google-cloud/pubsub';
import { BusAlertSink } from '../../../shared/adapters/bus.alert-sink.js';
import { SimulatedClock } from '../../../shared/adapters/clocks.js';
import type { FirestoreStateStore } from '../../../shared/adapters/firestore.state-store.js';
import { PubSubBus } from '../../../shared/adapters/pubsub.bus.js';
import { loadPipelineConfig } from '../../../shared/config/load.js';
import type { PipelineConfig } from '../../../shared/config/schema.js';
import { createLogger } from '../../../shared/logging/logger.js';
import type { Bus, OutgoingMessage } from '../../../shared/ports/bus.port.js';
import {
  drive,
  drivePending,
  enqueue,
  OUTBOX,
  type OutboxAction,
  type OutboxDependencies,
  type OutboxEntry,
} from '../../../shared/runtime/outbox.js';
import {
  type LocalServices,
  localHttpCaller,
  onLocalServices,
  startLocalServices,
} from '../../../scripts/local/services.js';
import { emulatorPubSub, emulatorStateStore, freshProjectId } from '../../support/backends.js';

export interface Arrived {
  data: Record<string, unknown>;
  attributes: Record<string, string>;
}

/** What a consumer on `topic` receives, through its own subscription on the emulator. */
export async function consumer(pubsub: PubSub, topic: string) {
  const [topicRef] = await pubsub.topic(topic).get({ autoCreate: true });
  const [subscription] = await topicRef.createSubscription(`${topic}-c-${randomUUID().slice(0, 6)}`);
  const arrived: Arrived[] = [];
  subscription.on('message', (message) => {
    message.ack();
    arrived.push({ data: JSON.parse(message.data.toString('utf8')), attributes: message.attributes });
  });
  return {
    arrived,
    /** Waits for `count` messages, then a little longer so a late duplicate would show. */
    async settle(count: number, quietMs = 800): Promise<Arrived[]> {
      const deadline = Date.now() + 10_000;
      while (arrived.length < count && Date.now() < deadline) await sleep(25);
      await sleep(quietMs);
      return arrived;
    },
    close: () => subscription.close(),
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A bus in front of the emulator whose `nth` publish (counted from
 * `holdPublish`) is held: `before` holds it before the broker sees it (a slow
 * publish), `after` lets the broker accept it and then never answers until
 * released (the driver died right after publishing).
 */
export class HoldingBus implements Bus {
  private count = 0;
  private hold: { nth: number; when: 'before' | 'after' } | undefined;
  private releaseHeld: () => void = () => {};
  /** resolves once the held publish reached its hold point */
  reached: Promise<void> = Promise.resolve();
  private markReached: () => void = () => {};

  constructor(private readonly inner: Bus) {}

  holdPublish(nth: number, when: 'before' | 'after'): void {
    this.count = 0;
    this.hold = { nth, when };
    this.reached = new Promise((resolve) => {
      this.markReached = resolve;
    });
  }

  /** Lets the held publish go on (for `before`, it reaches the broker only now). */
  release(): void {
    this.releaseHeld();
  }

  async publish(message: OutgoingMessage): Promise<string> {
    this.count += 1;
    const hold = this.hold;
    if (!hold || hold.nth !== this.count) return this.inner.publish(message);
    this.hold = undefined;
    const released = new Promise<void>((resolve) => {
      this.releaseHeld = resolve;
    });
    if (hold.when === 'after') {
      const id = await this.inner.publish(message);
      this.markReached();
      await released;
      return id;
    }
    this.markReached();
    await released;
    return this.inner.publish(message);
  }
}

export interface OutboxWorld {
  projectId: string;
  config: PipelineConfig;
  clock: SimulatedClock;
  state: FirestoreStateStore;
  pubsub: PubSub;
  bus: HoldingBus;
  services: LocalServices;
  deps: OutboxDependencies;
  alerts: Awaited<ReturnType<typeof consumer>>;
  logs: Array<Record<string, unknown>>;
  queue(id: string, owner: string, actions: OutboxAction[], onSent?: OutboxEntry['on_sent']): Promise<void>;
  drive(id: string): Promise<boolean>;
  entry(id: string): Promise<OutboxEntry>;
  /** the owner's tick every 5 minutes until `minutes` have passed */
  ticks(owner: string, minutes: number): Promise<void>;
  close(): Promise<void>;
}

export async function outboxWorld(
  start = '2026-01-17T22:00:00Z',
  configOverride: unknown = {},
): Promise<OutboxWorld> {
  const projectId = freshProjectId('outbox');
  const clock = new SimulatedClock(start);
  const services = await startLocalServices(clock);
  const config = onLocalServices(loadPipelineConfig(configOverride), services);
  const pubsub = emulatorPubSub(projectId);
  const state = emulatorStateStore(projectId);
  const bus = new HoldingBus(new PubSubBus(pubsub));
  const logs: Array<Record<string, unknown>> = [];
  const logger = createLogger({}, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const alerts = await consumer(pubsub, config.topics.alerts);
  const deps: OutboxDependencies = {
    config,
    state,
    bus,
    clock,
    logger,
    // Alerts go to the alerts topic on the emulator, where `alerts` reads them as people would.
    alerts: new BusAlertSink(new PubSubBus(pubsub), config.topics.alerts, logger),
    http: localHttpCaller(),
  };
  return {
    projectId,
    config,
    clock,
    state,
    pubsub,
    bus,
    services,
    deps,
    alerts,
    logs,
    queue: (id, owner, actions, onSent) =>
      state.transaction(async (tx) =>
        enqueue(tx, clock, { id, owner, actions, ...(onSent ? { on_sent: onSent } : {}) }),
      ),
    drive: (id) => drive(deps, id),
    entry: async (id) => (await state.get(`${OUTBOX}/${id}`)) as unknown as OutboxEntry,
    async ticks(owner, minutes) {
      for (let passed = 5; passed <= minutes; passed += 5) {
        clock.advance(5 * 60_000);
        await drivePending(deps, owner);
      }
    },
    async close() {
      await alerts.close();
      await services.close();
      await pubsub.close();
    },
  };
}
