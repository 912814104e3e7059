import { Timestamp } from '@google-cloud/firestore';
import { describe, expect, it } from 'vitest';
import { emulatorFirestore } from '../../support/backends.js';
import { TOPIC, transitionHarness } from './harness.js';

/**
 * The documents phaseTransition writes, read back with the raw Firestore
 * client and checked the way the incumbent's own tools read them
 * (najicham/nba-stats-scraper):
 * - `bin/maintenance/reconcile_phase3_completion.py` `reconcile_completion`:
 *   every field not starting with `_` is a completed processor; their count
 *   must equal `_completed_count` (else "COUNT MISMATCH", and `--fix`
 *   rewrites it); `_mode` is read as the mode;
 * - `monitoring/firestore_health_check.py` `check_phase_completion_freshness`:
 *   `_triggered_at.timestamp()`, so a Timestamp (a string raises there);
 * - `orchestration/cloud_functions/transition_monitor/main.py`
 *   `check_phase_transition` / `check_transition_handoff`: `completed_at` of
 *   each processor field and `_triggered_at` are used only when they have
 *   `.timestamp` (a Timestamp); anything else is skipped;
 * - `monitoring/stall_detection/main.py` `get_first_completion_time` and
 *   `monitoring/pipeline_latency_tracker.py` `_get_earliest_completion`:
 *   `completed_at` with `.timestamp()`, `_triggered_at` likewise.
 */
const MODES = ['overnight', 'same_day', 'tomorrow'];

function asIncumbentToolsRead(document: Record<string, unknown>) {
  const processorFields = Object.keys(document).filter((key) => !key.startsWith('_'));
  return {
    processorFields: processorFields.sort(),
    countMatches: document._completed_count === processorFields.length,
    everyCompletedAtIsTimestamp: processorFields.every(
      (key) => (document[key] as { completed_at?: unknown }).completed_at instanceof Timestamp,
    ),
    triggeredAtIsTimestamp: document._triggered_at instanceof Timestamp,
    modeIsIncumbents: MODES.includes(document._mode as string),
  };
}

describe('phaseTransition documents, as the incumbent tools read them (Firestore emulator)', () => {
  it('a normal date from the evening before to the morning after: Timestamps, a true count, the incumbent modes, failed and unknown runs apart', async () => {
    const h = await transitionHarness({
      start: '2026-01-17T22:00:00Z',
      games: { '2026-01-18': 6 },
      subscribe: [TOPIC.phase4Trigger, TOPIC.alerts],
    });
    const complete = (processor: string, status = 'success', extra: Record<string, unknown> = {}) =>
      h.deliver(
        h.completion(TOPIC.phase3, {
          processor_name: processor,
          game_date: '2026-01-18',
          status,
          execution_id: `${processor}-${status}`,
          ...extra,
        }),
      );
    // 17:02 ET the day before: the upcoming contexts (tomorrow mode), a failed re-run, an unknown name
    h.clock.set('2026-01-17T22:02:00Z');
    await complete('AsyncUpcomingPlayerGameContextProcessor');
    await complete('UpcomingTeamGameContextProcessor');
    await complete('PlayerGameSummaryProcessor', 'failed', { error_message: 'no box scores yet' });
    await complete('DefenseZoneAnalyticsProcessor', 'success', { output_table: 'defense_zone_analytics' });
    const evening = (await emulatorFirestore(h.projectId).doc('phase3_completion/2026-01-18').get()).data()!;
    expect(asIncumbentToolsRead(evening)).toEqual({
      processorFields: ['upcoming_player_game_context', 'upcoming_team_game_context'],
      countMatches: true,
      everyCompletedAtIsTimestamp: true,
      triggeredAtIsTimestamp: true,
      modeIsIncumbents: true,
    });
    expect(evening._mode).toBe('tomorrow');
    expect(evening._completed_count).toBe(2);
    expect((evening._triggered_at as Timestamp).toDate().toISOString()).toBe('2026-01-17T22:02:00.000Z');
    expect(evening._failed_runs).toMatchObject({
      player_game_summary: { status: 'failed', error_message: 'no box scores yet', count: 1 },
    });
    expect(
      (evening._failed_runs as Record<string, { last_seen_at: unknown }>).player_game_summary!.last_seen_at,
    ).toBeInstanceOf(Timestamp);
    expect(evening._unknown_processors).toMatchObject({ DefenseZoneAnalyticsProcessor: { count: 1 } });

    // 06:30 ET the morning after: the game summaries (overnight mode)
    h.clock.set('2026-01-19T11:30:00Z');
    for (const processor of [
      'TeamOffenseGameSummaryProcessor',
      'TeamDefenseGameSummaryProcessor',
      'PlayerGameSummaryProcessor',
    ])
      expect((await complete(processor)).error).toBeUndefined();
    await h.tickUntil('2026-01-19T16:00:00Z');
    const morning = (await emulatorFirestore(h.projectId).doc('phase3_completion/2026-01-18').get()).data()!;
    expect(asIncumbentToolsRead(morning)).toEqual({
      processorFields: [
        'player_game_summary',
        'team_defense_game_summary',
        'team_offense_game_summary',
        'upcoming_player_game_context',
        'upcoming_team_game_context',
      ],
      countMatches: true,
      everyCompletedAtIsTimestamp: true,
      triggeredAtIsTimestamp: true,
      modeIsIncumbents: true,
    });
    expect(morning).toMatchObject({ _mode: 'overnight', _completed_count: 5, _triggered: true });
    // the trigger of the evening before stands; the summaries arriving the morning after are on time
    expect((morning._triggered_at as Timestamp).toDate().toISOString()).toBe('2026-01-17T22:02:00.000Z');
    expect(await h.subscriptions[TOPIC.alerts]!.drain()).toEqual([]);
    const triggers = await h.subscriptions[TOPIC.phase4Trigger]!.drain();
    expect(triggers).toHaveLength(5);
    expect(new Set(triggers.map((message) => (message.data as { mode: string }).mode))).toEqual(
      new Set(['tomorrow']),
    );
    // the Node client's JSON of a Timestamp, as the replay report shows state
    expect(JSON.parse(JSON.stringify({ at: morning._triggered_at }))).toEqual({
      at: { _seconds: Date.parse('2026-01-17T22:02:00Z') / 1000, _nanoseconds: 0 },
    });
    await h.close();
  }, 240_000);

  it('take-over: a date the incumbent’s orchestrator already triggered is not triggered again, and its morning is silent', async () => {
    const h = await transitionHarness({
      start: '2026-01-19T06:00:00Z',
      games: { '2026-01-18': 6 },
      subscribe: [TOPIC.phase4Trigger, TOPIC.alerts],
    });
    // The document as the incumbent's phase3_to_phase4 `update_completion_atomic` and `trigger_phase4` left it
    // on the evening before (tomorrow mode: it fired on the player context).
    const at = Timestamp.fromDate(new Date('2026-01-17T22:02:11Z'));
    const incumbentRecord = (execution: string) => ({
      completed_at: at,
      correlation_id: execution,
      status: 'success',
      record_count: 156,
      execution_id: execution,
    });
    const document = emulatorFirestore(h.projectId).doc('phase3_completion/2026-01-18');
    await document.set({
      upcoming_player_game_context: incumbentRecord('9f2c01aa'),
      _completed_count: 1,
      _mode: 'tomorrow',
      _triggered: true,
      _triggered_at: at,
      _trigger_reason: 'all_complete',
    });
    // The morning after, now with shotclock in the path: the summaries, and ticks well past the 4 h deadline.
    h.clock.set('2026-01-19T11:30:00Z');
    for (const processor of [
      'TeamOffenseGameSummaryProcessor',
      'TeamDefenseGameSummaryProcessor',
      'PlayerGameSummaryProcessor',
    ])
      expect(
        (
          await h.deliver(
            h.completion(TOPIC.phase3, {
              processor_name: processor,
              game_date: '2026-01-18',
              execution_id: `${processor}-morning`,
            }),
          )
        ).error,
      ).toBeUndefined();
    await h.tickUntil('2026-01-19T17:00:00Z');

    expect(await h.subscriptions[TOPIC.phase4Trigger]!.drain()).toEqual([]);
    expect(await h.subscriptions[TOPIC.alerts]!.drain()).toEqual([]);
    const morning = (await document.get()).data()!;
    expect(morning).toMatchObject({
      _triggered: true,
      _trigger_reason: 'all_complete',
      _completed_count: 4,
      _decision: { kind: 'fire', by: 'incumbent', mode: 'tomorrow' },
    });
    expect((morning._triggered_at as Timestamp).isEqual(at)).toBe(true);
    expect(asIncumbentToolsRead(morning).countMatches).toBe(true);
    await h.close();
  }, 240_000);
});
