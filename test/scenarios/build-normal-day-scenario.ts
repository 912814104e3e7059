/**
 * Builds test/scenarios/normal-day.json, the starter scenario: a healthy game day as the incumbent
 * pipeline's own publishers and schedules produce it, with shotclock in the path.
 * Run: npx tsx test/scenarios/build-normal-day-scenario.ts
 *
 * The day (ET), from Wednesday 2026-02-18 16:30 to Friday 2026-02-20 09:00. The Wednesday is the last day of
 * the All-Star break (no games), so the replay begins with nothing half-done: Thursday's games are prepared
 * on Wednesday evening, played Thursday night and summarised Friday morning; Friday's are prepared on
 * Thursday evening.
 * - The evening before a game date (tomorrow mode): the raw processors publish the date's game lines, props
 *   and schedule; the analytics service's `/process` route (`ANALYTICS_TRIGGER_GROUPS`) runs
 *   `UpcomingTeamGameContextProcessor` off the schedule and `AsyncUpcomingPlayerGameContextProcessor` off the
 *   props, ~17:00. shotclock sends the five `nba-phase4-trigger` messages; the precompute service runs
 *   (`PRECOMPUTE_TRIGGERS`, then the cascade) and publishes its five processors; the freshness gate opens
 *   and POSTs the coordinator's `/start` once; the coordinator's predictions land.
 * - Game day (same_day mode): the props are re-scraped at midday and the player context re-run for tonight.
 *   The incumbent's own 10:30 `same-day-phase3` job runs with `backfill_mode: true`, so it publishes nothing.
 * - Game night: games tip at 19:00 and finish 21:40 / 22:50; the `evening-analytics-10pm-et` and
 *   `evening-analytics-1am-et` jobs write box scores (`backfill_mode: true`: rows, no messages); live grading.
 * - The morning after (overnight mode): box scores and gamebooks are processed (Phase 2), each triggering the
 *   team summaries then the player summary (Phase 3) for the date; the play-by-play arrives last.
 */
import { GRADED_PREDICTIONS_TABLE, WAREHOUSE_TABLES } from '../../shared/config/tables.js';
import { generateSlate, type Slate } from '../support/slate.js';
import {
  analyticsCompletion,
  precomputeCompletion,
  rawCompletion,
  runId,
  type ScenarioEvent,
} from './incumbent-messages.js';
import { scenarioJson, writeWhenRunAsScript } from './scenario-file.js';

type Row = Record<string, unknown>;

const BREAK_DAY = '2026-02-18';
const THURSDAY = '2026-02-19';
const FRIDAY = '2026-02-20';
const et = (day: string, hhmmss: string) => `${day}T${hhmmss}-05:00`;
const utc = (at: string) => new Date(at).toISOString();

/** Healthy models: 52-58% right on decided picks, the production model best. */
const HEALTHY_ACCURACY: Readonly<Record<string, number>> = {
  catboost_v8: 0.58,
  xgboost_v1: 0.56,
  similarity_balanced_v1: 0.55,
  zone_matchup_v1: 0.54,
  moving_average: 0.53,
  ensemble_v1: 0.52,
};

/** 20 players a game: the rows the player summary and the context expect per game. */
const slateFor = (gameDate: string, seed: number, gameStatus: number) =>
  generateSlate({
    gameDate,
    seed,
    games: 6,
    players: 120,
    rowsPerSystem: 240,
    gameStatus,
    accuracy: HEALTHY_ACCURACY,
    history: gameDate === THURSDAY ? { days: 14, decidedPerDay: 40, accuracy: HEALTHY_ACCURACY } : false,
  });
const thursday = slateFor(THURSDAY, 20260219, 3);
const friday = slateFor(FRIDAY, 20260220, 1);

const gamesOf = (slate: Slate) => slate.tables['nba_raw.nbac_schedule']!;
const withStatus = (games: Row[], status: number) => games.map((game) => ({ ...game, game_status: status }));

/** Rows written at `at`: each processing-time column the table really has is set. */
const stampedFor = (table: string, rows: Row[], at: string) => {
  const columns = WAREHOUSE_TABLES[table]!.columns;
  const stamps = Object.fromEntries(
    ['created_at', 'processed_at'].filter((column) => column in columns).map((column) => [column, utc(at)]),
  );
  return rows.map((row) => ({ ...row, ...stamps }));
};
const insert = (at: string, table: string, rows: Row[], note?: string): ScenarioEvent => ({
  at,
  ...(note ? { note } : {}),
  insert: { table, rows: stampedFor(table, rows, at) },
});

/** 26 context rows a game: every predicted player (with the line the slate gives them) and 6 more per game. */
function upcomingPlayers(slate: Slate): Row[] {
  const games = gamesOf(slate);
  const predicted = slate.players.map((player) => ({
    game_date: slate.gameDate,
    player_lookup: player.player_lookup,
    game_id: player.game_id,
    has_prop_line: player.line !== null,
    current_points_line: player.line,
  }));
  const bench = Array.from({ length: games.length * 6 }, (_, i) => ({
    game_date: slate.gameDate,
    player_lookup: `bench_${slate.gameDate.replaceAll('-', '')}_${String(i).padStart(2, '0')}`,
    game_id: games[i % games.length]!.game_id,
    has_prop_line: false,
    current_points_line: null,
  }));
  return [...predicted, ...bench];
}

const teamRows = (slate: Slate, teamColumn: string) =>
  gamesOf(slate).flatMap((game) => [
    { game_date: slate.gameDate, game_id: game.game_id, [teamColumn]: game.home_team_tricode },
    { game_date: slate.gameDate, game_id: game.game_id, [teamColumn]: game.away_team_tricode },
  ]);

/**
 * The evening before `slate`'s date: Phase 2 for tomorrow, Phase 3 at ~17:00, Phase 4 once shotclock's
 * triggers are out (they are at 17:02-17:05), the coordinator's predictions after the gate's `/start`.
 */
function eveningBefore(day: string, slate: Slate): ScenarioEvent[] {
  const date = slate.gameDate;
  const games = gamesOf(slate);
  const context = upcomingPlayers(slate);
  const contextAt = et(day, '17:02:10');
  const contextDone = et(day, '17:02:11');
  // shotclock carries the critical processor's correlation id into the Phase 4 triggers (as the incumbent's
  // orchestrator carries its upstream message's), and Phase 4 stamps its completions with it.
  const correlationId = runId('AsyncUpcomingPlayerGameContextProcessor', date, contextDone);
  const trigger = (n: number) => ({ correlationId, messageId: `${date.replaceAll('-', '')}00${n}` });
  const players = context.map(({ player_lookup, game_id }) => ({ player_lookup, game_id }));
  const phase4: Array<[string, string, string, string, Row[], number]> = [
    // [at, class, table_name as published, dataset, rows, trigger message]; the daily cache runs off both
    // player_game_summary and upcoming_player_game_context triggers (PRECOMPUTE_TRIGGERS).
    [
      '17:08:40',
      'TeamDefenseZoneAnalysisProcessor',
      'team_defense_zone_analysis',
      'nba_precompute',
      games.flatMap((game) => [
        { analysis_date: date, team_abbr: game.home_team_tricode },
        { analysis_date: date, team_abbr: game.away_team_tricode },
      ]),
      2,
    ],
    [
      '17:09:10',
      'PlayerShotZoneAnalysisProcessor',
      'player_shot_zone_analysis',
      'nba_precompute',
      players.map(({ player_lookup }) => ({ analysis_date: date, player_lookup })),
      1,
    ],
    [
      '17:09:50',
      'PlayerDailyCacheProcessor',
      'player_daily_cache',
      'nba_precompute',
      players.map(({ player_lookup }) => ({ cache_date: date, player_lookup })),
      0,
    ],
    ['17:10:20', 'PlayerDailyCacheProcessor', 'player_daily_cache', 'nba_precompute', [], 3],
    [
      '17:12:30',
      'PlayerCompositeFactorsProcessor',
      'player_composite_factors',
      'nba_precompute',
      players.map((player) => ({ ...player, game_date: date, analysis_date: date })),
      3,
    ],
    [
      '17:14:00',
      'MLFeatureStoreProcessor',
      'ml_feature_store_v2',
      'nba_predictions',
      players.map((player) => ({ ...player, game_date: date })),
      3,
    ],
  ];
  const phase4Table = (dataset: string, table: string) => `${dataset}.${table}`;
  const seen = new Map<string, number>();
  return [
    rawCompletion(
      et(day, '16:50:20'),
      'OddsApiGameLinesBatchProcessor',
      'nba_raw.odds_api_game_lines',
      date,
      games.length * 24,
      'oddsa_game_lines',
      `Phase 2 for ${date}: game lines, props and the schedule for tomorrow's ${games.length} games`,
    ),
    rawCompletion(
      et(day, '16:55:20'),
      'OddsApiPropsBatchProcessor',
      'nba_raw.odds_api_player_points_props',
      date,
      slate.players.filter((player) => player.line !== null).length * 4,
      'oddsa_player_props',
    ),
    rawCompletion(
      et(day, '16:58:20'),
      'NbacScheduleProcessor',
      'nba_raw.nbac_schedule',
      date,
      games.length,
      'nbac_schedule_api',
    ),
    insert(et(day, '16:59:30'), 'nba_analytics.upcoming_team_game_context', teamRows(slate, 'team_abbr')),
    analyticsCompletion(
      et(day, '16:59:31'),
      'UpcomingTeamGameContextProcessor',
      'upcoming_team_game_context',
      date,
      games.length * 2,
      `Phase 3 for ${date} (tomorrow mode): the team context off the schedule, then the player context off the props`,
    ),
    insert(contextAt, 'nba_analytics.upcoming_player_game_context', context),
    analyticsCompletion(
      contextDone,
      'AsyncUpcomingPlayerGameContextProcessor',
      'upcoming_player_game_context',
      date,
      context.length,
    ),
    ...phase4.flatMap(([hhmmss, processor, table, dataset, rows, message], i): ScenarioEvent[] => {
      const at = et(day, hhmmss);
      const runs = (seen.get(processor) ?? 0) + 1;
      seen.set(processor, runs);
      const written = runs === 1 ? rows.length : players.length;
      const completion = precomputeCompletion(
        et(
          day,
          hhmmss.replace(/:(\d\d)$/, (_, s: string) => `:${String(Number(s) + 5).padStart(2, '0')}`),
        ),
        processor,
        table,
        dataset,
        date,
        written,
        trigger(message),
      );
      if (i === 0)
        completion.note = `Phase 4 for ${date}, run by the precompute service off shotclock's triggers`;
      return rows.length > 0 ? [insert(at, phase4Table(dataset, table), rows), completion] : [completion];
    }),
    {
      at: et(day, '17:40:00'),
      note: `the coordinator's predictions for ${date}, after the gate's /start`,
      insert: {
        table: 'nba_predictions.player_prop_predictions',
        rows: slate.tables['nba_predictions.player_prop_predictions']!.map((row) => ({
          ...row,
          created_at: utc(et(day, '17:40:00')),
        })),
      },
    },
  ];
}

const thursdayGames = gamesOf(thursday);
const boxScores = thursday.tables['nba_analytics.player_game_summary']!;
const earlyGames = thursdayGames.slice(0, 3);
const lateGames = thursdayGames.slice(3);
const boxScoresOf = (games: Row[]) => {
  const ids = new Set(games.map((game) => game.game_id));
  return boxScores.filter((row) => ids.has(row.game_id));
};

/** The morning after Thursday (overnight mode): one raw processor's completion, then Phase 3 off it. */
function overnightRun(
  hhmm: string,
  processor: string,
  table: string,
  rows: number,
  scraper: string,
  note: string,
) {
  const at = (offsetSeconds: number) => {
    const [h, m] = hhmm.split(':').map(Number) as [number, number];
    const seconds = h * 3600 + m * 60 + offsetSeconds;
    const pad = (n: number) => String(n).padStart(2, '0');
    return et(
      FRIDAY,
      `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}`,
    );
  };
  return [
    rawCompletion(at(0), processor, table, THURSDAY, rows, scraper, note),
    analyticsCompletion(at(70), 'TeamOffenseGameSummaryProcessor', 'team_offense_game_summary', THURSDAY, 12),
    analyticsCompletion(at(85), 'TeamDefenseGameSummaryProcessor', 'team_defense_game_summary', THURSDAY, 12),
    analyticsCompletion(
      at(190),
      'PlayerGameSummaryProcessor',
      'player_game_summary',
      THURSDAY,
      boxScores.length,
    ),
  ];
}

const events: ScenarioEvent[] = [
  ...eveningBefore(BREAK_DAY, thursday),
  rawCompletion(
    et(THURSDAY, '12:55:20'),
    'OddsApiPropsBatchProcessor',
    'nba_raw.odds_api_player_points_props',
    THURSDAY,
    thursday.players.filter((player) => player.line !== null).length * 4,
    'oddsa_player_props',
    'game day (same_day mode): props re-scraped for tonight, the player context re-run off them',
  ),
  analyticsCompletion(
    et(THURSDAY, '13:00:41'),
    'AsyncUpcomingPlayerGameContextProcessor',
    'upcoming_player_game_context',
    THURSDAY,
    upcomingPlayers(thursday).length,
  ),
  ...eveningBefore(THURSDAY, friday),
  {
    at: et(THURSDAY, '19:00:00'),
    note: "Thursday's 6 games tip off",
    insert: { table: 'nba_raw.nbac_schedule', rows: withStatus(thursdayGames, 2) },
  },
  {
    at: et(THURSDAY, '21:40:00'),
    insert: { table: 'nba_raw.nbac_schedule', rows: withStatus(earlyGames, 3) },
  },
  insert(
    et(THURSDAY, '22:00:30'),
    'nba_analytics.player_game_summary',
    boxScoresOf(earlyGames),
    'evening-analytics-10pm-et (backfill_mode: true): box scores of the 3 finished games, no message',
  ),
  {
    at: et(THURSDAY, '22:50:00'),
    insert: { table: 'nba_raw.nbac_schedule', rows: withStatus(lateGames, 3) },
  },
  insert(
    et(FRIDAY, '01:15:30'),
    'nba_analytics.player_game_summary',
    boxScoresOf(lateGames),
    'evening-analytics-1am-et (backfill_mode: true): the late games, no message',
  ),
  insert(et(FRIDAY, '01:36:10'), 'nba_analytics.team_offense_game_summary', teamRows(thursday, 'team_abbr')),
  insert(
    et(FRIDAY, '01:36:25'),
    'nba_analytics.team_defense_game_summary',
    teamRows(thursday, 'defending_team_abbr'),
  ),
  ...overnightRun(
    '01:35',
    'NbacPlayerBoxscoreProcessor',
    'nbac_player_boxscores',
    boxScores.length,
    'nbac_player_boxscore',
    'overnight for Thursday: NBA.com box scores, then the team and player summaries off them',
  ),
  ...overnightRun(
    '02:05',
    'NbacGamebookProcessor',
    'nba_raw.nbac_gamebook_player_stats',
    boxScores.length + 40,
    'nbac_gamebook_pdf',
    'the gamebooks: the same summaries again (the incumbent runs them off both tables)',
  ),
  rawCompletion(
    et(FRIDAY, '04:10:20'),
    'BigDataBallPbpProcessor',
    'nba_raw.bigdataball_play_by_play',
    THURSDAY,
    thursdayGames.length * 460,
    'bigdataball_pbp',
    'the play-by-play (optional) arrives last',
  ),
].sort((a, b) => a.at.localeCompare(b.at));

const scenario = {
  name: 'normal-day',
  description:
    'A healthy game day (Wednesday 2026-02-18 16:30 to Friday 2026-02-20 09:00 ET) as the incumbent pipeline publishes it, with shotclock in the path. See test/scenarios/build-normal-day-scenario.ts for the story.',
  start: et(BREAK_DAY, '16:30:00'),
  end: et(FRIDAY, '09:00:00'),
  status_date: THURSDAY,
  config: {},
  warehouse: {
    'nba_raw.nbac_schedule': [...withStatus(thursdayGames, 1), ...gamesOf(friday)],
    [GRADED_PREDICTIONS_TABLE]: thursday.tables[GRADED_PREDICTIONS_TABLE],
  },
  events,
};

export const normalDayJson = scenarioJson(scenario);

writeWhenRunAsScript(import.meta.url, 'normal-day.json', normalDayJson, events.length);
