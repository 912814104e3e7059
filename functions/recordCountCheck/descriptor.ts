import { tablesTouchedBy } from '../../infra/bigquery.js';
import type { FunctionDescriptor } from '../../shared/probe/function-descriptor.js';
import { countRowsSql } from './warehouse-counts.js';

export const descriptor: FunctionDescriptor = {
  name: 'recordCountCheck',
  targets: [{ target: 'recordCountCheck', signature: 'cloudevent' }],
  touches: (config, today) => ({
    // checks, breakers, history and the outbox
    state: true,
    topics: [config.record_count.rerun_topic, config.topics.alerts, config.topics.dead_letter],
    // compared with their declarations: a column gone or retyped is red
    tables: tablesTouchedBy('recordCountCheck', config),
    // the count of every processor it checks, on its configured table and date column
    queries: config.phases
      .filter((phase) => config.record_count.phases.includes(phase.id))
      .flatMap((phase) => phase.processors)
      .flatMap((processor) =>
        processor.table
          ? [
              {
                name: `record-count:${processor.name}`,
                sql: countRowsSql(processor.table, processor.date_column),
                params: { game_date: today },
              },
            ]
          : [],
      ),
  }),
};
