import { tablesTouchedBy } from '../../infra/bigquery.js';
import type { FunctionDescriptor } from '../../shared/probe/function-descriptor.js';
import { predictionVolumeSql } from './queries.js';

export const descriptor: FunctionDescriptor = {
  name: 'alertMonitor',
  targets: [{ target: 'alertMonitor', signature: 'cloudevent' }],
  touches: (config, today) => ({
    // alert state and pending deliveries
    state: true,
    // compared with their declarations: a column gone or retyped is red
    tables: tablesTouchedBy('alertMonitor', config),
    queries: [
      {
        name: 'prediction-volume',
        sql: predictionVolumeSql(config.grading.tables.predictions),
        params: { game_date: today },
      },
    ],
  }),
};
