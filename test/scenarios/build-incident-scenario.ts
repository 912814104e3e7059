/**
 * Builds test/scenarios/2026-01-18-incident.json, the day `npm start` replays.
 * Run: npx tsx test/scenarios/build-incident-scenario.ts
 *
 * The story, reconstructed from the incident report in ET (the report's UTC
 * times minus 5 h; its export named 2026-01-18 was written at 21:06 ET on the
 * 17th, i.e. dated in UTC):
 * - Saturday 2026-01-17, 4 evening games, predicted the day before: 1,680
 *   predictions for 57 players across 6 systems; live grading from 19:00, the
 *   final run at 07:30 Sunday finds catboost_v8 at 9 of 48.
 * - Sunday 2026-01-18, 6 games (156 upcoming-player rows expected): Phase 3
 *   runs at 17:00 Saturday and writes 1 row (betting lines not out yet);
 *   only 2 of 5 Phase 3 processors ever complete and `upcoming_team_game_context`
 *   (optional in tomorrow mode) never does. The pipeline's own re-runs land 41
 *   rows at 17:38 and 156 at 18:48, after shotclock asked for them through the
 *   analytics service's /process-date-range. Phase 4 runs from 17:35, off
 *   shotclock's triggers. Predictions for Sunday arrive after the gate opens.
 * Every completion is in the incumbent publishers' envelope, named by class
 * (see incumbent-messages.ts).
 * - At 21:03 the grading worker crashes three times in a row (the incident's
 *   ImportError storm, 02:04 UTC).
 */
import { GRADED_PREDICTIONS_TABLE, WAREHOUSE_TABLES } from '../../shared/config/tables.js';
import { generateSlate, INCIDENT_BASELINE_ACCURACY } from '../support/slate.js';
import {
  analyticsCompletion,
  precomputeCompletion,
  rawCompletion,
  runId,
  type ScenarioEvent,
} from './incumbent-messages.js';
import { scenarioJson, writeWhenRunAsScript } from './scenario-file.js';

type Row = Record<string, unknown>;
type Event = ScenarioEvent;

const SATURDAY = '2026-01-17';
const SUNDAY = '2026-01-18';
const et = (day: string, hhmmss: string) => `${day}T${hhmmss}-05:00`;
const utc = (at: string) => new Date(at).toISOString();

const saturday = generateSlate({
  gameDate: SATURDAY,
  seed: 20260118,
  games: 4,
  players: 57,
  rowsPerSystem: 280,
  productionCorrect: 9,
  gameStatus: 3,
  accuracy: INCIDENT_BASELINE_ACCURACY,
  history: { days: 14, decidedPerDay: 40, accuracy: INCIDENT_BASELINE_ACCURACY },
});
const sunday = generateSlate({
  gameDate: SUNDAY,
  seed: 20260119,
  games: 6,
  players: 57,
  rowsPerSystem: 280,
  gameStatus: 1,
  history: false,
});

const saturdayGames = saturday.tables['nba_raw.nbac_schedule']!;
const sundayGames = sunday.tables['nba_raw.nbac_schedule']!;
const boxScores = saturday.tables['nba_analytics.player_game_summary']!;

const withStatus = (games: Row[], status: number) => games.map((game) => ({ ...game, game_status: status }));
/** Rows written at `at`: each processing-time column the table really has is set. */
const stampedFor = (table: string, rows: Row[], at: string) => {
  const columns = WAREHOUSE_TABLES[table]!.columns;
  const stamps = Object.fromEntries(
    ['created_at', 'processed_at'].filter((column) => column in columns).map((column) => [column, utc(at)]),
  );
  return rows.map((row) => ({ ...row, ...stamps }));
};

/** Players on Sunday's slate; the first `count` get rows, `withLines` of them a prop line. */
function upcomingPlayers(count: number, withLines: number, at: string, offset = 0): Row[] {
  return Array.from({ length: count }, (_, i) => {
    const n = offset + i;
    const game = sundayGames[n % sundayGames.length]!;
    return {
      game_date: SUNDAY,
      player_lookup: `sunday_player_${String(n).padStart(3, '0')}`,
      game_id: game.game_id,
      has_prop_line: n < withLines,
      current_points_line: n < withLines ? 12.5 + (n % 20) : null,
      created_at: utc(at),
      processed_at: utc(at),
    };
  });
}

type Upcoming = { game_date: string; player_lookup: string; game_id: string };
/** Phase 4 classes and tables as the incumbent keys them: by analysis or cache date, teams by `team_abbr`. */
const phase4Processors: ReadonlyArray<readonly [string, string, (players: Upcoming[]) => Row[]]> = [
  [
    'TeamDefenseZoneAnalysisProcessor',
    'nba_precompute.team_defense_zone_analysis',
    () =>
      sundayGames.flatMap((game) => [
        { analysis_date: SUNDAY, team_abbr: game.home_team_tricode },
        { analysis_date: SUNDAY, team_abbr: game.away_team_tricode },
      ]),
  ],
  [
    'PlayerShotZoneAnalysisProcessor',
    'nba_precompute.player_shot_zone_analysis',
    (players) => players.map(({ player_lookup }) => ({ analysis_date: SUNDAY, player_lookup })),
  ],
  [
    'PlayerCompositeFactorsProcessor',
    'nba_precompute.player_composite_factors',
    (players) => players.map((player) => ({ ...player, analysis_date: SUNDAY })),
  ],
  [
    'PlayerDailyCacheProcessor',
    'nba_precompute.player_daily_cache',
    (players) => players.map(({ player_lookup }) => ({ cache_date: SUNDAY, player_lookup })),
  ],
  ['MLFeatureStoreProcessor', 'nba_predictions.ml_feature_store_v2', (players) => players],
];

/** shotclock's Phase 4 triggers carry the player context's correlation id; Phase 4 stamps its completions with it. */
const phase4Correlation = runId('AsyncUpcomingPlayerGameContextProcessor', SUNDAY, et(SATURDAY, '17:00:41'));

const events: Event[] = [
  // Phase 2 for Sunday on Saturday afternoon: the schedule, the game lines and the props, as the raw
  // processors publish them (the gamebooks and box scores of Sunday come the night after it).
  rawCompletion(
    et(SATURDAY, '14:00:00'),
    'NbacScheduleProcessor',
    'nba_raw.nbac_schedule',
    SUNDAY,
    sundayGames.length,
    'nbac_schedule_api',
  ),
  rawCompletion(
    et(SATURDAY, '14:01:00'),
    'OddsApiGameLinesBatchProcessor',
    'nba_raw.odds_api_game_lines',
    SUNDAY,
    sundayGames.length * 24,
    'oddsa_game_lines',
  ),
  rawCompletion(
    et(SATURDAY, '14:02:00'),
    'OddsApiPropsBatchProcessor',
    'nba_raw.odds_api_player_points_props',
    SUNDAY,
    8,
    'oddsa_player_props',
    'betting lines for Sunday are thin: a few props only',
  ),
  {
    at: et(SATURDAY, '17:00:40'),
    note: 'Phase 3 for Sunday: betting lines are not out yet, 1 row of 156',
    insert: {
      table: 'nba_analytics.upcoming_player_game_context',
      rows: upcomingPlayers(1, 0, et(SATURDAY, '17:00:40')),
    },
  },
  analyticsCompletion(
    et(SATURDAY, '17:00:41'),
    'AsyncUpcomingPlayerGameContextProcessor',
    'upcoming_player_game_context',
    SUNDAY,
    1,
  ),
  {
    at: et(SATURDAY, '17:05:38'),
    insert: {
      table: 'nba_analytics.team_offense_game_summary',
      rows: stampedFor(
        'nba_analytics.team_offense_game_summary',
        sundayGames.flatMap((game) => [
          { game_date: SUNDAY, game_id: game.game_id, team_abbr: game.home_team_tricode },
          { game_date: SUNDAY, game_id: game.game_id, team_abbr: game.away_team_tricode },
        ]),
        et(SATURDAY, '17:05:38'),
      ),
    },
  },
  analyticsCompletion(
    et(SATURDAY, '17:05:39'),
    'TeamOffenseGameSummaryProcessor',
    'team_offense_game_summary',
    SUNDAY,
    12,
  ),
  ...phase4Processors.flatMap(([className, table, shape], i): Event[] => {
    const at = et(SATURDAY, `17:3${5 + i}:00`);
    const players = upcomingPlayers(57, 0, at).map(({ game_date, player_lookup, game_id }) => ({
      game_date: String(game_date),
      player_lookup: String(player_lookup),
      game_id: String(game_id),
    }));
    const rows = shape(players);
    return [
      { at, insert: { table, rows: stampedFor(table, rows, at) } },
      precomputeCompletion(
        et(SATURDAY, `17:3${5 + i}:30`),
        className,
        table.split('.')[1]!,
        table.split('.')[0]!,
        SUNDAY,
        rows.length,
        { correlationId: phase4Correlation, messageId: `2026011800${i}` },
      ),
    ];
  }),
  {
    at: et(SATURDAY, '17:38:00'),
    note: "the pipeline's re-run after shotclock's request: lines partly out",
    insert: {
      table: 'nba_analytics.upcoming_player_game_context',
      rows: upcomingPlayers(40, 30, et(SATURDAY, '17:38:00'), 1),
    },
  },
  analyticsCompletion(
    et(SATURDAY, '17:38:01'),
    'AsyncUpcomingPlayerGameContextProcessor',
    'upcoming_player_game_context',
    SUNDAY,
    41,
  ),
  {
    at: et(SATURDAY, '18:48:00'),
    note: 'the second re-run: lines are out, 156 rows',
    insert: {
      table: 'nba_analytics.upcoming_player_game_context',
      rows: upcomingPlayers(115, 120, et(SATURDAY, '18:48:00'), 41),
    },
  },
  analyticsCompletion(
    et(SATURDAY, '18:48:01'),
    'AsyncUpcomingPlayerGameContextProcessor',
    'upcoming_player_game_context',
    SUNDAY,
    156,
  ),
  {
    at: et(SATURDAY, '19:00:00'),
    note: "Saturday's 4 games tip off",
    insert: { table: 'nba_raw.nbac_schedule', rows: withStatus(saturdayGames, 2) },
  },
  {
    at: et(SATURDAY, '19:05:00'),
    note: "the pipeline's Phase 5 after the predictions trigger: Sunday's predictions",
    insert: {
      table: 'nba_predictions.player_prop_predictions',
      rows: sunday.tables['nba_predictions.player_prop_predictions']!.map((row) => ({
        ...row,
        created_at: utc(et(SATURDAY, '19:05:00')),
      })),
    },
  },
  {
    at: et(SATURDAY, '21:03:00'),
    note: 'the grading worker crashes three times in a row (the ImportError storm)',
    fault: { kind: 'function-crashes', function: 'live-grading-export', times: 3 },
  },
  ...saturdayGames.flatMap((game, i): Event[] => {
    const at = et(SATURDAY, i < 2 ? '21:35:00' : '22:50:00');
    return [
      { at, insert: { table: 'nba_raw.nbac_schedule', rows: withStatus([game], 3) } },
      {
        at,
        insert: {
          table: 'nba_analytics.player_game_summary',
          rows: stampedFor(
            'nba_analytics.player_game_summary',
            boxScores.filter((row) => row.game_id === game.game_id),
            at,
          ),
        },
      },
    ];
  }),
].sort((a, b) => a.at.localeCompare(b.at));

const scenario = {
  name: '2026-01-18-incident',
  description:
    'The 2026-01-18 incident day (Saturday 2026-01-17 12:00 to Sunday 09:00 ET) with shotclock in the path. See test/scenarios/build-incident-scenario.ts for the story.',
  start: et(SATURDAY, '12:00:00'),
  end: et(SUNDAY, '09:00:00'),
  status_date: SUNDAY,
  config: {},
  warehouse: {
    'nba_raw.nbac_schedule': [...withStatus(saturdayGames, 1), ...sundayGames],
    'nba_predictions.player_prop_predictions': saturday.tables['nba_predictions.player_prop_predictions'],
    [GRADED_PREDICTIONS_TABLE]: saturday.tables[GRADED_PREDICTIONS_TABLE],
  },
  events,
};

export const incidentJson = scenarioJson(scenario);

writeWhenRunAsScript(import.meta.url, '2026-01-18-incident.json', incidentJson, events.length);
