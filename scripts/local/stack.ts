import type { Server } from 'node:http';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Firestore } from '@google-cloud/firestore';
import * as functionsFramework from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { PubSub } from '@google-cloud/pubsub';
import { pino } from 'pino';
import { buildTopology, type Topology } from '../../infra/topology.js';
import { DuckDbWarehouse } from '../../shared/adapters/duckdb.warehouse.js';
import { warehouseTablesOf } from '../../shared/config/tables.js';
import { FirestoreStateStore } from '../../shared/adapters/firestore.state-store.js';
import { namedCollections } from '../../shared/adapters/named-collections.state-store.js';
import { FolderObjectStore } from '../../shared/adapters/folder.object-store.js';
import { PubSubBus } from '../../shared/adapters/pubsub.bus.js';
import type { PipelineConfig } from '../../shared/config/schema.js';
import { createLogger } from '../../shared/logging/logger.js';
import type { Bus } from '../../shared/ports/bus.port.js';
import type { Clock } from '../../shared/ports/clock.port.js';
import { alertSinkFor } from '../../shared/runtime/alerts.js';
import type { Backends } from '../../shared/runtime/dependencies.js';
import { Dispatcher } from './dispatcher.js';
import { type EmulatorName, type RunningEmulators, startEmulators } from './emulators.js';
import { LOCAL_FUNCTIONS } from './function-catalog.js';
import {
  FaultPlan,
  faultyStateStore,
  Recorder,
  recordingBus,
  recordingHttpCaller,
  recordingObjectStore,
} from './instruments.js';
import { type LocalServices, localHttpCaller, onLocalServices, startLocalServices } from './services.js';

/**
 * The production topology on the emulators: the same topics and
 * subscriptions, every function served by the functions framework on
 * loopback, DuckDB for the warehouse and a folder for Cloud Storage.
 */
export interface LocalStackOptions {
  config: PipelineConfig;
  clock: Clock;
  /** where DuckDB, exports, logs and snapshots go */
  dataDir: string;
  projectId?: string;
  /** reuse running emulators (tests share one pair); otherwise start our own */
  emulatorHosts?: Record<EmulatorName, string>;
  faults?: FaultPlan;
  /**
   * a function's failure (the delivery is answered 500 and retried) is printed with its stack
   * trace; otherwise as one line, `<function>: <message>` (the report and the log have the rest)
   */
  errorStacks?: boolean;
}

export interface LocalStack {
  projectId: string;
  topology: Topology;
  backends: Backends;
  /** backends as the pipeline's own processes see them: no fault injection */
  pipeline: { bus: Bus; warehouse: DuckDbWarehouse };
  pubsub: PubSub;
  firestore: Firestore;
  recorder: Recorder;
  faults: FaultPlan;
  /** `http://127.0.0.1:<port>` per function name */
  urls: Record<string, string>;
  /** the incumbent's services on loopback; `config.downstream.services` points at them */
  services: LocalServices;
  emulators?: RunningEmulators;
  /** pushes what is on the subscriptions to the functions; the caller decides when (`drain`) */
  dispatcher: Dispatcher;
  stop(): Promise<void>;
}

/**
 * The topology on the emulator. Subscriptions are pull subscriptions with the
 * production dead-letter policy: the emulator's push cannot reach loopback
 * HTTP endpoints, so the stack's `Dispatcher` pushes for it (same body, same
 * path, same backoff and dead-lettering).
 */
async function createTopology(pubsub: PubSub, topology: Topology) {
  const [existing] = await pubsub.getTopics();
  const have = new Set(existing.map((topic) => topic.name.split('/').pop()));
  await Promise.all(
    topology.topics.filter((topic) => !have.has(topic)).map((topic) => pubsub.createTopic(topic)),
  );
  for (const subscription of topology.subscriptions) {
    const [exists] = await pubsub.subscription(subscription.name).exists();
    if (exists) continue;
    await pubsub.topic(subscription.topic).createSubscription(subscription.name, {
      ackDeadlineSeconds: subscription.ackDeadlineSeconds,
      retryPolicy: {
        minimumBackoff: { seconds: subscription.minBackoffSeconds },
        maximumBackoff: { seconds: subscription.maxBackoffSeconds },
      },
      ...(subscription.deadLetterTopic
        ? {
            deadLetterPolicy: {
              deadLetterTopic: `projects/${pubsub.projectId}/topics/${subscription.deadLetterTopic}`,
              maxDeliveryAttempts: subscription.maxDeliveryAttempts,
            },
          }
        : {}),
    });
  }
}

/** Listens on a port the OS picks (no window for another process to take it first). */
function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (typeof address === 'object' && address) resolve(`http://127.0.0.1:${address.port}`);
      else reject(new Error('server has no port'));
    });
  });
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const { clock, dataDir } = options;
  const projectId = options.projectId ?? 'demo-shotclock';
  await mkdir(dataDir, { recursive: true });
  const emulators = options.emulatorHosts ? undefined : await startEmulators({ logDir: dataDir });
  const hosts = options.emulatorHosts ?? emulators!.hosts;
  const stopEmulators = async () => emulators?.stop();
  // The SDKs switch to emulator mode (no credentials, no metadata server) on these variables.
  process.env.FIRESTORE_EMULATOR_HOST = hosts.firestore;
  process.env.PUBSUB_EMULATOR_HOST = hosts.pubsub;
  // Locally there is no GCE metadata server to find; asking for one would leave loopback.
  process.env.METADATA_SERVER_DETECTION = 'none';
  // No tracer is registered locally; Firestore's default-on tracing only costs CPU per call
  // (about a fifth of the client's time per list/get/transaction, measured on the emulator).
  process.env.FIRESTORE_ENABLE_TRACING ??= 'off';
  const services = await startLocalServices(clock);
  const stopServices = () => services.close();
  const config = onLocalServices(options.config, services);
  try {
    const firestore = new Firestore({ projectId, host: hosts.firestore, ssl: false });
    const pubsub = new PubSub({ projectId, apiEndpoint: hosts.pubsub, emulatorMode: true });
    const warehouse = await DuckDbWarehouse.open(
      join(dataDir, 'warehouse.duckdb'),
      warehouseTablesOf(config),
    );
    const logger = createLogger({}, pino.destination({ dest: join(dataDir, 'functions.log'), sync: true }));
    const recorder = new Recorder();
    const faults = options.faults ?? new FaultPlan();
    const rawBus = new PubSubBus(pubsub);
    const bus = recordingBus(rawBus, clock, recorder, faults);
    const topology = buildTopology(config, projectId);
    const state = faultyStateStore(
      namedCollections(new FirestoreStateStore(firestore), config.collections),
      clock,
      faults,
    );
    const backends: Backends = {
      config,
      projectId,
      clock,
      logger,
      state,
      bus,
      topology: rawBus,
      warehouse,
      objects: recordingObjectStore(
        new FolderObjectStore(join(dataDir, 'gcs'), () => clock.now()),
        clock,
        recorder,
      ),
      // Deduplicated in Firestore like production; no Slack locally: the alerts topic and the log.
      alerts: alertSinkFor({ config, state, bus, clock, logger }),
      // Unsigned local ID tokens: the stand-ins check their audience like Cloud Run's invoker check.
      http: recordingHttpCaller(localHttpCaller(), clock, recorder),
    };
    const servers: Server[] = [];
    const urls: Record<string, string> = {};
    const provide = async () => backends;
    for (const fn of topology.functions) {
      const factory = LOCAL_FUNCTIONS[fn.target];
      if (!factory) continue;
      const built = await factory(provide);
      if (built.kind === 'event') {
        const handler = built.handler as (event: unknown) => Promise<void>;
        functionsFramework.cloudEvent(fn.target, async (event: functionsFramework.CloudEvent<unknown>) => {
          if (faults.takeCrash(fn.name)) {
            const crash = new Error(`${fn.name} crashed (injected fault)`);
            crash.stack = crash.message; // the framework prints the stack; this one has nothing to show
            throw crash;
          }
          try {
            await handler(event);
          } catch (error) {
            // The framework prints the stack of what a function throws: one line unless asked for more.
            if (!options.errorStacks && error instanceof Error)
              error.stack = `${fn.name}: ${error.message.split('\n')[0]}`;
            throw error;
          }
        });
      } else {
        functionsFramework.http(fn.target, (request, response) => {
          if (faults.takeCrash(fn.name)) {
            response.status(500).send('crashed (injected fault)');
            return;
          }
          return built.handler(request, response);
        });
      }
      const server = getTestServer(fn.target);
      servers.push(server);
      urls[fn.name] = await listen(server);
    }
    await createTopology(pubsub, topology);
    const pipelineBus = recordingBus(rawBus, clock, recorder);
    const dispatcher = new Dispatcher(
      pubsub,
      projectId,
      // Only functions this checkout serves; a subscription to one that is not built keeps its messages.
      topology.subscriptions.filter((subscription) => !subscription.pushTo || urls[subscription.pushTo]),
      (name) => urls[name]!,
      clock,
      // Dead-lettered bytes, recorded like any other publish (JSON when they are JSON).
      async (topic, data, attributes) => {
        let decoded: unknown;
        try {
          decoded = JSON.parse(data.toString('utf8'));
        } catch {
          decoded = { data_base64: data.toString('base64') };
        }
        await pipelineBus.publish({ topic, data: decoded, attributes });
      },
    );
    return {
      projectId,
      topology,
      backends,
      pipeline: { bus: pipelineBus, warehouse },
      dispatcher,
      pubsub,
      firestore,
      recorder,
      faults,
      urls,
      services,
      ...(emulators ? { emulators } : {}),
      stop: async () => {
        await dispatcher.close();
        await Promise.all(
          servers.map((server) => {
            server.closeAllConnections();
            return new Promise((resolve) => server.close(resolve));
          }),
        );
        await pubsub.close();
        await firestore.terminate();
        warehouse.close();
        await stopServices();
        await stopEmulators();
      },
    };
  } catch (error) {
    await stopServices();
    await stopEmulators();
    throw error;
  }
}
