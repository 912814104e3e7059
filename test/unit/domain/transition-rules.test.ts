import { describe, expect, it } from 'vitest';
import { loadPipelineConfig } from '../../../shared/config/load.js';
import type { Transition } from '../../../shared/config/schema.js';
import {
  decideTransition,
  implausibleGameDate,
  type ProcessorReport,
  type TransitionDecision,
} from '../../../shared/domain/transition-rules.js';
import type { CompletionStatus } from '../../../shared/messages/completion.js';

const config = loadPipelineConfig();
const transition = (id: string) => config.transitions.find((candidate) => candidate.id === id)!;
const processorsOf = (t: Transition) => config.phases.find((phase) => phase.id === t.from)!.processors;

const FIRST = '2026-01-17T22:00:00.000Z';
const at = (minutes: number) => new Date(Date.parse(FIRST) + minutes * 60_000);

/** `name@minutes` (success), `name@minutes:status` */
function reports(...specs: string[]): ProcessorReport[] {
  return specs.map((spec) => {
    const [name, rest] = spec.split('@') as [string, string];
    const [minutes, status = 'success'] = rest.split(':');
    return { name, status: status as CompletionStatus, completed_at: at(Number(minutes)).toISOString() };
  });
}

function decide(
  id: string,
  done: ProcessorReport[],
  minutes: number,
  options: { hasGames?: boolean; config?: Partial<Transition> } = {},
): TransitionDecision {
  const t = { ...transition(id), ...options.config };
  return decideTransition({
    transition: t,
    gameDate: '2026-01-18',
    processors: processorsOf(t),
    reports: done,
    now: at(minutes),
    hasGames: options.hasGames ?? true,
    completionBelow: config.alerts.thresholds.phase_completion_below,
  });
}

const summary = (decision: TransitionDecision) => ({
  kind: decision.kind,
  why:
    decision.kind === 'fire' ? decision.trigger_reason : 'reason' in decision ? decision.reason : undefined,
  degraded: decision.quality.degraded,
  missing_critical: decision.quality.missing_critical,
  alerts: decision.alerts.map((alert) => `${alert.rule}:${alert.subject}`),
});

const UPGC = 'upcoming_player_game_context';
const UTGC = 'upcoming_team_game_context';
const ALL3 = [`${UPGC}@0`, `${UTGC}@5`, 'player_game_summary@6', 'team_offense_game_summary@7'];

describe('Phase 3 -> 4: critical_only, 30 min grace, 4 h deadline', () => {
  it.each([
    ['nothing yet', [], 10, { kind: 'wait', why: 'no_completions_yet' }],
    ['critical half in', [`${UPGC}@0`], 10, { kind: 'wait', why: `waiting_for_critical:${UTGC}` }],
    [
      'critical in, optional missing, inside grace',
      [`${UPGC}@0`, `${UTGC}@5`],
      20,
      { kind: 'wait', why: 'grace_period' },
    ],
    [
      'grace counted from the critical set, not the first completion',
      [`${UPGC}@0`, `${UTGC}@20`],
      45,
      { kind: 'wait', why: 'grace_period' },
    ],
    [
      'critical in, grace over: degraded',
      [`${UPGC}@0`, `${UTGC}@5`],
      35,
      { kind: 'fire', why: 'grace_period_expired', degraded: true },
    ],
    [
      'all five in: fires at once, not degraded',
      [...ALL3, 'team_defense_game_summary@8'],
      8,
      { kind: 'fire', why: 'all_complete', degraded: false },
    ],
    [
      'a failed critical does not count',
      [`${UPGC}@0`, `${UTGC}@5:failed`],
      35,
      { kind: 'wait', why: `waiting_for_critical:${UTGC}` },
    ],
    [
      'skipped and no_data do not count',
      [`${UPGC}@0:skipped`, `${UTGC}@5:no_data`],
      35,
      { kind: 'wait', why: 'no_completions_yet' },
    ],
    [
      'partial counts',
      [`${UPGC}@0:partial`, `${UTGC}@5:partial`],
      35,
      { kind: 'fire', why: 'grace_period_expired' },
    ],
    [
      'unknown names never count',
      [`${UPGC}@0`, 'fantasy_draft@1', 'upcoming_team_game_contex@2'],
      35,
      { kind: 'wait' },
    ],
    ['critical missing, 3 h 59 in', [`${UPGC}@0`, 'team_offense_game_summary@60'], 239, { kind: 'wait' }],
  ] as const)('%s', (_name, done, minutes, expected) => {
    expect(summary(decide('phase3_to_phase4', reports(...done), minutes))).toMatchObject(expected);
  });

  it('the 2026-01-18 picture: at the deadline fires degraded, naming what is missing, and alerts', () => {
    const decision = decide('phase3_to_phase4', reports(`${UPGC}@0`, 'team_offense_game_summary@60'), 240);
    expect(decision).toMatchObject({
      kind: 'fire',
      mode: 'critical_only',
      trigger_reason: 'deadline_reached',
      quality: {
        degraded: true,
        completed: ['team_offense_game_summary', UPGC],
        missing: ['player_game_summary', 'team_defense_game_summary', UTGC],
        missing_critical: [UTGC],
        rule: 'deadline:240m',
      },
    });
    expect(summary(decision).alerts).toEqual([
      `critical_processor_missing:${UTGC}`,
      'phase_completion_low:phase3',
    ]);
    expect(decision.alerts[0]!.message).toContain(UTGC);
  });

  it('fired early with 4 of 5: no completion alert at the deadline (80% is not below 80%)', () => {
    expect(summary(decide('phase3_to_phase4', reports(...ALL3), 241)).alerts).toEqual([]);
  });

  it('fired on grace with 2 of 5: the completion alert comes at the deadline, not before', () => {
    const done = reports(`${UPGC}@0`, `${UTGC}@5`);
    expect(summary(decide('phase3_to_phase4', done, 200)).alerts).toEqual([]);
    expect(summary(decide('phase3_to_phase4', done, 240)).alerts).toEqual(['phase_completion_low:phase3']);
  });

  it('a date with no games is skipped, with no alert, whatever is in', () => {
    expect(summary(decide('phase3_to_phase4', reports(`${UPGC}@0`), 300, { hasGames: false }))).toEqual({
      kind: 'skip',
      why: 'no_games_scheduled',
      degraded: true,
      missing_critical: [UTGC],
      alerts: [],
    });
  });
});

describe('Phase 4 -> 5: tiers from the first completion', () => {
  const P4 = [
    'player_daily_cache@0',
    'ml_feature_store@1',
    'player_composite_factors@2',
    'player_shot_zone_analysis@3',
  ];
  it.each([
    ['all five at once', [...P4, 'team_defense_zone_analysis@4'], 4, 'fire', 'all_complete'],
    ['4 of 5 before 1 h', P4, 59, 'wait', undefined],
    ['4 of 5 at 1 h', P4, 60, 'fire', 'tier_reached'],
    ['3 of 5 at 1 h', P4.slice(0, 3), 60, 'wait', undefined],
    ['3 of 5 at 2 h', P4.slice(0, 3), 120, 'fire', 'tier_reached'],
    [
      '4 of 5 without ml_feature_store at 2 h',
      [
        'player_daily_cache@0',
        'player_composite_factors@2',
        'player_shot_zone_analysis@3',
        'team_defense_zone_analysis@4',
      ],
      120,
      'wait',
      undefined,
    ],
    ['critical alone before 4 h', P4.slice(0, 2), 239, 'wait', undefined],
    ['critical alone at 4 h', P4.slice(0, 2), 240, 'fire', 'tier_reached'],
  ] as const)('%s', (_name, done, minutes, kind, why) => {
    const decision = decide('phase4_to_phase5', reports(...done), minutes);
    expect(decision.kind).toBe(kind);
    if (why) expect(summary(decision).why).toBe(why);
  });

  it('names the tier that fired', () => {
    expect(decide('phase4_to_phase5', reports(...P4), 61).quality).toMatchObject({
      degraded: true,
      rule: 'tier:60m:min_4',
      missing: ['team_defense_zone_analysis'],
    });
  });

  it('critical still missing after the last tier: waits and alerts on it', () => {
    const decision = decide(
      'phase4_to_phase5',
      reports('player_daily_cache@0', 'player_composite_factors@1'),
      241,
    );
    expect(summary(decision)).toMatchObject({
      kind: 'wait',
      alerts: ['critical_processor_missing:ml_feature_store', 'phase_completion_low:phase4'],
    });
  });

  it('gives up a day after the first completion', () => {
    expect(decide('phase4_to_phase5', reports('player_daily_cache@0'), 24 * 60).kind).toBe('expire');
  });
});

describe('Phase 2 -> 3: watch only', () => {
  const required = ['nbac_schedule@0', 'nbac_gamebook_player_stats@1', 'bdl_player_boxscores@2'];
  it.each([
    ['before 30 min: no alert', required, 29, []],
    [
      'at 30 min: one alert per required processor missing (3 of 4 is below 80% too)',
      required,
      30,
      ['processor_missing:odds_api_game_lines', 'phase_completion_low:phase2'],
    ],
    ['optional processors missing are not alerted on', [...required, 'odds_api_game_lines@3'], 31, []],
    [
      '1 of 4 required at 30 min: each missing one, and completion below 80%',
      ['nbac_schedule@0'],
      30,
      [
        'processor_missing:nbac_gamebook_player_stats',
        'processor_missing:bdl_player_boxscores',
        'processor_missing:odds_api_game_lines',
        'phase_completion_low:phase2',
      ],
    ],
  ] as const)('%s', (_name, done, minutes, alerts) => {
    const decision = decide('phase2_to_phase3', reports(...done), minutes);
    expect(decision.kind).toBe('watch');
    expect(summary(decision).alerts).toEqual(alerts);
  });

  it('never alerts on a date with no games', () => {
    expect(decide('phase2_to_phase3', reports('nbac_schedule@0'), 90, { hasGames: false })).toMatchObject({
      kind: 'skip',
      alerts: [],
    });
  });
});

describe('other rules', () => {
  const quorum: Partial<Transition> = { rule: { kind: 'quorum', fraction: 0.6 }, grace_minutes: 0 };
  const allComplete: Partial<Transition> = { rule: { kind: 'all_complete' }, grace_minutes: undefined };
  it.each([
    [
      'quorum: 3 of 5 with the critical set',
      quorum,
      [`${UPGC}@0`, `${UTGC}@1`, 'player_game_summary@2'],
      3,
      'fire',
    ],
    [
      'quorum: 3 of 5 without the critical set',
      quorum,
      [`${UPGC}@0`, 'team_offense_game_summary@1', 'player_game_summary@2'],
      3,
      'wait',
    ],
    ['quorum: critical only, 2 of 5', quorum, [`${UPGC}@0`, `${UTGC}@1`], 3, 'wait'],
    ['all_complete: 4 of 5', allComplete, ALL3, 200, 'wait'],
    ['all_complete: 4 of 5 at the deadline fires degraded', allComplete, ALL3, 240, 'fire'],
    [
      'all_complete without a deadline waits',
      { ...allComplete, deadline_minutes: undefined },
      ALL3,
      600,
      'wait',
    ],
  ] as const)('%s', (_name, override, done, minutes, kind) => {
    expect(decide('phase3_to_phase4', reports(...done), minutes, { config: override }).kind).toBe(kind);
  });

  it('quorum with grace waits from the moment the quorum was reached', () => {
    const decision = decide(
      'phase3_to_phase4',
      reports(`${UPGC}@0`, `${UTGC}@1`, 'player_game_summary@50'),
      70,
      {
        config: { ...quorum, grace_minutes: 30 },
      },
    );
    expect(decision).toMatchObject({ kind: 'wait', reason: 'grace_period' });
  });
});

describe('implausible game dates', () => {
  const now = new Date('2026-01-17T22:00:00Z');
  it.each([
    ['2026-01-18', true],
    ['2026-01-17', true],
    ['2025-12-20', true],
    ['2031-01-18', false],
    ['2019-01-18', false],
    ['2026-03-30', false],
  ])('%s accepted: %s', (date, ok) => {
    expect(implausibleGameDate(date, now) === undefined).toBe(ok);
  });
});
