import type { PipelineConfigInput } from './schema.js';

type ProcessorInput = PipelineConfigInput['phases'][number]['processors'][number];

/**
 * Every NBA raw (Phase 2) processor whose completion the incumbent publishes on
 * `nba-phase2-raw-complete`: the classes registered in its raw processor
 * service (`data_processors/raw/main_processor_service.py`), each publishing
 * its class name and its `table_name` (`data_processors/raw/processor_base.py`,
 * `_publish_completion_event`).
 *
 * The five the incumbent tracks carry its own `p2_*` names as theirs
 * (`shared/config/orchestration_config.py` `phase2_expected_processors`, with
 * the classes its Phase 2 orchestrator's `normalize_processor_name` mapped to
 * them), so `phase2_completion` documents hold the fields its transition
 * monitor looks for. Required are the incumbent's `phase2_required_processors`;
 * everything else is optional: recognised, shown, never alerted on.
 */
const tracked: ProcessorInput[] = [
  {
    name: 'p2_nbacom_gamebook_pdf',
    incumbent_names: [
      'NbacGamebookProcessor',
      'NbacGamebookPlayerStatsProcessor',
      'nbac_gamebook_player_stats',
    ],
    table: 'nba_raw.nbac_gamebook_player_stats',
  },
  {
    name: 'p2_nbacom_boxscores',
    incumbent_names: [
      'NbacPlayerBoxscoreProcessor',
      'NbacTeamBoxscoreProcessor',
      'nbac_player_boxscores',
      'nbac_team_boxscore',
    ],
    table: 'nba_raw.nbac_player_boxscores',
  },
  {
    name: 'p2_odds_game_lines',
    incumbent_names: [
      'OddsApiGameLinesBatchProcessor',
      'OddsGameLinesProcessor',
      'OddsApiGameLinesProcessor',
      'odds_api_game_lines',
    ],
    table: 'nba_raw.odds_api_game_lines',
  },
  {
    name: 'p2_bigdataball_pbp',
    incumbent_names: ['BigDataBallPbpProcessor', 'BigdataballPbpProcessor', 'bigdataball_play_by_play'],
    table: 'nba_raw.bigdataball_play_by_play',
    required: false,
  },
  {
    name: 'p2_odds_player_props',
    incumbent_names: ['OddsApiPropsBatchProcessor', 'OddsApiPropsProcessor', 'odds_api_player_points_props'],
    table: 'nba_raw.odds_api_player_points_props',
    required: false,
  },
];

/** [name (= table), class names, older names] of the raw processors the incumbent does not track. */
const untracked: Array<[string, string[], string[]?]> = [
  ['nbac_schedule', ['NbacScheduleProcessor', 'NbacomScheduleProcessor'], ['p2_nbacom_schedule']],
  [
    'br_rosters_current',
    [
      'BasketballRefRosterProcessor',
      'BasketballRefRosterBatchProcessor',
      'BrRosterProcessor',
      'BrRostersProcessor',
    ],
    ['p2_br_season_roster'],
  ],
  [
    'bdl_player_boxscores',
    ['BdlBoxscoresProcessor', 'BdlPlayerBoxScoresProcessor', 'BdlPlayerBoxscoresProcessor'],
    ['p2_bdl_box_scores'],
  ],
  ['bdl_live_boxscores', ['BdlLiveBoxscoresProcessor']],
  ['bdl_standings', ['BdlStandingsProcessor']],
  ['bdl_injuries', ['BdlInjuriesProcessor']],
  ['bdl_active_players_current', ['BdlActivePlayersProcessor']],
  ['nbac_player_list_current', ['NbacPlayerListProcessor']],
  ['nbac_player_movement', ['NbacPlayerMovementProcessor']],
  ['nbac_scoreboard_v2', ['NbacScoreboardV2Processor']],
  ['nbac_play_by_play', ['NbacPlayByPlayProcessor']],
  ['nbac_referee_game_assignments', ['NbacRefereeProcessor']],
  ['nbac_injury_report', ['NbacInjuryReportProcessor']],
  ['espn_boxscores', ['EspnBoxscoreProcessor']],
  ['espn_team_rosters', ['EspnTeamRosterProcessor', 'EspnRosterBatchProcessor']],
  ['espn_scoreboard', ['EspnScoreboardProcessor']],
  ['bettingpros_player_points_props', ['BettingPropsProcessor']],
  ['kalshi_player_props', ['KalshiPropsProcessor']],
  ['numberfire_projections', ['NumberFireProjectionsProcessor']],
  ['fantasypros_projections', ['FantasyProsProjectionsProcessor']],
  ['dailyfantasyfuel_projections', ['DailyFantasyFuelProjectionsProcessor']],
  ['dimers_projections', ['DimersProjectionsProcessor']],
  ['espn_projections', ['ESPNProjectionsProcessor']],
  ['teamrankings_team_stats', ['TeamRankingsStatsProcessor']],
  ['hashtagbasketball_dvp', ['HashtagBasketballDvpProcessor']],
  ['rotowire_lineups', ['RotoWireLineupsProcessor']],
  ['covers_referee_stats', ['CoversRefereeStatsProcessor']],
  ['nba_tracking_stats', ['NBATrackingStatsProcessor']],
  ['vsin_betting_splits', ['VSiNBettingSplitsProcessor']],
  ['dknetwork_betting_splits', ['DKNetworkBettingSplitsProcessor']],
];

export const RAW_PROCESSORS: ProcessorInput[] = [
  ...tracked,
  ...untracked.map(
    ([name, classes, older = []]): ProcessorInput => ({
      name,
      incumbent_names: [...classes, ...older],
      table: `nba_raw.${name}`,
      required: false,
    }),
  ),
];
