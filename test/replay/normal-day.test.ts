import { describe, expect, it } from 'vitest';
import { loadPipelineConfig } from '../../shared/config/load.js';
import { verdictLine } from '../../scripts/replay/verdict.js';
import { etClock, onTopic, replay } from './support.js';

/** Two evenings, a game night and the morning after (40.5 simulated hours): the longest replay in the suite. */
const REPLAY_TIMEOUT_MS = 900_000;

const PHASE3_TABLES = [
  'player_game_summary',
  'team_defense_game_summary',
  'team_offense_game_summary',
  'upcoming_player_game_context',
  'upcoming_team_game_context',
];

interface Phase4Trigger {
  source_table: string;
  game_date: string;
  analysis_date: string;
  correlation_id: string;
  trigger_source: string;
  mode: string;
  trigger_reason: string;
  success: boolean;
}

/**
 * The starter scenario (test/scenarios/normal-day.json): a healthy day as the incumbent's publishers emit it.
 * What a user sees in the report: nothing to worry about, Phase 4 once per date with all five tables, and
 * predictions started once per date through the coordinator's own /start.
 */
describe('a normal game day (test/scenarios/normal-day.json)', () => {
  it(
    'is silent, triggers Phase 4 once per date with the five tables, starts predictions once per date through /start',
    async () => {
      const report = await replay('normal-day.json');

      // Silent: not one notice of WARNING or above, nothing dead-lettered, no re-run asked for.
      const loud = report.alerts.filter((alert) => !['DEBUG', 'INFO', 'NOTICE'].includes(alert.severity));
      expect(loud).toEqual([]);
      expect(report.errors).toEqual([]);
      expect(report.retries).toEqual([]);

      // Phase 4: for each date, once, on the evening before (tomorrow mode), one message per Phase 3 table as the
      // incumbent's phase3_to_phase4 trigger_phase4 sends them; the overnight summaries of Thursday re-trigger nothing.
      const phase4 = onTopic(report, 'nba-phase4-trigger').map((record) => ({
        at: record.at,
        ...(record.data as Phase4Trigger),
      }));
      for (const [date, evening] of [
        ['2026-02-19', '2026-02-18'],
        ['2026-02-20', '2026-02-19'],
      ] as const) {
        const sent = phase4.filter((trigger) => trigger.game_date === date);
        expect(sent.map((trigger) => trigger.source_table).sort()).toEqual(PHASE3_TABLES);
        expect(new Set(sent.map((trigger) => trigger.at))).toHaveLength(1);
        expect(sent[0]!.at.slice(0, 10)).toBe(evening);
        expect(etClock(sent[0]!.at)).toBe('17:02');
        for (const trigger of sent)
          expect(trigger).toMatchObject({
            analysis_date: date,
            success: true,
            trigger_source: 'orchestrator',
            mode: 'tomorrow',
            trigger_reason: 'all_complete',
            quality: { degraded: false, missing: [] },
          });
        // The precompute service stamps its completions with the trigger's correlation id: the chain holds.
        const precompute = onTopic(report, 'nba-phase4-precompute-complete').filter(
          (record) => (record.data as { game_date: string }).game_date === date,
        );
        expect(precompute.length).toBeGreaterThanOrEqual(5);
        for (const record of precompute)
          expect((record.data as { correlation_id: string }).correlation_id).toBe(sent[0]!.correlation_id);
      }
      expect(phase4).toHaveLength(10);

      // Predictions: the gate opens once per date as soon as Phase 4 is done, and the coordinator's /start is
      // called once per date with the incumbent's body; nothing else is called.
      expect(report.gates.map((gate) => [gate.game_date, gate.status, etClock(gate.at)])).toEqual([
        ['2026-02-19', 'OPEN', '17:14'],
        ['2026-02-20', 'OPEN', '17:14'],
      ]);
      const triggers = onTopic(report, 'nba-predictions-trigger');
      expect(
        report.calls.map((call) => [
          call.at.slice(0, 10),
          call.target,
          call.method,
          new URL(call.url).pathname,
          call.status,
        ]),
      ).toEqual([
        ['2026-02-18', 'prediction_coordinator', 'POST', '/start', 202],
        ['2026-02-19', 'prediction_coordinator', 'POST', '/start', 202],
      ]);
      expect(report.calls.map((call) => call.body)).toEqual(
        ['2026-02-19', '2026-02-20'].map((date, i) => ({
          game_date: date,
          correlation_id: (triggers[i]!.data as { correlation_id: string }).correlation_id,
          trigger_source: 'freshness_gate',
        })),
      );
      expect(report.calls[0]!.body).toMatchObject({
        correlation_id: phase4.find((trigger) => trigger.game_date === '2026-02-19')!.correlation_id,
      });

      // The replay's last line says so, naming both starts.
      const config = loadPipelineConfig({});
      expect(
        verdictLine(report, config.project.time_zone, {
          predictions: config.freshness_gate.output_topic,
          transitions: config.transitions.flatMap((transition) => transition.output?.topic ?? []),
        }),
      ).toMatch(
        /^verdict: nothing went wrong\. .*predictions started Wed 17:14 EST for 2026-02-19, Thu 17:14 EST for 2026-02-20\. no alerts$/,
      );

      // Every processor the incumbent published is one shotclock knows: nothing reported as unknown.
      const documents = Object.values(report.state.phase2_completion ?? {}).concat(
        Object.values(report.state.phase3_completion ?? {}),
        Object.values(report.state.phase4_completion ?? {}),
      ) as Array<Record<string, unknown>>;
      expect(documents.filter((document) => document._unknown_processors)).toEqual([]);
      // Thursday, summarised overnight: all five Phase 3 processors in, the incumbent's mode, still triggered once.
      expect(report.state.phase3_completion?.['2026-02-19']).toMatchObject({
        _completed_count: 5,
        _mode: 'overnight',
        _triggered: true,
        _trigger_reason: 'all_complete',
      });
    },
    REPLAY_TIMEOUT_MS,
  );
});
