import type { PipelineConfig } from '../config/schema.js';
import type { Logger } from '../logging/logger.js';
import type { AlertSink } from '../ports/alert-sink.port.js';
import type { Bus, BusTopology } from '../ports/bus.port.js';
import type { Clock } from '../ports/clock.port.js';
import type { HttpCaller } from '../ports/http-call.port.js';
import type { ObjectStore } from '../ports/object-store.port.js';
import type { StateStore } from '../ports/state-store.port.js';
import type { Warehouse } from '../ports/warehouse.port.js';

/**
 * Everything a function may be handed. Each function's `make...Handler(deps)`
 * takes the subset it uses; `functions/<name>/wiring.ts` builds the production
 * one, the local stack and tests build theirs from emulators and DuckDB.
 */
export interface Backends {
  config: PipelineConfig;
  projectId: string;
  clock: Clock;
  logger: Logger;
  state: StateStore;
  bus: Bus;
  topology: BusTopology;
  warehouse: Warehouse;
  objects: ObjectStore;
  alerts: AlertSink;
  /** calls to the pipeline's HTTP services (prediction coordinator, analytics service), with ID tokens */
  http: HttpCaller;
}
