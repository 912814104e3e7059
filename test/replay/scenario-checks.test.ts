import { describe, expect, it } from 'vitest';
import { checkScenario, ScenarioError } from '../../scripts/replay/scenario.js';

const problemsOf = (input: unknown): string[] => {
  try {
    checkScenario(input, 'bad.json');
  } catch (error) {
    if (error instanceof ScenarioError) return error.problems;
    throw error;
  }
  return [];
};

describe('a bad scenario fails before anything runs, with the path of each problem', () => {
  const base = { name: 'x', start: '2026-01-17T12:00:00-05:00', end: '2026-01-18T09:00:00-05:00' };

  it('names an unknown topic, an unparsable time, an event outside [start, end], an unknown table and function', () => {
    const problems = problemsOf({
      ...base,
      events: [
        { at: '2026-01-17T13:00:00-05:00', publish: { topic: 'nba-phase9-complete', data: {} } },
        { at: 'yesterday at five', insert: { table: 'nba_raw.nbac_schedule', rows: [] } },
      ],
    });
    expect(problems).toEqual(['events.1.at: expected an ISO 8601 time with offset']);

    expect(
      problemsOf({
        ...base,
        warehouse: { 'nba_raw.no_such_table': [] },
        events: [
          { at: '2026-01-17T13:00:00-05:00', publish: { topic: 'nba-phase9-complete', data: {} } },
          { at: '2026-01-19T13:00:00-05:00', insert: { table: 'nba_raw.nbac_schedule', rows: [] } },
          {
            at: '2026-01-17T14:00:00-05:00',
            fault: { kind: 'function-crashes', function: 'predictor', times: 1 },
          },
        ],
      }),
    ).toEqual([
      'warehouse.nba_raw.no_such_table: unknown table',
      'events.0.publish.topic: unknown topic nba-phase9-complete',
      'events.1.at: 2026-01-19T13:00:00-05:00 is outside [start, end]',
      expect.stringMatching(
        /^events\.2\.fault\.function: unknown function predictor \(known: .*phase-transition/,
      ),
    ]);
  });

  it('refuses an event that is two things at once, and a bad config override by its path', () => {
    expect(
      problemsOf({
        ...base,
        config: { freshness_gate: { cutoff_local_time: '25:00' } },
      }),
    ).toEqual(['config.freshness_gate.cutoff_local_time: expected HH:MM (24 h)']);
    expect(
      problemsOf({
        ...base,
        events: [
          {
            at: '2026-01-17T13:00:00-05:00',
            publish: { topic: 'shotclock-tick', data: {} },
            insert: { table: 'nba_raw.nbac_schedule', rows: [] },
          },
        ],
      }),
    ).toEqual(['events.0: each event is exactly one of publish, insert, fault']);
  });
});
