import type { FunctionDescriptor } from '../../shared/probe/function-descriptor.js';

export const descriptor: FunctionDescriptor = {
  name: 'phaseTransition',
  targets: [{ target: 'phaseTransition', signature: 'cloudevent' }],
  touches: (config, today) => ({
    // per-date completion state and the outbox
    state: true,
    topics: [
      ...config.transitions.flatMap((transition) => (transition.output ? [transition.output.topic] : [])),
      config.topics.alerts,
      config.topics.dead_letter,
    ],
    queries: [
      {
        name: 'scheduled-games',
        sql: `SELECT COUNT(*) AS games FROM ${config.schedule_table} WHERE game_date = CAST(@game_date AS DATE)`,
        params: { game_date: today },
      },
    ],
  }),
};
