import { randomUUID } from 'node:crypto';
import { DuckDbWarehouse } from '../../../shared/adapters/duckdb.warehouse.js';
import { BusAlertSink } from '../../../shared/adapters/bus.alert-sink.js';
import { SimulatedClock } from '../../../shared/adapters/clocks.js';
import { PubSubBus } from '../../../shared/adapters/pubsub.bus.js';
import { loadPipelineConfig } from '../../../shared/config/load.js';
import { createLogger } from '../../../shared/logging/logger.js';
import type { Bus, OutgoingMessage } from '../../../shared/ports/bus.port.js';
import type { StateStore } from '../../../shared/ports/state-store.port.js';
import { makePhaseTransitionHandler } from '../../../functions/phaseTransition/handler.js';
import {
  emulatorPubSub,
  emulatorStateStore,
  freshProjectId,
  subscribeForTest,
} from '../../support/backends.js';

export const config = loadPipelineConfig();
export const TOPIC = {
  phase2: 'nba-phase2-raw-complete',
  phase3: 'nba-phase3-analytics-complete',
  phase4: 'nba-phase4-precompute-complete',
  phase4Trigger: 'nba-phase4-trigger',
  ready: 'shotclock-predictions-ready',
  tick: config.topics.tick,
  alerts: config.topics.alerts,
  deadLetter: config.topics.dead_letter,
} as const;

export const PHASE3 = config.phases.find((phase) => phase.id === 'phase3')!.processors.map((p) => p.name);
export const PHASE4 = config.phases.find((phase) => phase.id === 'phase4')!.processors.map((p) => p.name);

export interface Published extends OutgoingMessage {
  at: string;
}

/** The real PubSubBus, recording what the broker accepted (at simulated time), failing on demand. */
export class RecordingBus implements Bus {
  readonly published: Published[] = [];
  private readonly failures = new Map<string, number>();

  constructor(
    private readonly inner: Bus,
    private readonly clock: SimulatedClock,
  ) {}

  /** The next `times` publishes on `topic` fail as Pub/Sub UNAVAILABLE would. */
  failNext(topic: string, times: number) {
    this.failures.set(topic, times);
  }

  async publish(message: OutgoingMessage): Promise<string> {
    const left = this.failures.get(message.topic) ?? 0;
    if (left > 0) {
      this.failures.set(message.topic, left - 1);
      throw Object.assign(new Error(`14 UNAVAILABLE: publish to ${message.topic} failed (injected)`), {
        code: 14,
      });
    }
    const id = await this.inner.publish(message);
    this.published.push({ ...message, at: this.clock.now().toISOString() });
    return id;
  }

  on(topic: string) {
    return this.published.filter((message) => message.topic === topic);
  }
}

export interface LogLine {
  severity: string;
  message: string;
  [field: string]: unknown;
}

export interface HarnessOptions {
  start: string;
  /** scheduled games per date (a date left out has none) */
  games: Record<string, number>;
  /** wraps the emulator state store (fault injection) */
  wrapState?: (state: StateStore) => StateStore;
  /** topics to collect through a real subscription (created before anything is published) */
  subscribe?: string[];
}

/**
 * The phaseTransition handler on the real emulators: a fresh `demo-` project
 * with the pipeline's topics, Firestore state, DuckDB holding the schedule,
 * and a simulated clock. Events are CloudEvents built as Pub/Sub delivers them.
 */
export async function transitionHarness(options: HarnessOptions) {
  const projectId = freshProjectId('transition');
  const pubsub = emulatorPubSub(projectId);
  await Promise.all(Object.values(TOPIC).map((topic) => pubsub.createTopic(topic)));
  const subscriptions = Object.fromEntries(
    await Promise.all(
      (options.subscribe ?? []).map(async (topic) => [topic, await subscribeForTest(pubsub, topic)] as const),
    ),
  );
  const clock = new SimulatedClock(options.start);
  const bus = new RecordingBus(new PubSubBus(pubsub), clock);
  const baseState = emulatorStateStore(projectId);
  const state = options.wrapState ? options.wrapState(baseState) : baseState;
  const warehouse = await DuckDbWarehouse.open(':memory:');
  const rows = Object.entries(options.games).flatMap(([date, games]) =>
    Array.from({ length: games }, (_, i) => ({
      game_id: `${date.replaceAll('-', '')}_${i}`,
      game_date: date,
      home_team_tricode: 'LAL',
      away_team_tricode: 'BOS',
      game_status: 1,
    })),
  );
  await warehouse.insert('nba_raw.nbac_schedule', rows);
  const logs: LogLine[] = [];
  const logger = createLogger({}, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const alerts = new BusAlertSink(bus, config.topics.alerts, logger);
  const deps = { config, projectId, clock, logger, state, bus, warehouse, alerts };
  const handler = makePhaseTransitionHandler(async () => deps);

  function event(topic: string, data: unknown, id: string = randomUUID()) {
    const bytes = Buffer.isBuffer(data)
      ? data
      : Buffer.from(typeof data === 'string' ? data : JSON.stringify(data));
    return {
      id,
      source: `//pubsub.googleapis.com/projects/${projectId}/topics/${topic}`,
      type: 'google.cloud.pubsub.topic.v1.messagePublished',
      specversion: '1.0',
      data: { message: { data: bytes.toString('base64'), messageId: id, attributes: {} } },
    };
  }

  /** As Pub/Sub does: a throw means redelivery, up to the subscription's max attempts. */
  async function deliver(
    cloudEvent: ReturnType<typeof event>,
    maxAttempts = config.delivery.max_delivery_attempts,
    instance = handler,
  ) {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await instance(cloudEvent);
        return { attempts: attempt };
      } catch (error) {
        if (attempt >= maxAttempts) return { attempts: attempt, error: error as Error };
      }
    }
  }

  return {
    projectId,
    pubsub,
    clock,
    bus,
    state,
    warehouse,
    logs,
    deps,
    handler,
    event,
    deliver,
    subscriptions,
    /** another function instance on the same backends (its own in-memory state) */
    newInstance: () => makePhaseTransitionHandler(async () => deps),
    completion(topic: string, fields: Record<string, unknown>, id?: string) {
      return event(
        topic,
        {
          phase: 'phase_3_analytics',
          status: 'success',
          record_count: 10,
          correlation_id: 'corr-1',
          ...fields,
        },
        id,
      );
    },
    /** one scheduler tick at the clock's current time */
    tick() {
      return deliver(event(TOPIC.tick, { job: 'shotclock-tick', scheduled_for: clock.now().toISOString() }));
    },
    /** ticks at every 5-minute mark of the clock (as the cron job does) up to `until` */
    async tickUntil(until: string) {
      const step = 5 * 60_000;
      for (;;) {
        const next = (Math.floor(clock.now().getTime() / step) + 1) * step;
        if (next > Date.parse(until)) return;
        clock.set(new Date(next));
        const result = await this.tick();
        if (result.error) throw result.error;
      }
    },
    async close() {
      warehouse.close();
      await pubsub.close();
    },
  };
}
