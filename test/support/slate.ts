import { GRADED_PREDICTIONS_TABLE } from '../../shared/config/tables.js';
import type { Warehouse, WarehouseRow } from '../../shared/ports/warehouse.port.js';
import { LIVE_GRADER } from '../../shared/queries/grading.js';
import { seededRandom } from '../../shared/domain/seeded-random.js';

/**
 * A realistic slate for grading tests, replays and benchmarks: games, players,
 * betting lines, predictions from six systems (several versions per player,
 * the latest one counting), box scores with pushes, DNPs, a player with no box
 * score, a 20.0 placeholder line, NO_LINE and PASS picks, and a trailing
 * history of shotclock's own grades (`shotclock.graded_predictions`). Seeded: the same options give the same rows.
 *
 * Rows are keyed by the incumbent's table names, ready for
 * `Warehouse.insert` or a replay scenario's `warehouse` field. Dates are
 * `YYYY-MM-DD`, times ISO 8601 strings.
 */

export const SLATE_SYSTEMS = [
  'catboost_v8',
  'ensemble_v1',
  'xgboost_v1',
  'moving_average',
  'zone_matchup_v1',
  'similarity_balanced_v1',
] as const;

/** The 2026-01-18 report: 39-50% by system over Jan 4-17, CatBoost V8 best, Ensemble V1 worst. */
export const INCIDENT_BASELINE_ACCURACY: Readonly<Record<string, number>> = {
  catboost_v8: 0.49,
  xgboost_v1: 0.47,
  similarity_balanced_v1: 0.45,
  zone_matchup_v1: 0.43,
  moving_average: 0.41,
  ensemble_v1: 0.39,
};

export type SlateTables = Record<string, WarehouseRow[]>;

/** What each of the first players on a slate is there to exercise; the rest are `regular`. */
export type PlayerRole =
  | 'did_not_play'
  | 'zero_minutes'
  | 'no_box_score'
  | 'placeholder_line'
  | 'no_line'
  | 'push'
  | 'production_pass'
  | 'regular';

const SPECIAL_ROLES: readonly PlayerRole[] = [
  'did_not_play',
  'zero_minutes',
  'no_box_score',
  'placeholder_line',
  'no_line',
  'no_line',
  'push',
  'push',
  'production_pass',
];

export interface SlatePlayer {
  player_lookup: string;
  game_id: string;
  role: PlayerRole;
  line: number | null;
  points: number;
  minutes: number;
}

export interface SlateOptions {
  gameDate: string;
  seed?: number;
  games?: number;
  /** players with predictions, spread over the games (at least 12 for every role to appear) */
  players?: number;
  systems?: readonly string[];
  productionSystem?: string;
  /** prediction rows per system: one latest per player, the rest earlier (superseded) versions */
  rowsPerSystem?: number;
  /** `game_status` of every game, or per game (1 scheduled, 2 in progress, 3 final); box scores exist for final games */
  gameStatus?: number | readonly number[];
  /** exactly this many of the production system's regular picks are right (otherwise drawn from `accuracy`) */
  productionCorrect?: number;
  /** chance a system's regular pick is right */
  accuracy?: Readonly<Record<string, number>>;
  /** shotclock's graded rows (`graded_predictions`) for the days before the slate */
  history?: { days: number; decidedPerDay: number; accuracy: Readonly<Record<string, number>> } | false;
  placeholderLine?: number;
}

export interface Slate {
  gameDate: string;
  tables: SlateTables;
  players: SlatePlayer[];
  systems: string[];
  productionSystem: string;
  /** pooled accuracy of each system over the generated history (what a baseline should find) */
  historyAccuracy: Record<string, number>;
}

const TEAMS = [
  'ATL',
  'BOS',
  'BKN',
  'CHA',
  'CHI',
  'CLE',
  'DAL',
  'DEN',
  'DET',
  'GSW',
  'HOU',
  'IND',
  'LAC',
  'LAL',
  'MEM',
  'MIA',
  'MIL',
  'MIN',
  'NOP',
  'NYK',
  'OKC',
  'ORL',
  'PHI',
  'PHX',
  'POR',
  'SAC',
  'SAS',
  'TOR',
  'UTA',
  'WAS',
];
const FIRST = [
  'jalen',
  'luka',
  'jayson',
  'tyrese',
  'devin',
  'anthony',
  'donovan',
  'scottie',
  'paolo',
  'desmond',
];
const LAST = [
  'brunson',
  'williams',
  'tatum',
  'maxey',
  'booker',
  'edwards',
  'mitchell',
  'barnes',
  'banchero',
  'bane',
];

function addDays(date: string, days: number): string {
  const at = new Date(`${date}T00:00:00Z`);
  at.setUTCDate(at.getUTCDate() + days);
  return at.toISOString().slice(0, 10);
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

export function generateSlate(options: SlateOptions): Slate {
  const random = seededRandom(options.seed ?? 1);
  const between = (low: number, high: number) => low + random() * (high - low);
  const { gameDate } = options;
  const games = options.games ?? 6;
  const playerCount = options.players ?? games * 10;
  const systems = [...(options.systems ?? SLATE_SYSTEMS)];
  const productionSystem = options.productionSystem ?? systems[0]!;
  const placeholder = options.placeholderLine ?? 20;
  const rowsPerSystem = Math.max(options.rowsPerSystem ?? playerCount * 3, playerCount);
  const compact = gameDate.replaceAll('-', '');
  const statusOf = (game: number) =>
    typeof options.gameStatus === 'number' ? options.gameStatus : (options.gameStatus?.[game] ?? 3);

  const teams = shuffled(TEAMS, random);
  const schedule = Array.from({ length: games }, (_, g) => {
    const away = teams[(2 * g) % teams.length]!;
    const home = teams[(2 * g + 1) % teams.length]!;
    return {
      game_id: `${compact}_${away}_${home}`,
      game_date: gameDate,
      home_team_tricode: home,
      away_team_tricode: away,
      game_status: statusOf(g),
    };
  });

  const players: SlatePlayer[] = Array.from({ length: playerCount }, (_, i) => {
    const role: PlayerRole = playerCount >= 12 ? (SPECIAL_ROLES[i] ?? 'regular') : 'regular';
    const name = `${FIRST[i % FIRST.length]}${LAST[(i + Math.floor(i / FIRST.length)) % LAST.length]}`;
    const player_lookup = i < FIRST.length * LAST.length ? name : `${name}${i}`;
    const game_id = schedule[i % games]!.game_id;
    const base = Math.floor(between(8, 32));
    switch (role) {
      case 'did_not_play':
        return { player_lookup, game_id, role, line: base + 0.5, points: 0, minutes: 0 };
      case 'zero_minutes':
        return { player_lookup, game_id, role, line: base + 0.5, points: 0, minutes: 0 };
      case 'placeholder_line':
        return {
          player_lookup,
          game_id,
          role,
          line: placeholder,
          points: base,
          minutes: Math.round(between(20, 36) * 10) / 10,
        };
      case 'no_line':
        return {
          player_lookup,
          game_id,
          role,
          line: null,
          points: base,
          minutes: Math.round(between(20, 36) * 10) / 10,
        };
      case 'push':
        return {
          player_lookup,
          game_id,
          role,
          line: base,
          points: base,
          minutes: Math.round(between(20, 36) * 10) / 10,
        };
      default: {
        const line = base + 0.5;
        const swing = Math.round(between(1, 9)) * (random() < 0.5 ? -1 : 1);
        return {
          player_lookup,
          game_id,
          role,
          line,
          points: Math.max(0, Math.round(line + swing - 0.5 * Math.sign(swing))),
          minutes: Math.round(between(18, 38) * 10) / 10,
        };
      }
    }
  });

  const isFinal = new Map(schedule.map((game) => [game.game_id, game.game_status === 3]));
  const boxScores: WarehouseRow[] = players
    .filter((player) => player.role !== 'no_box_score' && isFinal.get(player.game_id))
    .map((player) => ({
      game_date: gameDate,
      player_lookup: player.player_lookup,
      game_id: player.game_id,
      points: player.points,
      minutes_played: player.minutes,
      is_dnp: player.role === 'did_not_play',
      created_at: `${addDays(gameDate, 1)}T05:10:00.000Z`,
      processed_at: `${addDays(gameDate, 1)}T05:10:00.000Z`,
    }));

  const predictions: WarehouseRow[] = [];
  const regular = players.filter((player) => player.role === 'regular');
  const productionRight = new Set(
    shuffled(regular, random)
      .slice(0, options.productionCorrect ?? 0)
      .map((player) => player.player_lookup),
  );
  const createdBase = new Date(`${addDays(gameDate, -1)}T23:01:00.000Z`).getTime();
  const extraRows = rowsPerSystem - playerCount;

  for (const system of systems) {
    const accuracy = options.accuracy?.[system] ?? 0.5;
    players.forEach((player, index) => {
      const rightDirection = (player.points > (player.line ?? 0) ? 'OVER' : 'UNDER') as 'OVER' | 'UNDER';
      const opposite = rightDirection === 'OVER' ? 'UNDER' : 'OVER';
      let recommendation: string;
      if (player.role === 'no_line') recommendation = 'NO_LINE';
      else if (system === productionSystem && (player.role === 'push' || player.role === 'production_pass'))
        recommendation = 'PASS';
      else if (player.role !== 'regular') recommendation = random() < 0.5 ? 'OVER' : 'UNDER';
      else if (system === productionSystem && options.productionCorrect !== undefined)
        recommendation = productionRight.has(player.player_lookup) ? rightDirection : opposite;
      else recommendation = random() < accuracy ? rightDirection : opposite;
      const line = player.line;
      const lean = recommendation === 'OVER' ? 1 : recommendation === 'UNDER' ? -1 : 0;
      const predicted = Math.round(((line ?? player.points) + lean * between(0.6, 5)) * 10) / 10;

      // Earlier versions: still active (the incumbent's reruns leave them so), with the other pick.
      const earlier = Math.floor(extraRows / playerCount) + (index < extraRows % playerCount ? 1 : 0);
      // One withdrawn newer version on the production system: inactive, must not count.
      const withdrawn = system === productionSystem && player === regular[0] && earlier > 0 ? 1 : 0;
      const versions = earlier - withdrawn + 1;
      const row = (version: number, fields: Partial<WarehouseRow>): WarehouseRow => ({
        prediction_id: `${system}-${player.player_lookup}-${compact}-v${version}`,
        system_id: system,
        player_lookup: player.player_lookup,
        game_date: gameDate,
        game_id: player.game_id,
        prediction_version: version,
        predicted_points: predicted,
        confidence_score: Math.round(between(40, 92)),
        recommendation,
        current_points_line: line,
        line_source: line === null ? null : line === placeholder ? 'default' : 'odds_api',
        is_active: true,
        created_at: new Date(createdBase + version * 7_000 + index * 100).toISOString(),
        ...fields,
      });
      for (let version = 1; version < versions; version += 1) {
        const decoy = recommendation === 'OVER' ? 'UNDER' : recommendation === 'UNDER' ? 'OVER' : 'PASS';
        predictions.push(
          row(version, {
            recommendation: decoy,
            predicted_points: Math.round((predicted - lean * 2) * 10) / 10,
            current_points_line: line === null || line === placeholder ? line : line - 1,
          }),
        );
      }
      predictions.push(row(versions, {}));
      if (withdrawn)
        predictions.push(
          row(versions + 1, {
            recommendation: recommendation === 'OVER' ? 'UNDER' : 'OVER',
            is_active: false,
          }),
        );
    });
  }

  const { rows: history, accuracy: historyAccuracy } = options.history
    ? historyRows(gameDate, systems, options.history, random)
    : { rows: [], accuracy: {} };

  return {
    gameDate,
    tables: {
      'nba_raw.nbac_schedule': schedule,
      'nba_analytics.player_game_summary': boxScores,
      'nba_predictions.player_prop_predictions': predictions,
      [GRADED_PREDICTIONS_TABLE]: history,
    },
    players,
    systems,
    productionSystem,
    historyAccuracy,
  };
}

function historyRows(
  gameDate: string,
  systems: readonly string[],
  history: { days: number; decidedPerDay: number; accuracy: Readonly<Record<string, number>> },
  random: () => number,
): { rows: WarehouseRow[]; accuracy: Record<string, number> } {
  const rows: WarehouseRow[] = [];
  const accuracy: Record<string, number> = {};
  for (const system of systems) {
    const rate = history.accuracy[system] ?? 0.45;
    let correctSoFar = 0;
    for (let day = 1; day <= history.days; day += 1) {
      const date = addDays(gameDate, day - history.days - 1);
      const due = Math.round(rate * history.decidedPerDay * day) - correctSoFar;
      correctSoFar += due;
      // decided picks, then a push and a void that the baseline must leave out
      for (let pick = 0; pick < history.decidedPerDay + 2; pick += 1) {
        const line = Math.floor(8 + random() * 24) + 0.5;
        const recommendation = random() < 0.5 ? 'OVER' : 'UNDER';
        const kind =
          pick < due
            ? 'correct'
            : pick < history.decidedPerDay
              ? 'incorrect'
              : pick === history.decidedPerDay
                ? 'push'
                : 'void';
        const over = recommendation === 'OVER';
        const actual =
          kind === 'push'
            ? line
            : kind === 'void'
              ? 0
              : Math.round(line + ((kind === 'correct') === over ? 1 : -1) * (0.5 + random() * 6));
        const predicted = Math.round((line + (over ? 1 : -1) * (0.5 + random() * 4)) * 10) / 10;
        rows.push({
          player_lookup: `history_player_${pick}`,
          game_id: `${date.replaceAll('-', '')}_history_${pick % 5}`,
          system_id: system,
          game_date: date,
          prediction_id: `${system}-history_player_${pick}-${date.replaceAll('-', '')}-v1`,
          status: kind === 'void' ? 'voided' : kind,
          predicted_points: predicted,
          recommendation,
          line_value: kind === 'push' ? Math.round(line) : line,
          actual_points: kind === 'push' ? Math.round(line) : Math.max(0, actual),
          minutes_played: kind === 'void' ? 0 : 30,
          absolute_error: kind === 'void' ? null : Math.abs(Math.max(0, actual) - predicted),
          signed_error: kind === 'void' ? null : predicted - Math.max(0, actual),
          prediction_correct: kind === 'correct' ? true : kind === 'incorrect' ? false : null,
          is_voided: kind === 'void',
          void_reason: kind === 'void' ? 'did_not_play' : null,
          graded_by: LIVE_GRADER,
          graded_at: `${addDays(date, 1)}T12:30:00.000Z`,
        });
      }
    }
    accuracy[system] = correctSoFar / (history.decidedPerDay * history.days);
  }
  return { rows, accuracy };
}

/**
 * The 2026-01-18 picture: 1,680 prediction rows for 57 players across 6
 * systems (280 per system), all games final; the production system
 * (catboost_v8) graded on 48 picks with 9 correct; 14 days of history at
 * 39-50% by system. Options override any of it (e.g. `gameDate`, or
 * `gameStatus: [2, 2, 3, 3]` for the evening with games still on).
 */
export function incidentSlate(overrides: Partial<SlateOptions> = {}): Slate {
  return generateSlate({
    gameDate: '2026-01-18',
    seed: 20260118,
    games: 4,
    players: 57,
    rowsPerSystem: 280,
    productionCorrect: 9,
    gameStatus: 3,
    accuracy: INCIDENT_BASELINE_ACCURACY,
    history: { days: 14, decidedPerDay: 40, accuracy: INCIDENT_BASELINE_ACCURACY },
    ...overrides,
  });
}

/** Inserts every table of a slate. */
export async function loadSlate(warehouse: Warehouse, tables: SlateTables): Promise<void> {
  for (const [table, rows] of Object.entries(tables)) await warehouse.insert(table, rows);
}
