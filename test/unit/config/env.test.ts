import { describe, expect, it } from 'vitest';
import { readSettings } from '../../../shared/config/env.js';
import { ConfigError } from '../../../shared/config/load.js';

function problemsOf(run: () => unknown): string[] {
  try {
    run();
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems;
  }
}

describe('readSettings', () => {
  it('with an empty environment: the default pipeline, production backends, the config project', () => {
    const settings = readSettings({});
    expect(settings.projectId).toBe('nba-props-platform');
    expect(settings.env.SHOTCLOCK_WAREHOUSE).toBe('bigquery');
    expect(settings.env.SHOTCLOCK_OBJECT_STORE).toBe('gcs');
    expect(settings.config.freshness_gate.cutoff_local_time).toBe('22:00');
  });

  it('deep-merges SHOTCLOCK_CONFIG JSON over the default', () => {
    const settings = readSettings({
      SHOTCLOCK_CONFIG: JSON.stringify({ freshness_gate: { cutoff_local_time: '21:00' } }),
      GOOGLE_CLOUD_PROJECT: 'demo-shotclock',
      SHOTCLOCK_WAREHOUSE: 'duckdb:/tmp/warehouse.duckdb',
    });
    expect(settings.config.freshness_gate.cutoff_local_time).toBe('21:00');
    expect(settings.config.freshness_gate.output_topic).toBe('nba-predictions-trigger');
    expect(settings.projectId).toBe('demo-shotclock');
    expect(settings.env.SHOTCLOCK_WAREHOUSE).toBe('duckdb:/tmp/warehouse.duckdb');
  });

  it('applies SHOTCLOCK_CONFIG_FILE after SHOTCLOCK_CONFIG, through the reader it is given', () => {
    const files: Record<string, string> = {
      '/etc/shotclock.json': JSON.stringify({ freshness_gate: { cutoff_local_time: '20:30' } }),
    };
    const settings = readSettings(
      {
        SHOTCLOCK_CONFIG: JSON.stringify({
          freshness_gate: { cutoff_local_time: '21:00' },
          alerts: { cooldown_minutes: 5 },
        }),
        SHOTCLOCK_CONFIG_FILE: '/etc/shotclock.json',
      },
      (path) => files[path] ?? '',
    );
    expect(settings.config.freshness_gate.cutoff_local_time).toBe('20:30');
    expect(settings.config.alerts.cooldown_minutes).toBe(5);
  });

  it.each([
    {
      case: 'SHOTCLOCK_CONFIG that is not JSON',
      env: { SHOTCLOCK_CONFIG: '{freshness_gate: 1' },
      expected: [expect.stringMatching(/^SHOTCLOCK_CONFIG: not JSON \(/)],
    },
    {
      case: 'SHOTCLOCK_CONFIG that makes a bad config',
      env: { SHOTCLOCK_CONFIG: JSON.stringify({ project: { time_zone: 'Nowhere/Land' } }) },
      expected: ['project.time_zone: unknown IANA time zone'],
    },
    {
      case: 'a warehouse that is neither bigquery nor duckdb',
      env: { SHOTCLOCK_WAREHOUSE: 'postgres://db' },
      expected: ['env SHOTCLOCK_WAREHOUSE: expected bigquery or duckdb:<file>'],
    },
    {
      case: 'an object store that is neither gcs nor a folder',
      env: { SHOTCLOCK_OBJECT_STORE: 's3://bucket' },
      expected: ['env SHOTCLOCK_OBJECT_STORE: expected gcs or folder:<dir>'],
    },
    {
      case: 'a Slack webhook that is not a URL',
      env: { SLACK_WEBHOOK_URL: 'hooks.slack.com/x' },
      expected: [expect.stringMatching(/^env SLACK_WEBHOOK_URL: /)],
    },
    {
      case: 'a config file but no file reader given',
      env: { SHOTCLOCK_CONFIG_FILE: '/etc/shotclock.json' },
      expected: [
        "env SHOTCLOCK_CONFIG_FILE: no file reader was given to readSettings (use the runtime's or the CLI's settings)",
      ],
    },
  ])('refuses $case, saying where', ({ env, expected }) => {
    expect(problemsOf(() => readSettings(env))).toEqual(expected);
  });

  it('names the source of a bad override and every unknown key by path', () => {
    let caught: unknown;
    try {
      readSettings({ SHOTCLOCK_CONFIG_FILE: '/etc/shotclock.json' }, () =>
        JSON.stringify({ alertz: {}, alerts: { cooldown_minuts: 5 } }),
      );
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).oneLine()).toBe(
      'invalid pipeline config (/etc/shotclock.json): alerts.cooldown_minuts: unknown key (did you mean cooldown_minutes?); alertz: unknown key (did you mean alerts?)',
    );
  });

  it('keeps the override as given, for the replay to merge a scenario over', () => {
    const settings = readSettings({ SHOTCLOCK_CONFIG: JSON.stringify({ alerts: { cooldown_minutes: 5 } }) });
    expect(settings.override).toEqual({ alerts: { cooldown_minutes: 5 } });
  });

  it('says which config file it could not read', () => {
    const problems = problemsOf(() =>
      readSettings({ SHOTCLOCK_CONFIG_FILE: '/nope.json' }, () => {
        throw new Error('ENOENT: no such file or directory');
      }),
    );
    expect(problems).toEqual([
      'env SHOTCLOCK_CONFIG_FILE: cannot read /nope.json (ENOENT: no such file or directory)',
    ]);
  });

  it('returns frozen settings and keeps only the variables it knows', () => {
    const settings = readSettings({ HOME: '/root', PUBSUB_EMULATOR_HOST: '127.0.0.1:8085' });
    expect(Object.isFrozen(settings)).toBe(true);
    expect(Object.isFrozen(settings.env)).toBe(true);
    expect(Object.isFrozen(settings.config)).toBe(true);
    expect(settings.env.PUBSUB_EMULATOR_HOST).toBe('127.0.0.1:8085');
    expect('HOME' in settings.env).toBe(false);
  });
});
