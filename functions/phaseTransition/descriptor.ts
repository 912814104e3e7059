import { DEFAULT_PIPELINE } from '../../shared/config/default-pipeline.js';
import type { FunctionDescriptor } from '../../shared/probe/function-descriptor.js';

export const descriptor: FunctionDescriptor = {
  name: 'phaseTransition',
  targets: [{ target: 'phaseTransition', signature: 'cloudevent' }],
  touches: {
    // per-date completion state and the outbox
    state: true,
    topics: [
      ...DEFAULT_PIPELINE.transitions.flatMap((transition) =>
        transition.output ? [transition.output.topic] : [],
      ),
      DEFAULT_PIPELINE.topics.alerts,
      DEFAULT_PIPELINE.topics.dead_letter,
    ],
    queries: [
      {
        name: 'scheduled-games',
        sql: `SELECT COUNT(*) AS games FROM ${DEFAULT_PIPELINE.schedule_table} WHERE game_date = CAST(@game_date AS DATE)`,
        params: { game_date: '2026-01-18' },
      },
    ],
  },
};
