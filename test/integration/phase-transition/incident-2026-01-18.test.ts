import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../shared/messages/alert.js';
import { Phase4Trigger } from '../../../shared/messages/phase4-trigger.js';
import { TOPIC, transitionHarness } from './harness.js';

const UPGC = 'upcoming_player_game_context';
const UTGC = 'upcoming_team_game_context';

describe('phaseTransition: the 2026-01-18 Phase 3 picture', () => {
  it('fires Phase 4 once for tomorrow, degraded, when the grace for the team context runs out, and alerts on the low completion at the deadline', async () => {
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
    await h.tickUntil('2026-01-18T04:00:00Z');

    // tomorrow mode: the player context is the critical set; 30 min of grace from 22:01:40 end at
    // 22:31:40 and the 22:35 tick fires, with one message per Phase 3 table as the incumbent sends
    const triggers = (await h.subscriptions[TOPIC.phase4Trigger]!.drain()).map(
      (m) => m.data as Phase4Trigger,
    );
    expect(triggers.map((trigger) => trigger.source_table).sort()).toEqual([
      'player_game_summary',
      'team_defense_game_summary',
      'team_offense_game_summary',
      UPGC,
      UTGC,
    ]);
    for (const trigger of triggers) {
      // the message schema Phase 4 consumers are promised
      expect(Phase4Trigger.safeParse(trigger).success).toBe(true);
      expect(trigger).toMatchObject({
        game_date: '2026-01-18',
        analysis_date: '2026-01-18',
        trigger_source: 'orchestrator',
        correlation_id: 'corr-0117',
        mode: 'tomorrow',
        trigger_reason: 'grace_period_expired',
        timestamp: '2026-01-17T22:35:00.000Z',
        parent_execution_id: 'upgc-1',
        quality: { degraded: true, completed: [UPGC], missing: [UTGC], missing_critical: [] },
      });
    }

    const alerts = (await h.subscriptions[TOPIC.alerts]!.drain()).map((m) => m.data as Alert);
    expect(alerts.map((alert) => alert.key)).toEqual(['phase_completion_low:phase3:2026-01-18']);
    expect(alerts[0]).toMatchObject({ severity: 'ERROR', raised_at: '2026-01-18T02:05:00.000Z' });
    expect(alerts[0]!.message).toContain(UTGC);

    expect(await h.state.get('phase3_completion/2026-01-18')).toMatchObject({
      [UPGC]: {
        status: 'success',
        execution_id: 'upgc-1',
        completed_at: new Date('2026-01-17T22:01:40.000Z'),
      },
      team_offense_game_summary: { status: 'success', execution_id: 'togs-1' },
      _completed_count: 2,
      _mode: 'tomorrow',
      _triggered: true,
      _triggered_at: new Date('2026-01-17T22:35:00.000Z'),
      _trigger_reason: 'grace_period_expired',
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

  it('Phase 2 -> 3 watch: on the game day the lines are expected 30 minutes after the first completion, by class name', async () => {
    const h = await transitionHarness({
      start: '2026-01-17T15:00:00Z',
      games: { '2026-01-17': 6 },
      subscribe: [TOPIC.alerts],
    });
    for (const [processor, table] of [
      ['NbacScheduleProcessor', 'nba_raw.nbac_schedule'],
      ['OddsApiPropsBatchProcessor', 'nba_raw.odds_api_player_points_props'],
      ['FantasyDraftProcessor', 'nba_raw.fantasy_draft'],
    ])
      await h.deliver(
        h.completion(TOPIC.phase2, {
          processor_name: processor,
          output_table: table,
          game_date: '2026-01-17',
        }),
      );
    await h.tickUntil('2026-01-17T16:30:00Z');
    const alerts = (await h.subscriptions[TOPIC.alerts]!.drain()).map((m) => m.data as Alert);
    expect(alerts.map((alert) => alert.key).sort()).toEqual([
      'phase_completion_low:phase2:2026-01-17',
      'processor_missing:p2_odds_game_lines:2026-01-17',
    ]);
    expect(alerts.every((alert) => alert.raised_at === '2026-01-17T15:30:00.000Z')).toBe(true);
    const document = await h.state.get('phase2_completion/2026-01-17');
    expect(
      Object.keys(document ?? {})
        .filter((key) => !key.startsWith('_'))
        .sort(),
    ).toEqual(['nbac_schedule', 'p2_odds_player_props']);
    expect(document).toMatchObject({
      _mode: 'same_day',
      _completed_count: 2,
      _unknown_processors: { FantasyDraftProcessor: { count: 1, status: 'success' } },
    });
    await h.close();
  }, 120_000);
});
