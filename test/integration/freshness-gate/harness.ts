import { randomUUID } from 'node:crypto';
import type { Message, PubSub, Subscription } from '@google-cloud/pubsub';
import { BusAlertSink } from '../../../shared/adapters/bus.alert-sink.js';
import { SimulatedClock } from '../../../shared/adapters/clocks.js';
import { DuckDbWarehouse } from '../../../shared/adapters/duckdb.warehouse.js';
import type { FirestoreStateStore } from '../../../shared/adapters/firestore.state-store.js';
import { PubSubBus } from '../../../shared/adapters/pubsub.bus.js';
import { loadPipelineConfig } from '../../../shared/config/load.js';
import type { PipelineConfig } from '../../../shared/config/schema.js';
import { createLogger } from '../../../shared/logging/logger.js';
import type { SqlParameter, Warehouse, WarehouseRow } from '../../../shared/ports/warehouse.port.js';
import { makeFreshnessGateHandler } from '../../../functions/freshnessGate/handler.js';
import type { GateDocument } from '../../../functions/freshnessGate/gate-state.js';
import type { GateDependencies } from '../../../functions/freshnessGate/run-gate.js';
import {
  type LocalServices,
  localHttpCaller,
  onLocalServices,
  startLocalServices,
} from '../../../scripts/local/services.js';
import { emulatorPubSub, emulatorStateStore, freshProjectId } from '../../support/backends.js';

// The Google clients look for a GCE metadata server when they have no credentials; tests stay on loopback.
process.env.METADATA_SERVER_DETECTION ??= 'none';

export interface Received {
  data: Record<string, unknown>;
  attributes: Record<string, string>;
}

/** Everything published on one topic since the test subscribed. */
export class TopicRecorder {
  readonly messages: Received[] = [];
  private constructor(private readonly subscription: Subscription) {
    subscription.on('message', (message: Message) => {
      message.ack();
      this.messages.push({
        data: JSON.parse(message.data.toString('utf8')) as Record<string, unknown>,
        attributes: message.attributes,
      });
    });
  }

  static async open(pubsub: PubSub, topic: string): Promise<TopicRecorder> {
    const [subscription] = await pubsub
      .topic(topic)
      .createSubscription(`${topic}-rec-${randomUUID().slice(0, 6)}`);
    return new TopicRecorder(subscription);
  }

  /** Waits until `count` messages are in, then a little longer so a duplicate would show. */
  async settle(count: number, timeoutMs = 10_000, quietMs = 1_000): Promise<Received[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.length < count && Date.now() < deadline) await sleep(50);
    await sleep(quietMs);
    return this.messages;
  }

  close(): Promise<void> {
    this.subscription.removeAllListeners('message');
    return this.subscription.close();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const ET = 'America/New_York';

/** A warehouse that fails while `down` is set (reads and writes through the gate), the way BigQuery does when it is unavailable. */
export class FlakyWarehouse implements Warehouse {
  down = false;
  constructor(private readonly inner: Warehouse) {}
  private guard() {
    if (this.down)
      throw Object.assign(new Error('14 UNAVAILABLE: the warehouse is not answering'), { code: 14 });
  }
  async query<Row extends WarehouseRow = WarehouseRow>(sql: string, params?: Record<string, SqlParameter>) {
    this.guard();
    return this.inner.query<Row>(sql, params);
  }
  async execute(sql: string, params?: Record<string, SqlParameter>) {
    this.guard();
    return this.inner.execute(sql, params);
  }
  async insert(table: string, rows: WarehouseRow[]) {
    this.guard();
    return this.inner.insert(table, rows);
  }
  async tableExists(table: string) {
    this.guard();
    return this.inner.tableExists(table);
  }
  async dryRun(sql: string, params?: Record<string, SqlParameter>) {
    this.guard();
    return this.inner.dryRun(sql, params);
  }
}

export interface GateHarness {
  projectId: string;
  config: PipelineConfig;
  clock: SimulatedClock;
  warehouse: FlakyWarehouse;
  duckdb: DuckDbWarehouse;
  state: FirestoreStateStore;
  pubsub: PubSub;
  deps: GateDependencies;
  logs: Array<Record<string, unknown>>;
  triggers: TopicRecorder;
  decisions: TopicRecorder;
  alerts: TopicRecorder;
  deadLetters: TopicRecorder;
  /** the prediction coordinator (and analytics service) on loopback, where the config points */
  services: LocalServices;
  handle: ReturnType<typeof makeFreshnessGateHandler>;
  /** delivers a message to the event handler as Pub/Sub would (CloudEvent, base64 data) */
  deliver(topic: string, data: unknown, id?: string): Promise<void>;
  /** the scheduler job `freshness-gate` (17:45 ET, TOMORROW) */
  gateJob(id?: string): Promise<void>;
  /** the every-5-minutes `shotclock-tick` */
  tick(): Promise<void>;
  /** moves the clock in 5-minute ticks up to `until` (inclusive), delivering the periodic tick at each */
  tickUntil(until: string, beforeEach?: (now: Date) => Promise<void>): Promise<void>;
  gate(date: string): Promise<GateDocument | undefined>;
  close(): Promise<void>;
}

export async function gateHarness(start: string, configOverride: unknown = {}): Promise<GateHarness> {
  const projectId = freshProjectId('gate');
  const clock = new SimulatedClock(start);
  const services = await startLocalServices(clock);
  const config = onLocalServices(loadPipelineConfig(configOverride), services);
  const duckdb = await DuckDbWarehouse.open(':memory:');
  const warehouse = new FlakyWarehouse(duckdb);
  const pubsub = emulatorPubSub(projectId);
  const state = emulatorStateStore(projectId);
  const topics = [
    config.topics.tick,
    config.topics.alerts,
    config.topics.dead_letter,
    config.topics.gate_decisions,
    config.freshness_gate.wake_topic,
    config.freshness_gate.output_topic,
  ];
  for (const topic of topics) await pubsub.topic(topic).get({ autoCreate: true });
  const logs: Array<Record<string, unknown>> = [];
  const logger = createLogger({}, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const bus = new PubSubBus(pubsub);
  const deps: GateDependencies = {
    config,
    clock,
    logger,
    state,
    bus,
    warehouse,
    alerts: new BusAlertSink(bus, config.topics.alerts, logger),
    http: localHttpCaller(),
  };
  const [triggers, decisions, alerts, deadLetters] = await Promise.all([
    TopicRecorder.open(pubsub, config.freshness_gate.output_topic),
    TopicRecorder.open(pubsub, config.topics.gate_decisions),
    TopicRecorder.open(pubsub, config.topics.alerts),
    TopicRecorder.open(pubsub, config.topics.dead_letter),
  ]);
  const handle = makeFreshnessGateHandler(async () => deps);
  const deliver = (topic: string, data: unknown, id: string = randomUUID()) =>
    handle({
      id,
      source: `//pubsub.googleapis.com/projects/${projectId}/topics/${topic}`,
      data: {
        message: {
          data: Buffer.from(JSON.stringify(data)).toString('base64'),
          messageId: id,
          publishTime: clock.now().toISOString(),
        },
        subscription: `projects/${projectId}/subscriptions/${topic}-freshness-gate`,
      },
    });
  const harness: GateHarness = {
    projectId,
    config,
    clock,
    warehouse,
    duckdb,
    state,
    pubsub,
    deps,
    logs,
    triggers,
    decisions,
    alerts,
    deadLetters,
    services,
    handle,
    deliver,
    gateJob: (id) =>
      deliver(
        config.topics.tick,
        { job: 'freshness-gate', target_date: 'TOMORROW', scheduled_for: clock.now().toISOString() },
        id,
      ),
    tick: () =>
      deliver(config.topics.tick, { job: 'shotclock-tick', scheduled_for: clock.now().toISOString() }),
    async tickUntil(until, beforeEach) {
      const end = new Date(until).getTime();
      for (;;) {
        const next = Math.floor(clock.now().getTime() / 300_000) * 300_000 + 300_000;
        if (next > end) break;
        clock.set(new Date(next));
        await beforeEach?.(clock.now());
        await harness.tick();
      }
    },
    gate: async (date) => (await state.get(`freshness_gate/${date}`)) as GateDocument | undefined,
    async close() {
      await Promise.all([triggers.close(), decisions.close(), alerts.close(), deadLetters.close()]);
      duckdb.close();
      await services.close();
      await pubsub.close();
    },
  };
  return harness;
}

/** `count` games on `date` in the schedule table. */
export async function scheduleGames(warehouse: Warehouse, date: string, count: number): Promise<void> {
  const teams = [
    'LAL',
    'BOS',
    'DEN',
    'MIA',
    'GSW',
    'PHX',
    'NYK',
    'MIL',
    'DAL',
    'OKC',
    'SAC',
    'MIN',
    'CHI',
    'ATL',
  ];
  await warehouse.insert(
    'nba_raw.nbac_schedule',
    Array.from({ length: count }, (_, i) => ({
      game_id: `${date.replaceAll('-', '')}-${i + 1}`,
      game_date: date,
      home_team_tricode: teams[(2 * i) % teams.length],
      away_team_tricode: teams[(2 * i + 1) % teams.length],
      game_status: 1,
    })),
  );
}

/** Phase 3 `upcoming_player_game_context` rows: `players` spread over `games`, `withLines` of them with a line. */
export function playerContextRows(
  date: string,
  opts: { players: number; games: number; withLines: number; processedAt: string; offset?: number },
) {
  return Array.from({ length: opts.players }, (_, i) => ({
    game_date: date,
    player_lookup: `player${(opts.offset ?? 0) + i}`,
    game_id: `${date.replaceAll('-', '')}-${(i % opts.games) + 1}`,
    has_prop_line: i < opts.withLines,
    current_points_line: i < opts.withLines ? 18.5 + (i % 10) : null,
    created_at: opts.processedAt,
    processed_at: opts.processedAt,
  }));
}

/** Phase 4 `ml_feature_store_v2` rows, as first written (`created_at`; `updated_at` only on a rewrite). */
export function featureStoreRows(
  date: string,
  opts: { players: number; games: number; processedAt: string },
) {
  return Array.from({ length: opts.players }, (_, i) => ({
    game_date: date,
    player_lookup: `player${i}`,
    game_id: `${date.replaceAll('-', '')}-${(i % opts.games) + 1}`,
    created_at: opts.processedAt,
  }));
}

/** A day whose inputs are all good: `games` games, 26 players each, 80% with lines. */
export async function goodDay(warehouse: Warehouse, date: string, games: number, processedAt: string) {
  const players = games * 26;
  await warehouse.insert(
    'nba_analytics.upcoming_player_game_context',
    playerContextRows(date, { players, games, withLines: Math.round(players * 0.8), processedAt }),
  );
  await warehouse.insert(
    'nba_predictions.ml_feature_store_v2',
    featureStoreRows(date, { players, games, processedAt }),
  );
}

export const PLAYER_CONTEXT = 'nba_analytics.upcoming_player_game_context';
export const FEATURE_STORE = 'nba_predictions.ml_feature_store_v2';
