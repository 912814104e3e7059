import { randomUUID } from 'node:crypto';
import type { PubSub } from '@google-cloud/pubsub';
import { BusAlertSink } from '../../../shared/adapters/bus.alert-sink.js';
import { SimulatedClock } from '../../../shared/adapters/clocks.js';
import { DuckDbWarehouse } from '../../../shared/adapters/duckdb.warehouse.js';
import { PubSubBus } from '../../../shared/adapters/pubsub.bus.js';
import { loadPipelineConfig } from '../../../shared/config/load.js';
import type { PipelineConfig } from '../../../shared/config/schema.js';
import { createLogger } from '../../../shared/logging/logger.js';
import type { Bus, OutgoingMessage } from '../../../shared/ports/bus.port.js';
import type { Warehouse } from '../../../shared/ports/warehouse.port.js';
import { makeRecordCountCheckHandler } from '../../../functions/recordCountCheck/handler.js';
import type { RecordCountCheckDeps } from '../../../functions/recordCountCheck/dependencies.js';
import { localHttpCaller, onLocalServices, startLocalServices } from '../../../scripts/local/services.js';
import { emulatorPubSub, emulatorStateStore, freshProjectId } from '../../support/backends.js';

export interface Arrived {
  data: Record<string, unknown>;
  attributes: Record<string, string>;
}

/** Everything that arrives on a topic, through a subscription on the emulator. */
export async function listen(pubsub: PubSub, topic: string) {
  const [topicRef] = await pubsub.topic(topic).get({ autoCreate: true });
  const [subscription] = await topicRef.createSubscription(`${topic}-rc-${randomUUID().slice(0, 6)}`);
  const arrived: Arrived[] = [];
  let lastArrival = Date.now();
  subscription.on('message', (message) => {
    message.ack();
    lastArrival = Date.now();
    arrived.push({ data: JSON.parse(message.data.toString('utf8')), attributes: message.attributes });
  });
  return {
    arrived,
    /** Waits until nothing new has arrived for `quietMs`. */
    async settle(quietMs = 1000): Promise<Arrived[]> {
      const started = Date.now();
      await new Promise<void>((resolve) => {
        const poll = setInterval(() => {
          if (Date.now() - Math.max(lastArrival, started) >= quietMs) {
            clearInterval(poll);
            resolve();
          }
        }, 50);
      });
      return arrived;
    },
    close: () => subscription.close(),
  };
}

/** The real bus, with a note of each message the broker accepted (the processor stand-in reacts to it). */
class RecordingBus implements Bus {
  readonly accepted: OutgoingMessage[] = [];
  /** topic -> how many publishes to it fail before the broker is reached (a `publish-fails` fault) */
  readonly failures = new Map<string, number>();
  constructor(private readonly inner: Bus) {}
  async publish(message: OutgoingMessage): Promise<string> {
    const failing = this.failures.get(message.topic) ?? 0;
    if (failing > 0) {
      this.failures.set(message.topic, failing - 1);
      throw Object.assign(new Error(`14 UNAVAILABLE: publish to ${message.topic} failed`), { code: 14 });
    }
    const id = await this.inner.publish(message);
    this.accepted.push(message);
    return id;
  }
}

export const TABLE = 'nba_analytics.upcoming_player_game_context';
export const PROCESSOR = 'upcoming_player_game_context';

export const et = (local: string) => new Date(`${local}-05:00`);

/**
 * One test's world: its own `demo-` project on the emulators, a fresh DuckDB,
 * a simulated clock, the handler wired to all of it, and subscriptions on the
 * topics the function publishes to.
 */
export async function recordCountWorld(options: {
  start: string;
  config?: unknown;
  random?: () => number;
  warehouse?: (duckdb: DuckDbWarehouse) => Warehouse;
  duckdb?: DuckDbWarehouse;
}) {
  const projectId = freshProjectId('rc');
  const pubsub = emulatorPubSub(projectId);
  const clock = new SimulatedClock(et(options.start));
  // The analytics service (and the coordinator) on loopback, where the config points.
  const services = await startLocalServices(clock);
  const config: PipelineConfig = onLocalServices(loadPipelineConfig(options.config ?? {}), services);
  const duckdb = options.duckdb ?? (await DuckDbWarehouse.open(':memory:'));
  const warehouse = options.warehouse ? options.warehouse(duckdb) : duckdb;
  const state = emulatorStateStore(projectId);
  const bus = new RecordingBus(new PubSubBus(pubsub));
  const logger = createLogger({}, { write: () => undefined });
  const [reruns, alerts, deadLetters] = await Promise.all([
    listen(pubsub, config.record_count.rerun_topic),
    listen(pubsub, config.topics.alerts),
    listen(pubsub, config.topics.dead_letter),
  ]);
  const deps: RecordCountCheckDeps = {
    config,
    projectId,
    clock,
    logger,
    state,
    bus,
    warehouse,
    alerts: new BusAlertSink(bus, config.topics.alerts, logger),
    random: options.random ?? (() => 0.5),
    http: localHttpCaller(),
  };
  const handler = makeRecordCountCheckHandler(async () => deps);
  let sequence = 0;

  const event = (topic: string, data: unknown) => {
    const bytes = Buffer.isBuffer(data)
      ? data
      : Buffer.from(typeof data === 'string' ? data : JSON.stringify(data));
    sequence += 1;
    const id = `${topic}-${sequence}`;
    return {
      id,
      specversion: '1.0',
      type: 'google.cloud.pubsub.topic.v1.messagePublished',
      source: `//pubsub.googleapis.com/projects/${projectId}/topics/${topic}`,
      data: {
        message: { data: bytes.toString('base64'), messageId: id, attributes: {} },
        subscription: `projects/${projectId}/subscriptions/recordCountCheck`,
      },
    };
  };

  const world = {
    projectId,
    config,
    clock,
    state,
    duckdb,
    bus,
    handler,
    reruns,
    alerts,
    deadLetters,
    services,
    event,
    at(local: string) {
      clock.set(et(local));
    },
    async scheduleGames(gameDate: string, games: number) {
      await duckdb.insert(
        'nba_raw.nbac_schedule',
        Array.from({ length: games }, (_, i) => ({
          game_id: `${gameDate.replaceAll('-', '')}_${i}`,
          game_date: gameDate,
          home_team_tricode: `H${i}`,
          away_team_tricode: `A${i}`,
          game_status: 1,
        })),
      );
    },
    async writeRows(gameDate: string, rows: number, table = TABLE) {
      const at = clock.now().toISOString();
      await duckdb.insert(
        table,
        Array.from({ length: rows }, () => ({
          game_date: gameDate,
          player_lookup: `player${randomUUID().slice(0, 8)}`,
          game_id: `${gameDate.replaceAll('-', '')}_0`,
          created_at: at,
          processed_at: at,
        })),
      );
    },
    completion(fields: Record<string, unknown>) {
      return handler(
        event(config.phases.find((phase) => phase.id === 'phase3')!.completion_topic, {
          processor_name: PROCESSOR,
          phase: 'phase_3_analytics',
          status: 'success',
          timestamp: clock.now().toISOString(),
          ...fields,
        }),
      );
    },
    tick() {
      return handler(
        event(config.topics.tick, { job: 'shotclock-tick', scheduled_for: clock.now().toISOString() }),
      );
    },
    /**
     * Fires the 5-minute tick from the next boundary after now through `untilLocal`
     * (ET), calling `between(at)` before each tick so a test can act on the timeline.
     */
    async ticksUntil(untilLocal: string, between?: (at: Date) => Promise<void>) {
      const end = et(untilLocal).getTime();
      const step = 5 * 60_000;
      for (let at = Math.floor(clock.now().getTime() / step) * step + step; at <= end; at += step) {
        clock.set(new Date(at));
        await between?.(new Date(at));
        await world.tick();
      }
    },
    /** Re-run requests the broker accepted so far (the processor stand-in reacts to these). */
    rerunsAccepted() {
      return bus.accepted.filter((message) => message.topic === config.record_count.rerun_topic);
    },
    async close() {
      await Promise.all([reruns.close(), alerts.close(), deadLetters.close()]);
      await services.close();
      if (!options.duckdb) duckdb.close();
    },
  };
  return world;
}
