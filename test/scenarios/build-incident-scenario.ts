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
 *   (critical) never does. The pipeline's own re-runs land 41 rows at 17:38 and
 *   156 at 18:48, after shotclock asked for them. Phase 4 runs on its 17:30
 *   schedule. Predictions for Sunday arrive after the gate opens.
 * - At 21:03 the grading worker crashes three times in a row (the incident's
 *   ImportError storm, 02:04 UTC).
 */
import { writeFileSync } from 'node:fs';
import { GRADED_PREDICTIONS_TABLE, WAREHOUSE_TABLES } from '../../shared/config/tables.js';
import { generateSlate, INCIDENT_BASELINE_ACCURACY } from '../support/slate.js';

type Row = Record<string, unknown>;
type Event = { at: string; note?: string } & Record<string, unknown>;

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

function completion(
  at: string,
  processor: string,
  phase: string,
  gameDate: string,
  records: number,
  extra: Row = {},
): Event {
  return {
    at,
    publish: {
      topic: `nba-${phase === 'phase_2_raw' ? 'phase2-raw' : phase === 'phase_3_analytics' ? 'phase3-analytics' : 'phase4-precompute'}-complete`,
      data: {
        processor_name: processor,
        phase,
        execution_id: `${processor}-${at.slice(11, 16).replace(':', '')}`,
        correlation_id: `corr-${gameDate}`,
        game_date: gameDate,
        status: 'success',
        record_count: records,
        records_failed: 0,
        timestamp: utc(at),
        trigger_source: 'scheduler',
        ...extra,
      },
    },
  };
}

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
/** Phase 4 tables as the incumbent keys them: by analysis or cache date, teams by `team_abbr`. */
const phase4Processors: ReadonlyArray<readonly [string, string, (players: Upcoming[]) => Row[]]> = [
  [
    'team_defense_zone_analysis',
    'nba_precompute.team_defense_zone_analysis',
    () =>
      sundayGames.flatMap((game) => [
        { analysis_date: SUNDAY, team_abbr: game.home_team_tricode },
        { analysis_date: SUNDAY, team_abbr: game.away_team_tricode },
      ]),
  ],
  [
    'player_shot_zone_analysis',
    'nba_precompute.player_shot_zone_analysis',
    (players) => players.map(({ player_lookup }) => ({ analysis_date: SUNDAY, player_lookup })),
  ],
  [
    'player_composite_factors',
    'nba_precompute.player_composite_factors',
    (players) => players.map((player) => ({ ...player, analysis_date: SUNDAY })),
  ],
  [
    'player_daily_cache',
    'nba_precompute.player_daily_cache',
    (players) => players.map(({ player_lookup }) => ({ cache_date: SUNDAY, player_lookup })),
  ],
  ['ml_feature_store', 'nba_predictions.ml_feature_store_v2', (players) => players],
];

const events: Event[] = [
  ...['nbac_schedule', 'odds_api_game_lines', 'nbac_gamebook_player_stats', 'bdl_player_boxscores'].map(
    (name, i) => completion(et(SATURDAY, `14:0${i}:00`), name, 'phase_2_raw', SUNDAY, 10 + i),
  ),
  {
    at: et(SATURDAY, '17:00:40'),
    note: 'Phase 3 for Sunday: betting lines are not out yet, 1 row of 156',
    insert: {
      table: 'nba_analytics.upcoming_player_game_context',
      rows: upcomingPlayers(1, 0, et(SATURDAY, '17:00:40')),
    },
  },
  completion(
    et(SATURDAY, '17:00:41'),
    'AsyncUpcomingPlayerGameContextProcessor',
    'phase_3_analytics',
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
  {
    at: et(SATURDAY, '17:05:39'),
    note: 'a legacy emitter: {processor, data_date, status, records_created}',
    publish: {
      topic: 'nba-phase3-analytics-complete',
      data: {
        processor: 'TeamOffenseGameSummaryProcessor',
        data_date: SUNDAY,
        status: 'success',
        records_created: 12,
      },
    },
  },
  ...phase4Processors.flatMap(([name, table, shape], i): Event[] => {
    const at = et(SATURDAY, `17:3${5 + i}:00`);
    const players = upcomingPlayers(57, 0, at).map(({ game_date, player_lookup, game_id }) => ({
      game_date: String(game_date),
      player_lookup: String(player_lookup),
      game_id: String(game_id),
    }));
    const rows = shape(players);
    return [
      { at, insert: { table, rows: stampedFor(table, rows, at) } },
      completion(et(SATURDAY, `17:3${5 + i}:30`), name, 'phase_4_precompute', SUNDAY, rows.length),
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
  completion(et(SATURDAY, '17:38:01'), 'upcoming_player_game_context', 'phase_3_analytics', SUNDAY, 41, {
    trigger_source: 'pubsub',
  }),
  {
    at: et(SATURDAY, '18:48:00'),
    note: 'the second re-run: lines are out, 156 rows',
    insert: {
      table: 'nba_analytics.upcoming_player_game_context',
      rows: upcomingPlayers(115, 120, et(SATURDAY, '18:48:00'), 41),
    },
  },
  completion(et(SATURDAY, '18:48:01'), 'upcoming_player_game_context', 'phase_3_analytics', SUNDAY, 156, {
    trigger_source: 'pubsub',
  }),
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

// One row per line: readable diffs without a 100k-line file.
const json = JSON.stringify(scenario, null, 1).replace(/\{\n\s+("[^{}[\]]*?)\n\s*\}/g, (block) =>
  block.replace(/\n\s*/g, ' '),
);
writeFileSync(new URL('./2026-01-18-incident.json', import.meta.url), `${json}\n`);
console.log(`wrote 2026-01-18-incident.json: ${events.length} events`);
