import { describe, expect, it } from 'vitest';
import { DEFAULT_PIPELINE } from '../../../shared/config/default-pipeline.js';
import { ConfigError, deepMerge, loadPipelineConfig } from '../../../shared/config/load.js';

/** The problems a config override is refused with (an empty list: it loads). */
function problemsOf(override: unknown): string[] {
  try {
    loadPipelineConfig(override);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems;
  }
}

const phase3To4 = DEFAULT_PIPELINE.transitions[1]!;
const phase4To5 = DEFAULT_PIPELINE.transitions[2]!;
const tickJob = DEFAULT_PIPELINE.schedules[0]!;

/** Transitions are an array, so an override replaces all of them: keep the others as they are. */
function withTransition(index: number, transition: object) {
  return { transitions: DEFAULT_PIPELINE.transitions.map((t, i) => (i === index ? transition : t)) };
}

describe('loadPipelineConfig: the default NBA pipeline', () => {
  it('loads without an override and carries the contract defaults', () => {
    const config = loadPipelineConfig();
    expect(config.transitions.map((t) => t.id)).toEqual([
      'phase2_to_phase3',
      'phase3_to_phase4',
      'phase4_to_phase5',
    ]);
    expect(config.transitions[1]!.critical).toEqual(['upcoming_player_game_context']);
    // the incumbent's get_expected_processors_for_mode
    expect(config.transitions[1]!.modes?.overnight?.critical).toEqual([
      'player_game_summary',
      'upcoming_player_game_context',
    ]);
    expect(config.transitions[1]!.modes?.tomorrow).toEqual({
      expected: ['upcoming_player_game_context', 'upcoming_team_game_context'],
      critical: ['upcoming_player_game_context'],
    });
    expect(config.freshness_gate.cutoff_local_time).toBe('22:00');
    expect(config.alerts.thresholds.phase_completion_below).toBe(0.8);
    // defaults filled in by the schema
    expect(config.phases[0]!.processors[0]!.date_column).toBe('game_date');
    expect(config.phases[0]!.processors[4]!.required).toBe(false);
  });
});

describe('loadPipelineConfig: a bad config fails at load, every problem listed by path', () => {
  it.each([
    {
      problem: 'a critical processor that is not in its phase',
      override: withTransition(1, {
        ...phase3To4,
        critical: ['upcoming_player_game_context', 'ml_feature_store'],
      }),
      expected: ['transitions.1.critical.1: ml_feature_store is not a processor of phase3'],
    },
    {
      problem: 'a mode expecting a processor that is not in its phase, or a critical one it does not expect',
      override: withTransition(1, {
        ...phase3To4,
        modes: { tomorrow: { expected: ['ml_feature_store'], critical: ['upcoming_player_game_context'] } },
      }),
      expected: [
        'transitions.1.modes.tomorrow.expected.0: ml_feature_store is not a processor of phase3',
        'transitions.1.modes.tomorrow.critical.0: upcoming_player_game_context is critical but not expected in tomorrow',
      ],
    },
    {
      problem: 'one incumbent name for two processors',
      override: {
        phases: DEFAULT_PIPELINE.phases.map((phase, i) =>
          i === 3 - 1
            ? {
                ...phase,
                processors: phase.processors.map((processor, p) =>
                  p === 4 ? { ...processor, incumbent_names: ['PlayerDailyCacheProcessor'] } : processor,
                ),
              }
            : phase,
        ),
      },
      expected: [
        'phases.2.processors.4.incumbent_names.0: PlayerDailyCacheProcessor already names player_daily_cache in phase4',
      ],
    },
    {
      problem: 'a quorum without a threshold',
      override: withTransition(1, { ...phase3To4, rule: { kind: 'quorum' } }),
      expected: ['transitions.1.rule.fraction: a quorum needs a threshold (fraction of processors, 0-1)'],
    },
    {
      problem: 'a quorum threshold above 1',
      override: withTransition(1, { ...phase3To4, rule: { kind: 'quorum', fraction: 1.5 } }),
      expected: [expect.stringMatching(/^transitions\.1\.rule\.fraction: /)],
    },
    {
      problem: 'an unknown time zone',
      override: { project: { time_zone: 'America/Springfield' } },
      expected: ['project.time_zone: unknown IANA time zone'],
    },
    {
      problem: 'an unknown time zone on a schedule',
      override: { schedules: [{ ...tickJob, time_zone: 'Mars/Olympus_Mons' }] },
      expected: ['schedules.0.time_zone: unknown IANA time zone'],
    },
    {
      problem: 'a cron that does not parse',
      override: { schedules: [{ ...tickJob, cron: '61 * * * *' }] },
      expected: ['schedules.0.cron: cron expression does not parse'],
    },
    {
      problem: 'a cron with a seconds field, which Cloud Scheduler refuses',
      override: { schedules: [{ ...tickJob, cron: '0 */5 * * * *' }] },
      expected: [
        'schedules.0.cron: cron expression needs five fields (minute hour day-of-month month day-of-week)',
      ],
    },
    {
      problem: 'a cron nickname, which Cloud Scheduler refuses',
      override: { schedules: [{ ...tickJob, cron: '@daily' }] },
      expected: [
        'schedules.0.cron: cron expression needs five fields (minute hour day-of-month month day-of-week)',
      ],
    },
    {
      problem: 'a processor listed twice in a phase',
      override: {
        phases: DEFAULT_PIPELINE.phases.map((phase) =>
          phase.id === 'phase4'
            ? { ...phase, processors: [...phase.processors, { name: 'player_daily_cache' }] }
            : phase,
        ),
      },
      expected: ['phases.2.processors.5.name: player_daily_cache appears twice in phase4'],
    },
    {
      problem: 'tiers out of order',
      override: withTransition(2, {
        ...phase4To5,
        rule: {
          kind: 'tiered',
          tiers: [
            { after_minutes: 0, min_completed: 5 },
            { after_minutes: 120, min_completed: 3 },
            { after_minutes: 60, min_completed: 4 },
          ],
        },
      }),
      expected: ['transitions.2.rule.tiers.2.after_minutes: tiers must be in increasing order'],
    },
    {
      problem: 'a tier asking for more processors than the phase has',
      override: withTransition(2, {
        ...phase4To5,
        rule: { kind: 'tiered', tiers: [{ after_minutes: 0, min_completed: 6 }] },
      }),
      expected: ['transitions.2.rule.tiers.0.min_completed: 6 is more than the 5 processors of phase4'],
    },
    {
      problem: 'a tier with neither a count nor critical_only',
      override: withTransition(2, { ...phase4To5, rule: { kind: 'tiered', tiers: [{ after_minutes: 0 }] } }),
      expected: ['transitions.2.rule.tiers.0: give min_completed or critical_only'],
    },
    {
      problem: 'a transition from a phase that does not exist',
      override: withTransition(1, { ...phase3To4, from: 'phase9' }),
      expected: ['transitions.1.from: no phase named phase9'],
    },
    {
      problem: 'a firing transition without an output topic',
      override: withTransition(1, { ...phase3To4, output: undefined }),
      expected: ['transitions.1.output: a critical_only transition needs an output topic'],
    },
    {
      problem: 'a critical_only rule with no critical processor',
      override: withTransition(1, { ...phase3To4, critical: [] }),
      expected: ['transitions.1.critical: a critical_only rule needs at least one critical processor'],
    },
    {
      problem: 'record counting for a phase that does not exist',
      override: { record_count: { phases: ['phase3', 'phase7'] } },
      expected: ['record_count.phases.1: no phase named phase7'],
    },
    {
      problem: 'two scheduler jobs with one id',
      override: { schedules: [tickJob, tickJob] },
      expected: ['schedules.1.id: shotclock-tick appears twice'],
    },
    {
      problem: 'two phases with one id',
      override: { phases: [...DEFAULT_PIPELINE.phases, { ...DEFAULT_PIPELINE.phases[2]!, label: 'again' }] },
      expected: ['phases.3.id: phase4 appears twice'],
    },
    {
      problem: 'a critical processor listed twice',
      override: withTransition(2, {
        ...phase4To5,
        critical: ['player_daily_cache', 'ml_feature_store', 'player_daily_cache'],
      }),
      expected: ['transitions.2.critical.2: player_daily_cache appears twice'],
    },
    {
      problem: 'a minimum backoff above the maximum',
      override: { delivery: { min_backoff_seconds: 600, max_backoff_seconds: 60 } },
      expected: ['delivery.min_backoff_seconds: 600 is more than max_backoff_seconds (60)'],
    },
    {
      problem: 'a cutoff that is not a clock time',
      override: { freshness_gate: { cutoff_local_time: '25:00' } },
      expected: ['freshness_gate.cutoff_local_time: expected HH:MM (24 h)'],
    },
    {
      problem: 'an unknown top-level key (a typo of alerts)',
      override: { alertz: { cooldown_minutes: 5 } },
      expected: ['alertz: unknown key (did you mean alerts?)'],
    },
    {
      problem: 'an unknown key inside an object',
      override: { alerts: { cooldown_minuts: 5 } },
      expected: ['alerts.cooldown_minuts: unknown key (did you mean cooldown_minutes?)'],
    },
    {
      problem: 'an unknown key inside an array element',
      override: { schedules: [{ ...tickJob, timezone: 'America/New_York' }] },
      expected: ['schedules.0.timezone: unknown key (did you mean time_zone?)'],
    },
    {
      problem: 'an unknown key far from any known one',
      override: { delivery: { retries_forever: true } },
      expected: ['delivery.retries_forever: unknown key'],
    },
    {
      problem: 'a wrong type deep inside',
      override: { alerts: { thresholds: { worker_errors: { count: 'five' } } } },
      expected: [expect.stringMatching(/^alerts\.thresholds\.worker_errors\.count: .*number/)],
    },
  ])('$problem', ({ override, expected }) => {
    expect(problemsOf(override)).toEqual(expected);
  });

  it('lists several problems at once, schema problems and all', () => {
    const problems = problemsOf({
      project: { time_zone: 'Nowhere/Land' },
      schedules: [{ ...tickJob, cron: '*/5 * * * Funday' }],
      freshness_gate: { cutoff_local_time: '10pm' },
    });
    expect(problems).toEqual([
      'project.time_zone: unknown IANA time zone',
      'freshness_gate.cutoff_local_time: expected HH:MM (24 h)',
      'schedules.0.cron: cron expression does not parse',
    ]);
  });

  it('lists several cross-reference problems at once', () => {
    const problems = problemsOf({
      transitions: [
        DEFAULT_PIPELINE.transitions[0],
        {
          ...phase3To4,
          rule: { kind: 'quorum' },
          critical: ['upcoming_player_game_context', 'not_a_processor'],
        },
        {
          ...phase4To5,
          rule: {
            kind: 'tiered',
            tiers: [
              { after_minutes: 60, min_completed: 4 },
              { after_minutes: 0, min_completed: 5 },
            ],
          },
        },
      ],
      record_count: { phases: ['phase8'] },
    });
    expect(problems).toEqual([
      'transitions.1.critical.1: not_a_processor is not a processor of phase3',
      'transitions.1.rule.fraction: a quorum needs a threshold (fraction of processors, 0-1)',
      'transitions.2.rule.tiers.1.after_minutes: tiers must be in increasing order',
      'record_count.phases.0: no phase named phase8',
    ]);
  });

  it('says so in the error message a person sees at start-up, one problem per line', () => {
    expect(() =>
      loadPipelineConfig({ project: { time_zone: 'Nowhere/Land' }, freshness_gate: { target: 'NEXT_WEEK' } }),
    ).toThrowError(
      /^invalid pipeline config:\n {2}- project\.time_zone: unknown IANA time zone\n {2}- freshness_gate\.target: /,
    );
  });
});

describe('loadPipelineConfig: deep-merge override', () => {
  it('changing freshness_gate.cutoff_local_time keeps everything else', () => {
    const config = loadPipelineConfig({ freshness_gate: { cutoff_local_time: '21:30' } });
    const reference = loadPipelineConfig();
    expect(config.freshness_gate.cutoff_local_time).toBe('21:30');
    expect({ ...config, freshness_gate: { ...config.freshness_gate, cutoff_local_time: '22:00' } }).toEqual(
      reference,
    );
  });

  it('an array in the override replaces the default one', () => {
    const config = loadPipelineConfig({ record_count: { phases: [] } });
    expect(config.record_count.phases).toEqual([]);
    expect(config.record_count.max_attempts).toBe(3);
  });

  it('drops __proto__ keys from a JSON override instead of letting them reach a prototype', () => {
    const override = JSON.parse(
      '{"__proto__": {"injected": true}, "alerts": {"__proto__": {"cooldown_minutes": 1}}}',
    );
    const merged = deepMerge({ alerts: { cooldown_minutes: 60 } }, override) as Record<string, unknown>;
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(merged.injected).toBeUndefined();
    expect(({} as Record<string, unknown>).injected).toBeUndefined();
    const config = loadPipelineConfig(override);
    expect(config.alerts.cooldown_minutes).toBe(60);
    expect('injected' in config).toBe(false);
  });

  it('leaves the default pipeline untouched', () => {
    const before = JSON.stringify(DEFAULT_PIPELINE);
    loadPipelineConfig({ freshness_gate: { cutoff_local_time: '20:00' }, record_count: { phases: [] } });
    expect(JSON.stringify(DEFAULT_PIPELINE)).toBe(before);
  });
});

describe('loadPipelineConfig: the loaded config is frozen', () => {
  it('refuses writes at every depth', () => {
    const config = loadPipelineConfig();
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.freshness_gate.checks[0])).toBe(true);
    expect(Object.isFrozen(config.transitions[2]!.rule)).toBe(true);
    expect(() => {
      (config.freshness_gate as { cutoff_local_time: string }).cutoff_local_time = '23:59';
    }).toThrow(TypeError);
    expect(() => {
      (config.phases[1]!.processors as unknown[]).push({ name: 'extra' });
    }).toThrow(TypeError);
    expect(config.freshness_gate.cutoff_local_time).toBe('22:00');
  });
});
