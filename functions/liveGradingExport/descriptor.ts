import { tablesTouchedBy } from '../../infra/bigquery.js';
import { DEFAULT_PIPELINE } from '../../shared/config/default-pipeline.js';
import type { FunctionDescriptor } from '../../shared/probe/function-descriptor.js';
import {
  BASELINE_QUERY,
  baselineParameters,
  gradingQuery,
  saveGradingParameters,
  saveGradingStatement,
} from '../../shared/queries/grading.js';

const queryConfig = {
  schedule_table: DEFAULT_PIPELINE.schedule_table,
  grading: { placeholder_line: DEFAULT_PIPELINE.grading.placeholder_line },
};
const range = { from_date: '2026-01-18', to_date: '2026-01-18', placeholder_line: 20 };

export const descriptor: FunctionDescriptor = {
  name: 'liveGradingExport',
  targets: [
    { target: 'liveGradingExport', signature: 'cloudevent' },
    { target: 'liveGradingExportHttp', signature: 'http' },
  ],
  touches: {
    topics: [DEFAULT_PIPELINE.topics.alerts, DEFAULT_PIPELINE.topics.dead_letter],
    // compared with their declarations: a column gone or retyped is red
    tables: tablesTouchedBy('liveGradingExport'),
    queries: [
      { name: 'grading', sql: gradingQuery(queryConfig), params: range },
      {
        name: 'save-grading',
        sql: saveGradingStatement(queryConfig),
        params: saveGradingParameters(
          queryConfig,
          '2026-01-18',
          '2026-01-18',
          new Date('2026-01-19T12:30:00Z'),
        ),
      },
      { name: 'baseline', sql: BASELINE_QUERY, params: baselineParameters('2026-01-04', '2026-01-17') },
    ],
    buckets: [DEFAULT_PIPELINE.grading.bucket],
  },
};
