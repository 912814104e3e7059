import { tablesTouchedBy } from '../../infra/bigquery.js';
import type { FunctionDescriptor } from '../../shared/probe/function-descriptor.js';
import { PREDICTION_VOLUME_SQL } from './queries.js';

export const descriptor: FunctionDescriptor = {
  name: 'alertMonitor',
  targets: [{ target: 'alertMonitor', signature: 'cloudevent' }],
  touches: (config, today) => ({
    // alert state and pending deliveries
    state: true,
    // compared with their declarations: a column gone or retyped is red
    tables: tablesTouchedBy('alertMonitor', config),
    queries: [{ name: 'prediction-volume', sql: PREDICTION_VOLUME_SQL, params: { game_date: today } }],
  }),
};
