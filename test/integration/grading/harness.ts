import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BusAlertSink } from '../../../shared/adapters/bus.alert-sink.js';
import { SimulatedClock } from '../../../shared/adapters/clocks.js';
import { DuckDbWarehouse } from '../../../shared/adapters/duckdb.warehouse.js';
import { FolderObjectStore } from '../../../shared/adapters/folder.object-store.js';
import { PubSubBus } from '../../../shared/adapters/pubsub.bus.js';
import { loadPipelineConfig } from '../../../shared/config/load.js';
import { createLogger } from '../../../shared/logging/logger.js';
import type { LiveGradingExport } from '../../../shared/messages/grading-export.js';
import { emulatorPubSub, freshProjectId, subscribeForTest } from '../../support/backends.js';

/**
 * What the grading tests run against: DuckDB in memory, a temp folder as the
 * bucket, the Pub/Sub emulator for alerts and dead letters, a simulated clock.
 */
export async function gradingHarness(now: string) {
  const projectId = freshProjectId('grading');
  const pubsub = emulatorPubSub(projectId);
  const bus = new PubSubBus(pubsub);
  const config = loadPipelineConfig();
  const [alertFeed, deadLetterFeed] = await Promise.all([
    subscribeForTest(pubsub, config.topics.alerts),
    subscribeForTest(pubsub, config.topics.dead_letter),
  ]);
  const clock = new SimulatedClock(now);
  const root = await mkdtemp(join(tmpdir(), 'shotclock-grading-'));
  const objects = new FolderObjectStore(root, () => clock.now());
  const warehouse = await DuckDbWarehouse.open(':memory:');
  const logger = createLogger({}, { write: () => undefined });
  const deps = {
    config,
    projectId,
    clock,
    logger,
    bus,
    topology: bus,
    warehouse,
    objects,
    alerts: new BusAlertSink(bus, config.topics.alerts, logger),
  };
  return {
    deps,
    config,
    clock,
    warehouse,
    objects,
    root,
    alertFeed,
    deadLetterFeed,
    /** the export as a reader of the bucket sees it */
    async readExport(name: string) {
      const stored = await objects.get(config.grading.bucket, `${config.grading.path_prefix}/${name}`);
      return stored && { ...stored, document: JSON.parse(stored.body) as LiveGradingExport };
    },
    close: () => warehouse.close(),
  };
}

/** A Pub/Sub CloudEvent as the functions framework hands it over. */
export function tickEvent(data: unknown, topic = 'shotclock-tick') {
  const text = typeof data === 'string' ? data : JSON.stringify(data);
  return {
    id: `evt-${Math.random().toString(36).slice(2)}`,
    source: `//pubsub.googleapis.com/projects/demo/topics/${topic}`,
    data: { message: { data: Buffer.from(text).toString('base64'), messageId: `m-${Date.now()}` } },
  };
}
