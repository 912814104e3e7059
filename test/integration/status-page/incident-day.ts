import { wilsonInterval } from '../../../shared/domain/grading-stats.js';
import { addDays } from '../../../shared/domain/calendar.js';
import type { ObjectStore } from '../../../shared/ports/object-store.port.js';
import type { StateStore } from '../../../shared/ports/state-store.port.js';
import type { PipelineConfig } from '../../../shared/config/schema.js';

/**
 * The state the other functions would have written for the 2026-01-18 slate
 * (as shotclock would have handled it), in their layouts, plus 13 earlier
 * days of history for the success rates.
 */
export const INCIDENT_DATE = '2026-01-18';

const done = (completed_at: string, record_count: number, status = 'success') => ({
  completed_at,
  status,
  record_count,
  execution_id: `exec-${completed_at}`,
});

export async function seedIncidentDay(state: StateStore, objects: ObjectStore, config: PipelineConfig) {
  await state.merge(`phase2_completion/${INCIDENT_DATE}`, {
    nbac_schedule: done('2026-01-17T21:30:12Z', 6),
    nbac_gamebook_player_stats: done('2026-01-17T21:41:05Z', 210),
    bdl_player_boxscores: done('2026-01-17T21:44:51Z', 205),
    odds_api_game_lines: done('2026-01-17T21:52:30Z', 48),
    _first_completion_at: '2026-01-17T21:30:12Z',
  });
  await state.merge(`phase3_completion/${INCIDENT_DATE}`, {
    upcoming_player_game_context: done('2026-01-17T22:01:40Z', 156),
    team_offense_game_summary: done('2026-01-18T01:05:38Z', 12),
    upcoming_team_game_context: { completed_at: '2026-01-17T22:03:10Z', status: 'failed', record_count: 0 },
    _first_completion_at: '2026-01-17T22:01:40Z',
    _completed_count: 2,
    _triggered: true,
    _triggered_at: '2026-01-18T02:01:40Z',
    _trigger_reason: 'deadline_reached',
    _mode: 'critical_only',
    _decision: {
      kind: 'fire',
      reason: 'deadline_reached',
      mode: 'critical_only',
      decided_at: '2026-01-18T02:01:40Z',
      quality: {
        degraded: true,
        completed: ['team_offense_game_summary', 'upcoming_player_game_context'],
        missing: ['player_game_summary', 'team_defense_game_summary', 'upcoming_team_game_context'],
        missing_critical: ['upcoming_team_game_context'],
        rule: 'deadline:240m',
      },
    },
  });
  await state.merge(`phase4_completion/${INCIDENT_DATE}`, {
    team_defense_zone_analysis: done('2026-01-18T02:20:00Z', 30),
    player_shot_zone_analysis: done('2026-01-18T02:22:30Z', 402),
    player_composite_factors: done('2026-01-18T02:31:10Z', 156),
    player_daily_cache: done('2026-01-18T02:35:45Z', 156),
    ml_feature_store: done('2026-01-18T02:41:02Z', 156),
    _first_completion_at: '2026-01-18T02:20:00Z',
    _triggered: true,
    _triggered_at: '2026-01-18T02:41:05Z',
    _trigger_reason: 'all_complete',
    _mode: 'tiered',
    _decision: {
      kind: 'fire',
      reason: 'all_complete',
      mode: 'tiered',
      decided_at: '2026-01-18T02:41:02Z',
      quality: { degraded: false, completed: [], missing: [], missing_critical: [], rule: 'tier:0m:min_5' },
    },
  });
  await state.merge(`freshness_gate/${INCIDENT_DATE}`, {
    game_date: INCIDENT_DATE,
    status: 'OPEN',
    reasons: ['all checks passed'],
    games: 6,
    evaluated_at: '2026-01-18T02:45:00Z',
    cutoff_at: '2026-01-18T03:00:00Z',
    checks: [
      {
        table: 'nba_analytics.upcoming_player_game_context',
        level: 'pass',
        findings: [],
        rows: 156,
        expected_rows: 156,
        newest_processed_at: '2026-01-17T22:40:51Z',
        age_hours: 4.07,
      },
      {
        table: 'nba_predictions.ml_feature_store_v2',
        level: 'pass',
        findings: [],
        rows: 156,
        expected_rows: 50,
        newest_processed_at: '2026-01-18T02:41:02Z',
        age_hours: 0.07,
      },
    ],
    history: [
      {
        at: '2026-01-17T22:45:00Z',
        source: 'scheduled',
        status: 'BLOCKED',
        reasons: ['upcoming_player_game_context: 1 of 156 expected rows'],
      },
      { at: '2026-01-18T02:45:00Z', source: 'wake', status: 'OPEN', reasons: [] },
    ],
    opened: { status: 'OPEN', at: '2026-01-18T02:45:00Z', source: 'wake', outbox_id: 'x' },
    _triggered: true,
  });
  await state.merge(`record_count_checks/upcoming_player_game_context__${INCIDENT_DATE}`, {
    processor: 'upcoming_player_game_context',
    game_date: INCIDENT_DATE,
    status: 'met',
    expected: { rows: 156, rule: 'schedule', basis: '26 rows per game x 6 games' },
    last_check: { at: '2026-01-17T22:41:00Z', observed: 156 },
    retry: {
      state: 'cancelled',
      attempts_sent: 1,
      max_attempts: 3,
      next_due_at: null,
      end_reason: 'count met',
      requests: [{ attempt: 1, requested_at: '2026-01-17T22:30:00Z', observed: 1, expected: 156 }],
    },
  });
  await state.merge(`record_count_checks/upcoming_team_game_context__${INCIDENT_DATE}`, {
    processor: 'upcoming_team_game_context',
    game_date: INCIDENT_DATE,
    status: 'retry_exhausted',
    degraded: true,
    expected: { rows: 12, rule: 'schedule', basis: '2 rows per game x 6 games' },
    last_check: { at: '2026-01-18T01:30:00Z', observed: 0 },
    retry: {
      state: 'exhausted',
      attempts_sent: 3,
      max_attempts: 3,
      next_due_at: null,
      end_reason: 'max attempts',
      requests: [
        { attempt: 1, requested_at: '2026-01-17T22:35:00Z', observed: 0, expected: 12 },
        { attempt: 2, requested_at: '2026-01-17T23:35:00Z', observed: 0, expected: 12 },
        { attempt: 3, requested_at: '2026-01-18T01:35:00Z', observed: 0, expected: 12 },
      ],
    },
  });

  // 13 earlier days: Phase 3 complete except player_game_summary on two of them.
  for (let back = 1; back <= 13; back += 1) {
    const day = addDays(INCIDENT_DATE, -back);
    const at = `${addDays(day, -1)}T22:0${back % 10}:00Z`;
    const phase3: Record<string, unknown> = {
      upcoming_player_game_context: done(at, 150),
      upcoming_team_game_context: done(at, 12),
      team_offense_game_summary: done(at, 12),
      team_defense_game_summary: done(at, 12),
      _triggered: true,
      _triggered_at: at,
      _mode: 'all_complete',
    };
    if (back % 6 !== 0) phase3.player_game_summary = done(at, 120);
    await state.merge(`phase3_completion/${day}`, phase3);
  }

  const systems = [
    ['catboost_v8', true, 9, 39, 0.49],
    ['ensemble_v1', false, 20, 28, 0.39],
    ['ensemble_v1_1', false, 23, 25, 0.41],
    ['xgboost_v1', false, 21, 27, 0.45],
    ['moving_average', false, 4, 5, 0.42],
    ['zone_matchup_v1', false, 18, 30, 0.44],
  ] as const;
  await objects.put({
    bucket: config.grading.bucket,
    path: `${config.grading.path_prefix}/${INCIDENT_DATE}.json`,
    contentType: 'application/json',
    body: JSON.stringify({
      updated_at: '2026-01-18T07:30:00Z',
      game_date: INCIDENT_DATE,
      production_system: 'catboost_v8',
      overall: 'catboost_v8: 9 of 48 decided (18.8%, 95% interval 10.2-31.9%): below its 49% baseline.',
      summary: { total_predictions: 57, graded: 48, pending: 0, correct: 9, incorrect: 39 },
      predictions: [],
      systems: systems.map(([system_id, is_production, correct, incorrect, baseline]) => ({
        system_id,
        is_production,
        correct,
        incorrect,
        graded: correct + incorrect,
        accuracy: correct / (correct + incorrect),
        baseline: { accuracy: baseline, decided: 3900, days: 14, from: '2026-01-04', to: '2026-01-17' },
        // The exporter's test: too small to say, or the whole interval under the baseline.
        verdict:
          correct + incorrect < 30
            ? 'inconclusive'
            : (wilsonInterval(correct, correct + incorrect)?.high ?? 1) < baseline
              ? 'below_baseline'
              : 'ok',
        verdict_reason: '',
      })),
    }),
  });
}
