import { describe, expect, it } from 'vitest';
import { loadPipelineConfig } from '../../../shared/config/load.js';
import type { Transition } from '../../../shared/config/schema.js';
import {
  decideTransition,
  implausibleGameDate,
  type ProcessorReport,
  type TransitionDecision,
} from '../../../shared/domain/transition-rules.js';
import {
  expectationFor,
  modeStartsAt,
  orchestrationMode,
} from '../../../shared/domain/orchestration-mode.js';
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

const UPGC = 'upcoming_player_game_context';
const UTGC = 'upcoming_team_game_context';

/**
 * The rule machinery on its own: Phase 3 -> 4 with one rule for every date and
 * both upcoming contexts critical (the mode-aware defaults are tested below).
 */
const ONE_RULE: Partial<Transition> = { critical: [UPGC, UTGC], modes: undefined };

function decide(
  id: string,
  done: ProcessorReport[],
  minutes: number,
  options: { hasGames?: boolean; config?: Partial<Transition> } = {},
): TransitionDecision {
  const t = { ...transition(id), ...(id === 'phase3_to_phase4' ? ONE_RULE : {}), ...options.config };
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

/** As phaseTransition decides: the mode from the game date and `now` in ET, its expectations, its clock. */
function decideInMode(id: string, gameDate: string, done: Array<[string, string, string?]>, now: string) {
  const t = transition(id);
  const at = new Date(now);
  const mode = orchestrationMode(gameDate, at, config.project.time_zone);
  return decideTransition({
    transition: t,
    gameDate,
    processors: processorsOf(t),
    reports: done.map(([name, completedAt, status = 'success']) => ({
      name,
      status: status as CompletionStatus,
      completed_at: new Date(completedAt).toISOString(),
    })),
    now: at,
    hasGames: true,
    completionBelow: config.alerts.thresholds.phase_completion_below,
    expectation: expectationFor(t, mode),
    modeStartsAt: modeStartsAt(gameDate, mode, config.project.time_zone)?.toISOString(),
    mode,
  });
}

describe('orchestration mode (the incumbent detect_orchestration_mode, in ET)', () => {
  it.each([
    ['2026-01-18', '2026-01-17T22:00:00Z', 'tomorrow'],
    // 00:30 ET on the 18th is still 05:30 UTC: the ET date decides
    ['2026-01-18', '2026-01-18T04:59:00Z', 'tomorrow'],
    ['2026-01-18', '2026-01-18T05:00:00Z', 'same_day'],
    ['2026-01-18', '2026-01-19T04:59:00Z', 'same_day'],
    ['2026-01-18', '2026-01-19T05:00:00Z', 'overnight'],
    ['2026-01-18', '2026-01-25T12:00:00Z', 'overnight'],
  ])('%s at %s is %s', (gameDate, now, mode) => {
    expect(orchestrationMode(gameDate, new Date(now), 'America/New_York')).toBe(mode);
  });
});

describe('Phase 3 -> 4 per mode (the incumbent get_expected_processors_for_mode)', () => {
  const D = '2026-01-18';
  const upcoming: Array<[string, string]> = [
    [UPGC, '2026-01-17T22:02:00Z'],
    [UTGC, '2026-01-17T22:04:00Z'],
  ];
  it('tomorrow: the upcoming contexts are all it expects; it fires at once, not degraded', () => {
    expect(decideInMode('phase3_to_phase4', D, upcoming, '2026-01-17T22:04:00Z')).toMatchObject({
      kind: 'fire',
      mode: 'tomorrow',
      trigger_reason: 'all_complete',
      quality: { degraded: false, missing: [], missing_critical: [] },
      alerts: [],
    });
  });

  it('tomorrow: the game summaries are not missing the evening before, even at the deadline', () => {
    const decision = decideInMode('phase3_to_phase4', D, upcoming, '2026-01-18T03:00:00Z');
    expect(decision.alerts).toEqual([]);
    expect(decision.quality.missing).toEqual([]);
  });

  it('tomorrow: only the player context is critical; the team context gets the grace period', () => {
    expect(
      decideInMode('phase3_to_phase4', D, [[UPGC, '2026-01-17T22:02:00Z']], '2026-01-17T22:20:00Z'),
    ).toMatchObject({ kind: 'wait', reason: 'grace_period' });
  });

  it('overnight: the summaries that arrive the morning after start their own clock, and are on time', () => {
    const morning: Array<[string, string]> = [
      ...upcoming,
      ['team_offense_game_summary', '2026-01-19T11:05:00Z'],
      ['team_defense_game_summary', '2026-01-19T11:06:00Z'],
      ['player_game_summary', '2026-01-19T11:20:00Z'],
    ];
    const decision = decideInMode('phase3_to_phase4', D, morning, '2026-01-19T11:20:00Z');
    expect(decision).toMatchObject({ mode: 'overnight', kind: 'fire', alerts: [] });
    expect(decision.quality.missing).toEqual([]);
  });

  it('overnight: player_game_summary still missing 4 h after the first summary is alerted on', () => {
    const stuck: Array<[string, string]> = [
      ...upcoming,
      ['team_offense_game_summary', '2026-01-19T11:05:00Z'],
    ];
    expect(decideInMode('phase3_to_phase4', D, stuck, '2026-01-19T15:04:00Z').alerts).toEqual([]);
    const alerts = decideInMode('phase3_to_phase4', D, stuck, '2026-01-19T15:05:00Z').alerts;
    expect(alerts.map((alert) => `${alert.rule}:${alert.subject}`)).toEqual([
      'critical_processor_missing:player_game_summary',
      'phase_completion_low:phase3',
    ]);
    expect(alerts[0]!.message).toContain('(overnight)');
  });
});

describe('Phase 2 -> 3: watch only, per mode', () => {
  const D = '2026-01-18';
  const lines: [string, string] = ['p2_odds_game_lines', '2026-01-18T15:00:00Z'];
  it('tomorrow: nothing is expected yet, whatever arrives', () => {
    const decision = decideInMode(
      'phase2_to_phase3',
      D,
      [['nbac_schedule', '2026-01-17T15:00:00Z']],
      '2026-01-17T20:00:00Z',
    );
    expect(decision).toMatchObject({ kind: 'watch', alerts: [] });
  });

  it('same day: the game lines are expected, not the box scores of games not yet played', () => {
    expect(decideInMode('phase2_to_phase3', D, [lines], '2026-01-18T23:00:00Z')).toMatchObject({
      kind: 'watch',
      alerts: [],
    });
    const noLines = decideInMode(
      'phase2_to_phase3',
      D,
      [['p2_odds_player_props', '2026-01-18T15:00:00Z']],
      '2026-01-18T15:30:00Z',
    );
    expect(noLines.alerts.map((alert) => `${alert.rule}:${alert.subject}`)).toEqual([
      'processor_missing:p2_odds_game_lines',
      'phase_completion_low:phase2',
    ]);
  });

  it('overnight: gamebook and box scores 30 min after the first overnight completion; optional ones never', () => {
    const night: Array<[string, string]> = [lines, ['p2_nbacom_gamebook_pdf', '2026-01-19T07:30:00Z']];
    expect(decideInMode('phase2_to_phase3', D, night, '2026-01-19T07:59:00Z').alerts).toEqual([]);
    expect(
      decideInMode('phase2_to_phase3', D, night, '2026-01-19T08:00:00Z').alerts.map(
        (alert) => `${alert.rule}:${alert.subject}`,
      ),
    ).toEqual(['processor_missing:p2_nbacom_boxscores', 'phase_completion_low:phase2']);
    const all: Array<[string, string]> = [...night, ['p2_nbacom_boxscores', '2026-01-19T07:40:00Z']];
    expect(decideInMode('phase2_to_phase3', D, all, '2026-01-19T09:00:00Z').alerts).toEqual([]);
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
