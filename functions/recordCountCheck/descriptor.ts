import { tablesTouchedBy } from '../../infra/bigquery.js';
import { DEFAULT_PIPELINE } from '../../shared/config/default-pipeline.js';
import type { FunctionDescriptor } from '../../shared/probe/function-descriptor.js';
import { countRowsSql } from './warehouse-counts.js';

export const descriptor: FunctionDescriptor = {
  name: 'recordCountCheck',
  targets: [{ target: 'recordCountCheck', signature: 'cloudevent' }],
  touches: {
    // checks, breakers, history and the outbox
    state: true,
    topics: [
      DEFAULT_PIPELINE.record_count.rerun_topic,
      DEFAULT_PIPELINE.topics.alerts,
      DEFAULT_PIPELINE.topics.dead_letter,
    ],
    // compared with their declarations: a column gone or retyped is red
    tables: tablesTouchedBy('recordCountCheck'),
    queries: [
      {
        name: 'record-count',
        sql: countRowsSql('nba_analytics.upcoming_player_game_context', 'game_date'),
        params: { game_date: '2026-01-17' },
      },
    ],
  },
};
