import { describe, expect, it } from 'vitest';
import { etClock, onTopic, replay } from './support.js';

/** A whole simulated day through the emulators takes one to two minutes on two cores. */
const REPLAY_TIMEOUT_MS = 300_000;

describe('replays through the emulators on a simulated clock', () => {
  it(
    'faults: two refused publishes, two crashes and a 10-minute Firestore outage still give one Phase 4 trigger per source table',
    async () => {
      const report = await replay('faults-phase3.json');
      const triggers = onTopic(report, 'nba-phase4-trigger');
      expect(triggers.map((record) => (record.data as { source_table: string }).source_table).sort()).toEqual(
        [
          'player_game_summary',
          'team_defense_game_summary',
          'team_offense_game_summary',
          'upcoming_player_game_context',
          'upcoming_team_game_context',
        ],
      );
      for (const trigger of triggers) {
        expect(trigger.data).toMatchObject({
          game_date: '2026-01-18',
          analysis_date: '2026-01-18',
          success: true,
        });
        // Not before the outage is over: the completions during it were redelivered, not lost.
        expect(trigger.at >= '2026-01-17T22:22:00.000Z').toBe(true);
      }
      // The impossible date is dead-lettered with its reason by both functions that read the topic; nothing else is.
      const refused = report.errors.filter((error) => error.kind === 'dead-letter');
      expect(refused.map((error) => error.detail)).toEqual([
        expect.stringContaining('game_date: not a calendar date'),
        expect.stringContaining('game_date: not a calendar date'),
      ]);
      // The crashes and the outage were answered with redeliveries, and each subscription stopped short of its limit.
      const failedDeliveries = report.errors.filter((error) => error.kind === 'delivery');
      expect(failedDeliveries.length).toBeGreaterThan(2);
      expect(Math.max(...failedDeliveries.map((error) => Number(error.attempt)))).toBeLessThan(5);
      // The unknown processor never counted: the trigger says which five were in.
      expect(triggers[0]!.data).toMatchObject({
        quality: { completed: expect.not.arrayContaining(['not_a_real']) },
      });
    },
    REPLAY_TIMEOUT_MS,
  );

  it(
    'freshness gate on 2026-01-17: blocked at 17:45 on 1 of 156 rows, open on the 18:20 tick, predictions triggered once',
    async () => {
      const report = await replay('freshness-gate-2026-01-17.json');
      const decisions = report.gates.map((gate) => [etClock(gate.at), gate.game_date, gate.status]);
      expect(decisions).toEqual([
        ['17:45', '2026-01-18', 'BLOCKED'],
        ['18:20', '2026-01-18', 'OPEN'],
      ]);
      const triggers = onTopic(report, 'nba-predictions-trigger');
      expect(triggers).toHaveLength(1);
      expect(etClock(triggers[0]!.at)).toBe('18:20');
      expect(triggers[0]!.data).toMatchObject({ game_date: '2026-01-18', gate_decision: 'OPEN' });
      expect(report.alerts.filter((alert) => alert.rule === 'gate_blocked_at_cutoff')).toEqual([]);
    },
    REPLAY_TIMEOUT_MS,
  );
});

describe('the record-count checker in a replay', () => {
  it(
    '2026-01-17: 1 of 156 rows at 17:00 gets one re-run request on the 17:30 tick, and the 156 that follow cancel the rest',
    async () => {
      const report = await replay('record-count-2026-01-17.json');
      expect(
        report.retries.map((retry) => [
          etClock(retry.at),
          retry.processor_name,
          retry.attempt,
          retry.observed_count,
        ]),
      ).toEqual([['17:30', 'upcoming_player_game_context', 1, 1]]);
      expect(report.retries[0]).toMatchObject({
        expected_count: 156,
        max_attempts: 3,
        game_date: '2026-01-17',
      });
      expect(
        report.alerts.filter(
          (alert) => alert.rule.startsWith('retry') || alert.rule.startsWith('record_count'),
        ),
      ).toEqual([]);
      const check = report.state.record_count_checks?.['upcoming_player_game_context__2026-01-17'] as {
        status: string;
        retry: { state: string };
      };
      expect(check.status).toBe('met');
      expect(check.retry.state).toBe('cancelled');
    },
    REPLAY_TIMEOUT_MS,
  );
});

describe('the phase transition in a replay', () => {
  it(
    '2026-01-18 Phase 3 picture: Phase 4 fires once per Phase 3 table at 17:35, degraded, when the tomorrow-mode grace for the optional team context runs out, and the deadline alert names the missing processor',
    async () => {
      const report = await replay('phase3-degraded-2026-01-18.json', '2026-01-17T22:00:00-05:00');
      const triggers = onTopic(report, 'nba-phase4-trigger');
      // tomorrow mode: only upcoming_player_game_context is critical; it is in at 17:01:40 and the 30 min grace
      // for upcoming_team_game_context ends at 17:31:40, so the 17:35 tick fires, one message per Phase 3 table.
      expect(
        triggers
          .map((record) => [etClock(record.at), (record.data as { source_table: string }).source_table])
          .sort(),
      ).toEqual([
        ['17:35', 'player_game_summary'],
        ['17:35', 'team_defense_game_summary'],
        ['17:35', 'team_offense_game_summary'],
        ['17:35', 'upcoming_player_game_context'],
        ['17:35', 'upcoming_team_game_context'],
      ]);
      for (const trigger of triggers)
        expect(trigger.data).toMatchObject({
          mode: 'tomorrow',
          trigger_reason: 'grace_period_expired',
          quality: {
            degraded: true,
            completed: ['upcoming_player_game_context'],
            missing: ['upcoming_team_game_context'],
            missing_critical: [],
          },
        });
      // nothing critical is missing, so no critical_processor_missing; at the 4 h deadline the low completion
      // is one grouped notice naming the processor that never arrived
      expect(report.alerts.filter((alert) => alert.rule === 'critical_processor_missing')).toEqual([]);
      expect(report.alerts).toHaveLength(1);
      const [notice] = report.alerts as Array<{
        at: string;
        rule: string;
        message: string;
        conditions: Array<{ key: string }>;
      }>;
      expect(notice!.rule).toBe('phase_completion_low');
      expect(notice!.conditions.map((condition) => condition.key)).toEqual([
        'phase_completion_low:phase3:2026-01-18',
      ]);
      expect(notice!.message).toContain('missing: upcoming_team_game_context');
      expect(etClock(notice!.at)).toBe('21:10');
    },
    REPLAY_TIMEOUT_MS,
  );
});

describe('alerts people trust in a replay', () => {
  it(
    'Phase 2 stuck on 2026-01-20: one grouped notice within 30 min, at most one reminder in the next 4 h, one resolved notice when the processors complete',
    async () => {
      const report = await replay('phase2-stuck-2026-01-20.json');
      const notices = report.alerts as Array<{
        at: string;
        notice: string;
        conditions: Array<{ key: string }>;
      }>;
      const [first] = notices;
      // The watch horizon is 30 min after the first Phase 2 completion (06:00): 06:30.
      expect(first?.notice).toBe('opened');
      expect(etClock(first!.at) >= '06:30' && etClock(first!.at) <= '07:00').toBe(true);
      // One message for the date, listing every open condition of it.
      expect(first!.conditions.map((condition) => condition.key)).toEqual(
        expect.arrayContaining(['phase_completion_low:phase2:2026-01-20']),
      );
      expect(new Set(notices.map((notice) => notice.conditions.length > 0))).toEqual(new Set([true]));
      const fourHoursOn = Date.parse(first!.at) + 4 * 3_600_000;
      const next = notices.slice(1).filter((notice) => Date.parse(notice.at) <= fourHoursOn);
      expect(next.length).toBeLessThanOrEqual(1);
      for (const notice of next) expect(notice.notice).toBe('reminder');
      // The last two processors complete at 14:00 and 14:02: one resolved notice on the next ticks.
      expect(report.resolved).toHaveLength(1);
      expect(etClock(report.resolved[0]!.at) >= '14:02' && etClock(report.resolved[0]!.at) <= '14:30').toBe(
        true,
      );
      expect(report.resolved[0]!.conditions.map((condition) => condition.key)).toContain(
        'phase_completion_low:phase2:2026-01-20',
      );
      // Nothing after it: the day is quiet again.
      expect(notices.filter((notice) => notice.at > report.resolved[0]!.at)).toEqual([]);
    },
    REPLAY_TIMEOUT_MS,
  );
});
