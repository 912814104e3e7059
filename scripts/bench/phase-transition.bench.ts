import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Firestore } from '@google-cloud/firestore';
import { PubSub } from '@google-cloud/pubsub';
import { makePhaseTransitionHandler } from '../../functions/phaseTransition/handler.js';
import { BusAlertSink } from '../../shared/adapters/bus.alert-sink.js';
import { SimulatedClock } from '../../shared/adapters/clocks.js';
import { DuckDbWarehouse } from '../../shared/adapters/duckdb.warehouse.js';
import { FirestoreStateStore } from '../../shared/adapters/firestore.state-store.js';
import { PubSubBus } from '../../shared/adapters/pubsub.bus.js';
import { loadPipelineConfig } from '../../shared/config/load.js';
import { addDays } from '../../shared/domain/calendar.js';
import { createLogger } from '../../shared/logging/logger.js';
import type { Bus, OutgoingMessage } from '../../shared/ports/bus.port.js';
import { startEmulators } from '../local/emulators.js';
import { type BenchRow, median } from './bench-row.js';

const SECTION = 'phase transition';
/** A p99 over fewer than ~1,000 samples is its maximum: 1,000 dates, one timed completion each. */
const LATENCY_SAMPLES = Number(process.env.BENCH_LATENCY_SAMPLES ?? 1000);
/**
 * As deployed: concurrency 1 per instance (a gen2 function at 256 MiB has
 * under one vCPU), `maxInstances` instances (infra/functions.ts). Here they
 * share this machine's cores, which a real deployment does not.
 */
const BURST = { dates: 20, processors: 5, duplicates: 10, instances: 10 };

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** The real bus, noting when each trigger publish was accepted by the broker. */
class TimedBus implements Bus {
  readonly acceptedAt = new Map<string, number>();
  published = 0;
  constructor(
    private readonly inner: Bus,
    private readonly topic: string,
  ) {}
  async publish(message: OutgoingMessage): Promise<string> {
    const id = await this.inner.publish(message);
    if (message.topic !== this.topic) return id;
    this.published += 1;
    this.acceptedAt.set(message.attributes?.game_date ?? '', performance.now());
    return id;
  }
}

async function setup(hosts: { pubsub: string; firestore: string }, start = '2026-03-01T18:00:00Z') {
  const projectId = `demo-bench-${randomUUID().slice(0, 8)}`;
  const config = loadPipelineConfig();
  const pubsub = new PubSub({ projectId, apiEndpoint: hosts.pubsub, emulatorMode: true });
  const firestore = new Firestore({ projectId, host: hosts.firestore, ssl: false, preferRest: false });
  const transition = config.transitions.find((candidate) => candidate.id === 'phase4_to_phase5')!;
  const phase = config.phases.find((candidate) => candidate.id === transition.from)!;
  await Promise.all(
    [
      phase.completion_topic,
      transition.output!.topic,
      config.topics.alerts,
      config.topics.dead_letter,
      config.topics.tick,
    ].map((topic) => pubsub.createTopic(topic)),
  );
  const bus = new TimedBus(new PubSubBus(pubsub), transition.output!.topic);
  const warehouse = await DuckDbWarehouse.open(':memory:');
  const dates = Array.from({ length: Math.max(LATENCY_SAMPLES, BURST.dates) }, (_, i) =>
    addDays('2026-02-28', -i),
  );
  await warehouse.insert(
    'nba_raw.nbac_schedule',
    dates.map((date) => ({
      game_id: `${date}-1`,
      game_date: date,
      home_team_tricode: 'LAL',
      away_team_tricode: 'BOS',
      game_status: 1,
    })),
  );
  const logger = createLogger({}, { write: () => undefined });
  const clock = new SimulatedClock(start);
  const deps = {
    config,
    projectId,
    clock,
    logger,
    state: new FirestoreStateStore(firestore),
    bus,
    warehouse,
    alerts: new BusAlertSink(bus, config.topics.alerts, logger),
  };
  const event = (date: string, processor: string) => {
    const id = `${processor}-${date}`;
    const data = {
      processor_name: processor,
      game_date: date,
      status: 'success',
      execution_id: id,
      record_count: 100,
    };
    return {
      id,
      source: `//pubsub.googleapis.com/projects/${projectId}/topics/${phase.completion_topic}`,
      data: { message: { data: Buffer.from(JSON.stringify(data)).toString('base64'), messageId: id } },
    };
  };
  return {
    bus,
    clock,
    dates,
    processors: phase.processors.map((processor) => processor.name),
    event,
    instance: () => makePhaseTransitionHandler(async () => deps),
    close: async () => {
      warehouse.close();
      await Promise.all([pubsub.close(), firestore.terminate()]);
    },
  };
}

/**
 * Latency: for each of 1,000 dates, on the morning after it, four Phase 4
 * completions go in untimed, then the clock starts as the fifth (the last one needed) is handed to the
 * function and stops when the broker has accepted the
 * `shotclock-predictions-ready` message. Throughput: 1,000 deliveries (5
 * processors x 20 dates x 10 duplicates) across 10 instances at concurrency 1.
 */
export async function run(): Promise<BenchRow[]> {
  const emulators = await startEmulators();
  try {
    const latency = await setup(emulators.hosts, `${addDays('2026-02-28', -LATENCY_SAMPLES)}T00:00:00Z`);
    const handler = latency.instance();
    const samples: number[] = [];
    const timedDates = latency.dates.slice(0, LATENCY_SAMPLES).reverse(); // oldest first: time only moves on
    for (const date of timedDates) {
      // Each date is evaluated the morning after its games, as the pipeline would: inside the
      // window of dates the transition still watches.
      latency.clock.set(new Date(`${addDays(date, 1)}T12:00:00Z`));
      for (const processor of latency.processors.slice(0, -1)) await handler(latency.event(date, processor));
      const started = performance.now();
      await handler(latency.event(date, latency.processors.at(-1)!));
      const accepted = latency.bus.acceptedAt.get(date);
      if (accepted === undefined) throw new Error(`no trigger for ${date}`);
      samples.push(accepted - started);
    }
    await latency.close();

    const burst = await setup(emulators.hosts);
    const instances = Array.from({ length: BURST.instances }, () => burst.instance());
    const deliveries = burst.dates
      .slice(0, BURST.dates)
      .flatMap((date) =>
        burst.processors.flatMap((processor) =>
          Array.from({ length: BURST.duplicates }, () => burst.event(date, processor)),
        ),
      )
      .sort(() => Math.random() - 0.5);
    let next = 0;
    let redelivered = 0;
    let deadLettered = 0;
    const failures = new Map<string, number>();
    const { max_delivery_attempts: maxAttempts } = loadPipelineConfig().delivery;
    const started = performance.now();
    // Each instance handles one delivery at a time, as Cloud Run does at concurrency 1. A delivery
    // that fails (a transaction the emulator aborts under contention) comes back as Pub/Sub brings it
    // back: after a backoff (here 0.2-0.4 s per attempt, Pub/Sub's is minutes), and to the dead-letter
    // topic after the subscription's max_delivery_attempts.
    await Promise.all(
      instances.map(async (instance) => {
        while (next < deliveries.length) {
          const delivery = deliveries[next++]!;
          for (let attempt = 1; ; attempt += 1)
            try {
              await instance(delivery);
              break;
            } catch (error) {
              const reason = String((error as Error).message ?? error).slice(0, 80);
              failures.set(reason, (failures.get(reason) ?? 0) + 1);
              if (attempt >= maxAttempts) {
                deadLettered += 1;
                break;
              }
              redelivered += 1;
              await new Promise((resolve) => setTimeout(resolve, attempt * (200 + Math.random() * 200)));
            }
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const triggers = burst.bus.published;
    await burst.close();
    return [
      {
        section: SECTION,
        name: 'last completion -> trigger published, p50',
        value: median(samples),
        unit: 'ms',
        note: `${samples.length} dates, one handler on the emulators`,
      },
      {
        section: SECTION,
        name: 'last completion -> trigger published, p99',
        value: percentile(samples, 99),
        unit: 'ms',
        note: `over ${samples.length} samples`,
      },
      {
        section: SECTION,
        name: 'burst of 1,000 deliveries',
        value: deliveries.length / seconds,
        unit: 'deliveries/s',
        note:
          `${seconds.toFixed(1)} s; ${BURST.instances} instances at concurrency 1 in one process on this machine; ` +
          `${triggers} triggers (expected ${BURST.dates}), ${redelivered} redeliveries, ${deadLettered} dead-lettered` +
          (failures.size
            ? ` (${[...failures].map(([reason, count]) => `${count}x ${reason}`).join('; ')})`
            : ''),
      },
    ];
  } finally {
    await emulators.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.table(await run());
