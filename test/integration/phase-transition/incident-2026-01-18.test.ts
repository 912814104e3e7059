import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../shared/messages/alert.js';
import { Phase4Trigger } from '../../../shared/messages/phase4-trigger.js';
import { TOPIC, transitionHarness } from './harness.js';

const UPGC = 'upcoming_player_game_context';
const UTGC = 'upcoming_team_game_context';

describe('phaseTransition: the 2026-01-18 Phase 3 picture', () => {
  it('fires Phase 4 once, degraded, 4 hours after the first completion, and alerts on the missing critical processor', async () => {
    const h = await transitionHarness({
      start: '2026-01-17T22:00:00Z',
      games: { '2026-01-18': 6 },
      subscribe: [TOPIC.phase4Trigger, TOPIC.alerts],
    });
    const complete = async (processor: string, executionId: string) => {
      const result = await h.deliver(
        h.completion(TOPIC.phase3, {
          processor_name: processor,
          game_date: '2026-01-18',
          execution_id: executionId,
          correlation_id: 'corr-0117',
        }),
      );
      expect(result.error).toBeUndefined();
    };
    h.clock.set('2026-01-17T22:01:40Z');
    await complete('AsyncUpcomingPlayerGameContextProcessor', 'upgc-1');
    await h.tickUntil('2026-01-17T23:05:00Z');
    await complete('TeamOffenseGameSummaryProcessor', 'togs-1');
    await h.tickUntil('2026-01-18T01:55:00Z');
    expect(h.bus.on(TOPIC.phase4Trigger)).toEqual([]);
    // 4 h after 22:01:40 is 02:01:40; the 02:05 tick fires it
    await h.tickUntil('2026-01-18T04:00:00Z');

    const triggers = (await h.subscriptions[TOPIC.phase4Trigger]!.drain()).map(
      (m) => m.data as Phase4Trigger,
    );
    expect(triggers.map((trigger) => trigger.source_table).sort()).toEqual([
      'team_offense_game_summary',
      UPGC,
    ]);
    for (const trigger of triggers) {
      // the message schema Phase 4 consumers are promised
      expect(Phase4Trigger.safeParse(trigger).success).toBe(true);
      expect(trigger).toMatchObject({
        game_date: '2026-01-18',
        analysis_date: '2026-01-18',
        trigger_source: 'orchestrator',
        correlation_id: 'corr-0117',
        mode: 'critical_only',
        trigger_reason: 'deadline_reached',
        timestamp: '2026-01-18T02:05:00.000Z',
        quality: {
          degraded: true,
          completed: ['team_offense_game_summary', UPGC],
          missing: ['player_game_summary', 'team_defense_game_summary', UTGC],
          missing_critical: [UTGC],
        },
      });
    }

    const alerts = (await h.subscriptions[TOPIC.alerts]!.drain()).map((m) => m.data as Alert);
    expect(alerts.map((alert) => alert.key).sort()).toEqual([
      `critical_processor_missing:${UTGC}:2026-01-18`,
      'phase_completion_low:phase3:2026-01-18',
    ]);
    const critical = alerts.find((alert) => alert.rule === 'critical_processor_missing')!;
    expect(critical).toMatchObject({
      severity: 'CRITICAL',
      subject: UTGC,
      raised_at: '2026-01-18T02:05:00.000Z',
    });
    expect(critical.message).toContain(UTGC);

    expect(await h.state.get('phase3_completion/2026-01-18')).toMatchObject({
      [UPGC]: { status: 'success', execution_id: 'upgc-1', completed_at: '2026-01-17T22:01:40.000Z' },
      team_offense_game_summary: { status: 'success', execution_id: 'togs-1' },
      _completed_count: 2,
      _mode: 'critical_only',
      _triggered: true,
      _triggered_at: '2026-01-18T02:05:00.000Z',
      _trigger_reason: 'deadline_reached',
      _first_completion_at: '2026-01-17T22:01:40.000Z',
      _open: false,
    });
    await h.close();
  }, 180_000);

  it('a date with no games is skipped: no trigger, no alert, whatever the time', async () => {
    const h = await transitionHarness({
      start: '2026-01-18T22:00:00Z',
      games: { '2026-01-18': 6 },
      subscribe: [TOPIC.phase4Trigger, TOPIC.alerts],
    });
    await h.deliver(h.completion(TOPIC.phase3, { processor_name: UPGC, game_date: '2026-01-19' }));
    await h.tickUntil('2026-01-19T03:00:00Z');
    expect(await h.subscriptions[TOPIC.phase4Trigger]!.drain()).toEqual([]);
    expect(await h.subscriptions[TOPIC.alerts]!.drain()).toEqual([]);
    expect(await h.state.get('phase3_completion/2026-01-19')).toMatchObject({
      _decision: { kind: 'skip', reason: 'no_games_scheduled' },
      _triggered: false,
      _open: false,
    });
    await h.close();
  }, 120_000);

  it('Phase 2 -> 3 watch: 30 minutes after the first completion, one alert per missing required processor', async () => {
    const h = await transitionHarness({
      start: '2026-01-17T15:00:00Z',
      games: { '2026-01-17': 6 },
      subscribe: [TOPIC.alerts],
    });
    for (const processor of ['nbac_schedule', 'NbacGamebookPlayerStatsProcessor', 'bdl_player_boxscores'])
      await h.deliver(h.completion(TOPIC.phase2, { processor_name: processor, game_date: '2026-01-17' }));
    await h.tickUntil('2026-01-17T16:30:00Z');
    const alerts = (await h.subscriptions[TOPIC.alerts]!.drain()).map((m) => m.data as Alert);
    expect(alerts.map((alert) => alert.key).sort()).toEqual([
      'phase_completion_low:phase2:2026-01-17',
      'processor_missing:odds_api_game_lines:2026-01-17',
    ]);
    expect(alerts.every((alert) => alert.raised_at === '2026-01-17T15:30:00.000Z')).toBe(true);
    await h.close();
  }, 120_000);
});
