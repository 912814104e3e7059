import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GradedPrediction } from '../../../shared/domain/grading-stats.js';
import { gradePredictions, saveGrading } from '../../../shared/queries/grading.js';
import type { WarehouseRow } from '../../../shared/ports/warehouse.port.js';
import { gradingHarness } from './harness.js';

const DATE = '2026-01-18';

interface RuleCase {
  case: string;
  player: string;
  /** prediction versions, oldest first: [recommendation, line, is_active?] */
  versions: Array<[string, number | null, boolean?]>;
  /** box score rows (oldest processed first): [points, minutes, is_dnp?]; none = no box score */
  box?: Array<[number, number, boolean?]>;
  game?: 'final' | 'final_no_box_scores' | 'in_progress';
  status: GradedPrediction['status'];
  reason?: string | null;
  correct?: boolean | null;
}

const CASES: RuleCase[] = [
  {
    case: 'OVER, scored above the line',
    player: 'over_hit',
    versions: [['OVER', 20.5]],
    box: [[25, 31]],
    status: 'correct',
    correct: true,
  },
  {
    case: 'UNDER, scored below the line',
    player: 'under_hit',
    versions: [['UNDER', 20.5]],
    box: [[12, 28]],
    status: 'correct',
    correct: true,
  },
  {
    case: 'OVER, scored below the line',
    player: 'over_miss',
    versions: [['OVER', 24.5]],
    box: [[19, 33]],
    status: 'incorrect',
    correct: false,
  },
  {
    case: 'UNDER, scored above the line',
    player: 'under_miss',
    versions: [['UNDER', 9.5]],
    box: [[14, 22]],
    status: 'incorrect',
    correct: false,
  },
  {
    case: 'actual equals the line: a push',
    player: 'push',
    versions: [['OVER', 22]],
    box: [[22, 30]],
    status: 'push',
    correct: null,
  },
  {
    case: 'the 20.0 placeholder line is skipped',
    player: 'placeholder',
    versions: [['OVER', 20]],
    box: [[30, 30]],
    status: 'not_graded',
    reason: 'placeholder_line',
  },
  {
    case: 'PASS is not counted',
    player: 'pass',
    versions: [['PASS', 18.5]],
    box: [[30, 30]],
    status: 'not_graded',
    reason: 'pass',
  },
  {
    case: 'NO_LINE is not counted',
    player: 'no_line',
    versions: [['NO_LINE', null]],
    box: [[30, 30]],
    status: 'not_graded',
    reason: 'no_line',
  },
  {
    case: 'OVER without a line is not counted',
    player: 'missing_line',
    versions: [['OVER', null]],
    box: [[30, 30]],
    status: 'not_graded',
    reason: 'missing_line',
  },
  {
    case: 'is_dnp voids the pick',
    player: 'dnp',
    versions: [['UNDER', 15.5]],
    box: [[0, 0, true]],
    status: 'voided',
    reason: 'did_not_play',
  },
  {
    case: '0 minutes and 0 points voids the pick',
    player: 'zero',
    versions: [['UNDER', 15.5]],
    box: [[0, 0]],
    status: 'voided',
    reason: 'zero_minutes_zero_points',
  },
  {
    case: '0 minutes but points scored is graded',
    player: 'garbage_time',
    versions: [['OVER', 1.5]],
    box: [[2, 0]],
    status: 'correct',
    correct: true,
  },
  {
    case: 'no box score once the game is final voids the pick',
    player: 'no_box',
    versions: [['OVER', 12.5]],
    status: 'voided',
    reason: 'no_box_score',
  },
  {
    case: 'final game with no box scores at all yet is pending',
    player: 'awaiting_phase3',
    versions: [['OVER', 12.5]],
    game: 'final_no_box_scores',
    status: 'pending',
  },
  {
    case: 'game in progress is pending, even with a partial box score',
    player: 'live',
    versions: [['OVER', 12.5]],
    box: [[14, 20]],
    game: 'in_progress',
    status: 'pending',
  },
  {
    case: 'the latest version counts, not an earlier one',
    player: 'superseded',
    versions: [
      ['OVER', 17.5],
      ['UNDER', 18.5],
    ],
    box: [[25, 30]],
    status: 'incorrect',
    correct: false,
  },
  {
    case: 'a newer inactive version is ignored',
    player: 'withdrawn',
    versions: [
      ['UNDER', 18.5],
      ['OVER', 18.5, false],
    ],
    box: [[12, 30]],
    status: 'correct',
    correct: true,
  },
  {
    case: 'a reprocessed box score replaces the first',
    player: 'stat_fix',
    versions: [['OVER', 20.5]],
    box: [
      [19, 30],
      [21, 30],
    ],
    status: 'correct',
    correct: true,
  },
];

const GAMES = { final: 'g_final', final_no_box_scores: 'g_final_empty', in_progress: 'g_live' } as const;

function fixtureRows() {
  const predictions: WarehouseRow[] = [];
  const boxScores: WarehouseRow[] = [];
  for (const rule of CASES) {
    const game_id = GAMES[rule.game ?? 'final'];
    rule.versions.forEach(([recommendation, line, active], index) => {
      predictions.push({
        prediction_id: `${rule.player}-v${index + 1}`,
        system_id: 'catboost_v8',
        player_lookup: rule.player,
        game_date: DATE,
        game_id,
        prediction_version: index + 1,
        predicted_points: 18,
        confidence_score: 70,
        recommendation,
        current_points_line: line,
        line_source: 'odds_api',
        is_active: active ?? true,
        created_at: `2026-01-17T23:0${index}:00.000Z`,
      });
    });
    (rule.box ?? []).forEach(([points, minutes, dnp], index) => {
      boxScores.push({
        game_date: DATE,
        player_lookup: rule.player,
        game_id,
        points,
        minutes_played: minutes,
        is_dnp: dnp ?? false,
        processed_at: `2026-01-19T0${5 + index}:00:00.000Z`,
      });
    });
  }
  const schedule = [
    {
      game_id: GAMES.final,
      game_date: DATE,
      home_team_tricode: 'BOS',
      away_team_tricode: 'NYK',
      game_status: 3,
    },
    {
      game_id: GAMES.final_no_box_scores,
      game_date: DATE,
      home_team_tricode: 'LAL',
      away_team_tricode: 'DEN',
      game_status: 3,
    },
    {
      game_id: GAMES.in_progress,
      game_date: DATE,
      home_team_tricode: 'GSW',
      away_team_tricode: 'PHX',
      game_status: 2,
    },
  ];
  return { predictions, boxScores, schedule };
}

describe('grading rules, case by case, in the warehouse', async () => {
  const harness = await gradingHarness('2026-01-19T12:30:00Z');
  let graded: GradedPrediction[] = [];

  beforeAll(async () => {
    const { predictions, boxScores, schedule } = fixtureRows();
    await harness.warehouse.insert('nba_predictions.player_prop_predictions', predictions);
    await harness.warehouse.insert('nba_analytics.player_game_summary', boxScores);
    await harness.warehouse.insert('nba_raw.nbac_schedule', schedule);
    graded = await gradePredictions(harness.warehouse, harness.config, DATE, DATE);
  });
  afterAll(() => harness.close());

  it('keeps one row per player, game and system', () => {
    expect(graded).toHaveLength(CASES.length);
  });

  it.each(CASES)('$case -> $status', (rule) => {
    const row = graded.find((candidate) => candidate.player_lookup === rule.player);
    expect(row?.status).toBe(rule.status);
    if (rule.reason !== undefined) expect(row?.reason).toBe(rule.reason);
    if (rule.correct !== undefined) expect(row?.prediction_correct).toBe(rule.correct);
    const latestActive = rule.versions.map(([, , active]) => active !== false).lastIndexOf(true);
    expect(row?.prediction_id).toBe(`${rule.player}-v${latestActive + 1}`);
  });

  it('writes resolved picks to shotclock.graded_predictions, voids with their reason, and leaves pending ones out', async () => {
    await saveGrading(harness.warehouse, harness.config, DATE, DATE, harness.clock.now());
    const stored = await harness.warehouse.query<{
      player_lookup: string;
      is_voided: boolean;
      void_reason: string | null;
      prediction_correct: boolean | null;
    }>(
      `SELECT player_lookup, is_voided, void_reason, prediction_correct
       FROM shotclock.graded_predictions WHERE game_date = CAST(@d AS DATE) ORDER BY player_lookup`,
      { d: DATE },
    );
    const pending = CASES.filter((rule) => rule.status === 'pending').map((rule) => rule.player);
    expect(stored.map((row) => row.player_lookup).sort()).toEqual(
      CASES.map((rule) => rule.player)
        .filter((player) => !pending.includes(player))
        .sort(),
    );
    for (const rule of CASES.filter((candidate) => candidate.status === 'voided')) {
      const row = stored.find((candidate) => candidate.player_lookup === rule.player);
      expect(row).toMatchObject({ is_voided: true, void_reason: rule.reason, prediction_correct: null });
    }
  });
});
