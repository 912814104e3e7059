import { tablesTouchedBy } from '../../infra/bigquery.js';
import { DateTime } from 'luxon';
import type { FunctionDescriptor } from '../../shared/probe/function-descriptor.js';
import {
  baselineQuery,
  baselineParameters,
  gradingQuery,
  saveGradingParameters,
  saveGradingStatement,
} from '../../shared/queries/grading.js';

export const descriptor: FunctionDescriptor = {
  name: 'liveGradingExport',
  targets: [
    { target: 'liveGradingExport', signature: 'cloudevent' },
    { target: 'liveGradingExportHttp', signature: 'http' },
  ],
  touches: (config, today) => {
    const baselineFrom = DateTime.fromISO(today).minus({ days: config.grading.baseline_days }).toISODate()!;
    const yesterday = DateTime.fromISO(today).minus({ days: 1 }).toISODate()!;
    return {
      topics: [config.topics.alerts, config.topics.dead_letter],
      // compared with their declarations: a column gone or retyped is red
      tables: tablesTouchedBy('liveGradingExport', config),
      queries: [
        {
          name: 'grading',
          sql: gradingQuery(config),
          params: { from_date: today, to_date: today, placeholder_line: config.grading.placeholder_line },
        },
        {
          name: 'save-grading',
          sql: saveGradingStatement(config),
          params: saveGradingParameters(config, today, today, new Date()),
        },
        { name: 'baseline', sql: baselineQuery(config), params: baselineParameters(baselineFrom, yesterday) },
      ],
      buckets: [config.grading.bucket],
    };
  },
};
