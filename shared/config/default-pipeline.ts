import { RAW_PROCESSORS } from './default-raw-processors.js';
import type { PipelineConfigInput } from './schema.js';

const perGame = (rows_per_game: number) =>
  ({ kind: 'baseline', days: 14, min_history: 7, fallback: { kind: 'schedule', rows_per_game } }) as const;

/**
 * The NBA player-props pipeline shotclock was built for (project
 * `nba-props-platform`, us-west2, schedules in ET). Users override any part of
 * it by deep merge (see `loadPipelineConfig`).
 */
export const DEFAULT_PIPELINE: PipelineConfigInput = {
  name: 'nba',
  project: {
    id: 'nba-props-platform',
    region: 'us-west2',
    time_zone: 'America/New_York',
    status_page_url: 'https://shotclock-status.example.internal',
  },
  schedule_table: 'nba_raw.nbac_schedule',
  phases: [
    {
      id: 'phase2',
      label: 'Phase 2 raw',
      completion_topic: 'nba-phase2-raw-complete',
      processors: RAW_PROCESSORS,
    },
    {
      id: 'phase3',
      label: 'Phase 3 analytics',
      completion_topic: 'nba-phase3-analytics-complete',
      processors: [
        {
          name: 'player_game_summary',
          class_name: 'PlayerGameSummaryProcessor',
          incumbent_names: ['PlayerGameSummaryProcessor'],
          table: 'nba_analytics.player_game_summary',
          expected: perGame(20),
        },
        {
          name: 'team_offense_game_summary',
          class_name: 'TeamOffenseGameSummaryProcessor',
          incumbent_names: ['TeamOffenseGameSummaryProcessor'],
          table: 'nba_analytics.team_offense_game_summary',
          expected: perGame(2),
        },
        {
          name: 'team_defense_game_summary',
          class_name: 'TeamDefenseGameSummaryProcessor',
          incumbent_names: ['TeamDefenseGameSummaryProcessor'],
          table: 'nba_analytics.team_defense_game_summary',
          expected: perGame(2),
        },
        {
          name: 'upcoming_player_game_context',
          class_name: 'UpcomingPlayerGameContextProcessor',
          incumbent_names: ['UpcomingPlayerGameContextProcessor', 'AsyncUpcomingPlayerGameContextProcessor'],
          table: 'nba_analytics.upcoming_player_game_context',
          expected: perGame(26),
        },
        {
          name: 'upcoming_team_game_context',
          class_name: 'UpcomingTeamGameContextProcessor',
          incumbent_names: ['UpcomingTeamGameContextProcessor'],
          table: 'nba_analytics.upcoming_team_game_context',
          expected: perGame(2),
        },
      ],
    },
    {
      id: 'phase4',
      label: 'Phase 4 precompute',
      completion_topic: 'nba-phase4-precompute-complete',
      processors: [
        // Dated as the incumbent dates them: zone analyses by analysis_date, the cache by cache_date.
        {
          name: 'team_defense_zone_analysis',
          incumbent_names: ['TeamDefenseZoneAnalysisProcessor'],
          table: 'nba_precompute.team_defense_zone_analysis',
          date_column: 'analysis_date',
        },
        {
          name: 'player_shot_zone_analysis',
          incumbent_names: ['PlayerShotZoneAnalysisProcessor'],
          table: 'nba_precompute.player_shot_zone_analysis',
          date_column: 'analysis_date',
        },
        {
          name: 'player_composite_factors',
          incumbent_names: ['PlayerCompositeFactorsProcessor'],
          table: 'nba_precompute.player_composite_factors',
        },
        {
          name: 'player_daily_cache',
          incumbent_names: ['PlayerDailyCacheProcessor'],
          table: 'nba_precompute.player_daily_cache',
          date_column: 'cache_date',
        },
        {
          name: 'ml_feature_store',
          incumbent_names: ['MLFeatureStoreProcessor', 'ml_feature_store_v2'],
          table: 'nba_predictions.ml_feature_store_v2',
        },
      ],
    },
  ],
  transitions: [
    {
      id: 'phase2_to_phase3',
      from: 'phase2',
      to: 'phase3',
      state_collection: 'phase2_completion',
      rule: { kind: 'watch' },
      // Lines are in before the games; box scores and gamebooks arrive the night after.
      modes: {
        tomorrow: { expected: [] },
        same_day: { expected: ['p2_odds_game_lines'] },
        overnight: { expected: ['p2_odds_game_lines', 'p2_nbacom_gamebook_pdf', 'p2_nbacom_boxscores'] },
      },
      alert_after_minutes: 30,
    },
    {
      id: 'phase3_to_phase4',
      from: 'phase3',
      to: 'phase4',
      state_collection: 'phase3_completion',
      rule: { kind: 'critical_only' },
      critical: ['upcoming_player_game_context'],
      // The incumbent's get_expected_processors_for_mode (phase3_to_phase4/main.py).
      modes: {
        overnight: {
          expected: [
            'player_game_summary',
            'team_offense_game_summary',
            'team_defense_game_summary',
            'upcoming_player_game_context',
            'upcoming_team_game_context',
          ],
          critical: ['player_game_summary', 'upcoming_player_game_context'],
        },
        same_day: {
          expected: ['upcoming_player_game_context', 'upcoming_team_game_context'],
          critical: ['upcoming_player_game_context'],
        },
        tomorrow: {
          expected: ['upcoming_player_game_context', 'upcoming_team_game_context'],
          critical: ['upcoming_player_game_context'],
        },
      },
      grace_minutes: 30,
      deadline_minutes: 240,
      output: { topic: 'nba-phase4-trigger', shape: 'phase4_trigger' },
    },
    {
      id: 'phase4_to_phase5',
      from: 'phase4',
      to: 'phase5',
      state_collection: 'phase4_completion',
      rule: {
        kind: 'tiered',
        tiers: [
          { after_minutes: 0, min_completed: 5 },
          { after_minutes: 60, min_completed: 4 },
          { after_minutes: 120, min_completed: 3 },
          { after_minutes: 240, critical_only: true },
        ],
      },
      critical: ['player_daily_cache', 'ml_feature_store'],
      output: { topic: 'shotclock-predictions-ready', shape: 'phase_ready' },
    },
  ],
  topics: {
    tick: 'shotclock-tick',
    alerts: 'shotclock-alerts',
    dead_letter: 'shotclock-dead-letter',
    predictions_complete: 'nba-phase5-predictions-complete',
    gate_decisions: 'shotclock-gate-decisions',
    monitoring_incidents: 'shotclock-monitoring-incidents',
  },
  record_count: {
    phases: ['phase3'],
    retry_below_fraction: 0.5,
    first_retry_after_minutes: 30,
    backoff_multiplier: 2,
    jitter_fraction: 0.1,
    max_attempts: 3,
    rerun_topic: 'nba-phase3-trigger',
    cutoff_local_time: '22:00',
    past_date_max_age_days: 3,
    count_tolerance_fraction: 0.02,
    circuit_breaker: { dates: 5, window_minutes: 60 },
  },
  freshness_gate: {
    target: 'TOMORROW',
    cutoff_local_time: '22:00',
    wake_topic: 'shotclock-predictions-ready',
    output_topic: 'nba-predictions-trigger',
    checks: [
      {
        table: 'nba_analytics.upcoming_player_game_context',
        min_players: 50,
        min_players_with_lines: 20,
        warn_after_hours: 6,
        error_after_hours: 24,
        min_line_coverage: 0.1,
        min_game_coverage: 0.8,
      },
      {
        table: 'nba_predictions.ml_feature_store_v2',
        // No processed_at there: updated_at when its MERGE rewrote a row, else created_at.
        processed_column: 'updated_at',
        processed_fallback_column: 'created_at',
        min_players: 50,
        error_after_hours: 24,
      },
    ],
  },
  grading: {
    bucket: 'nba-props-platform-api',
    path_prefix: 'v1/live-grading',
    cache_control: 'public, max-age=30',
    baseline_days: 14,
    min_sample: 30,
    placeholder_line: 20,
    stale_after_minutes: 15,
    production_system: 'catboost_v8',
  },
  schedules: [
    {
      id: 'shotclock-tick',
      role: 'tick',
      description: 'Drives deadlines, due retries, outboxes, blocked gates and alert rules',
      cron: '*/5 * * * *',
      time_zone: 'America/New_York',
      topic: 'shotclock-tick',
    },
    {
      id: 'freshness-gate',
      role: 'freshness_gate',
      description: 'Freshness gate for tomorrow’s games, before predictions',
      cron: '45 17 * * *',
      time_zone: 'America/New_York',
      topic: 'shotclock-tick',
      target_date: 'TOMORROW',
    },
    {
      id: 'live-grading-evening',
      role: 'live_grading',
      description: 'Live grading export while games are on',
      cron: '*/3 19-23 * * *',
      time_zone: 'America/New_York',
      topic: 'shotclock-tick',
      target_date: 'TODAY',
    },
    {
      id: 'live-grading-late',
      role: 'live_grading',
      description: 'Live grading export after midnight for the previous day',
      cron: '*/3 0-1 * * *',
      time_zone: 'America/New_York',
      topic: 'shotclock-tick',
      target_date: 'YESTERDAY',
    },
    {
      id: 'live-grading-final',
      role: 'live_grading',
      description: 'Final grading run for yesterday',
      cron: '30 7 * * *',
      time_zone: 'America/New_York',
      topic: 'shotclock-tick',
      target_date: 'YESTERDAY',
    },
    {
      id: 'dependency-probe',
      role: 'dependency_probe',
      description: 'Dependency probe of every function and the topology',
      cron: '0 * * * *',
      time_zone: 'America/New_York',
      topic: 'shotclock-tick',
    },
  ],
  alerts: {
    thresholds: {
      phase_completion_below: 0.8,
      data_staleness_hours: 2,
      grading_accuracy_below: 0.3,
      prediction_volume_below: 200,
      worker_errors: { count: 5, window_minutes: 5 },
    },
    cooldown_minutes: 60,
    slack_webhook_secret: 'shotclock-slack-webhook',
  },
  delivery: {
    max_delivery_attempts: 5,
    // 60 s doubling over 5 attempts rides out a 15-minute backend outage before dead-lettering.
    min_backoff_seconds: 60,
    max_backoff_seconds: 600,
    ack_deadline_seconds: 60,
  },
  // Names from the incumbent's deploy scripts: bin/orchestrators/deploy_phase3_to_phase4.sh,
  // deploy_phase4_to_phase5.sh, deploy_phase4_timeout_check.sh; the 18:00 ET job that calls the
  // coordinator's /start for tomorrow is `same-day-predictions-tomorrow`.
  take_over: {
    scheduler_jobs: [
      {
        id: 'same-day-predictions-tomorrow',
        replaced_by: 'the freshness gate starts predictions through /start once the data is fresh',
      },
      {
        id: 'phase4-timeout-check-job',
        replaced_by: 'phase-transition fires Phase 5 degraded after its tiers and alerts once',
      },
    ],
    functions: [
      {
        name: 'phase3-to-phase4-orchestrator',
        topic: 'nba-phase3-analytics-complete',
        replaced_by: 'phase-transition (phase3_to_phase4)',
      },
      {
        name: 'phase4-to-phase5-orchestrator',
        topic: 'nba-phase4-precompute-complete',
        replaced_by: 'phase-transition (phase4_to_phase5) and the freshness gate',
      },
    ],
  },
  downstream: {
    // The incumbent's Cloud Run services (its PREDICTION_COORDINATOR_URL and PHASE3_SERVICE_URL defaults).
    services: {
      prediction_coordinator: { url: 'https://prediction-coordinator-f7p3g7f6ya-wl.a.run.app' },
      analytics_service: { url: 'https://nba-phase3-analytics-processors-f7p3g7f6ya-wl.a.run.app' },
    },
    predictions: [
      // 409: a batch for the date is already running, which is what a resent /start should find.
      { kind: 'http', service: 'prediction_coordinator', path: '/start', done_statuses: [409] },
      { kind: 'publish' },
    ],
    phase3_rerun: [
      { kind: 'http', service: 'analytics_service', path: '/process-date-range' },
      { kind: 'publish' },
    ],
  },
  outbox: {
    lease_seconds: 120,
    action_timeout_seconds: 30,
    // The tick runs every 5 minutes: the first retry is on the next tick, then 10, 20, 40, 60 minutes apart.
    first_backoff_minutes: 5,
    max_backoff_minutes: 60,
    stuck_after_attempts: 5,
    give_up_after_minutes: 720,
  },
};
