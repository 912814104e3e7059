import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { runShotclock } from '../../../scripts/cli/program.js';
import { REPO_ROOT } from '../../../scripts/build.js';

const run = promisify(execFile);
const BIN = join(REPO_ROOT, 'scripts', 'shotclock.mjs');
const scratch = mkdtempSync(join(tmpdir(), 'shotclock-user-errors-'));
const typoConfig = join(scratch, 'typo.json');
writeFileSync(typoConfig, JSON.stringify({ alerts: { cooldown_minuts: 30 } }));
const notAFolder = join(scratch, 'plain-file');
writeFileSync(notAFolder, 'x');

/** The environment of a new user: none of shotclock's own variables set. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('SHOTCLOCK_')),
  );
  return { ...env, ...extra };
}

/** The installed command, in its own process. */
async function shotclockProcess(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
) {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: cleanEnv(options.env),
      timeout: 90_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** The same CLI in this process (starting a process per case costs seconds on a loaded machine). */
async function shotclock(args: string[], options: { env?: Record<string, string> } = {}) {
  const saved = { ...process.env };
  const stderr: string[] = [];
  const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr.push(String(chunk));
    return true;
  });
  const error = vi
    .spyOn(console, 'error')
    .mockImplementation((...parts) => void stderr.push(`${parts.join(' ')}\n`));
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    for (const key of Object.keys(process.env)) if (key.startsWith('SHOTCLOCK_')) delete process.env[key];
    Object.assign(process.env, options.env);
    const code = await runShotclock(['node', 'shotclock', ...args]);
    return { code, stderr: stderr.join('') };
  } finally {
    process.env = saved;
    process.exitCode = undefined;
    write.mockRestore();
    error.mockRestore();
    log.mockRestore();
  }
}

const cases: { case: string; args: string[]; env?: Record<string, string>; says: RegExp }[] = [
  {
    case: 'a typo in the config file (config)',
    args: ['config', '--config', typoConfig],
    says: /^shotclock: invalid pipeline config \(.*typo\.json\): alerts\.cooldown_minuts: unknown key \(did you mean cooldown_minutes\?\)$/,
  },
  {
    case: 'an unknown top-level key in SHOTCLOCK_CONFIG (deploy --plan)',
    args: ['deploy', '--project', 'p', '--plan'],
    env: { SHOTCLOCK_CONFIG: '{"alertz":{}}' },
    says: /^shotclock: invalid pipeline config \(SHOTCLOCK_CONFIG\): alertz: unknown key \(did you mean alerts\?\)$/,
  },
  {
    case: 'a bad config file (local up)',
    args: ['local', 'up', '--data', join(scratch, 'local')],
    env: { SHOTCLOCK_CONFIG_FILE: typoConfig },
    says: /^shotclock: invalid pipeline config \(.*typo\.json\): alerts\.cooldown_minuts: unknown key/,
  },
  {
    case: 'a bad config file (probe)',
    args: ['probe', '--config', typoConfig],
    says: /^shotclock: invalid pipeline config \(.*typo\.json\): alerts\.cooldown_minuts: unknown key/,
  },
  {
    case: 'a bad config override (replay)',
    args: ['replay', 'test/scenarios/2026-01-18-incident.json', '--report', join(scratch, 'r.json')],
    env: { SHOTCLOCK_CONFIG: '{"alerts":{"cooldown_minutes":-5}}' },
    says: /^shotclock: invalid pipeline config \(SHOTCLOCK_CONFIG\): alerts\.cooldown_minutes: /,
  },
  {
    case: 'a bad config file (grade)',
    args: [
      'grade',
      '--from',
      '2026-01-01',
      '--to',
      '2026-01-02',
      '--warehouse',
      'bigquery',
      '--config',
      typoConfig,
    ],
    says: /^shotclock: invalid pipeline config \(.*typo\.json\): alerts\.cooldown_minuts: unknown key/,
  },
  {
    case: 'a config file that is not there',
    args: ['config', '--config', join(scratch, 'missing.json')],
    says: /^shotclock: invalid pipeline config: env SHOTCLOCK_CONFIG_FILE: cannot read .*missing\.json \(ENOENT/,
  },
  {
    case: 'replay --report where no file can be written (before the replay starts)',
    args: ['replay', 'test/scenarios/2026-01-18-incident.json', '--report', join(notAFolder, 'report.json')],
    says: /^shotclock: --report .*plain-file\/report\.json: cannot write the report \(.*plain-file is not a folder\)$/,
  },
  {
    case: 'replay of a scenario file that is not there',
    args: ['replay', 'test/scenarios/no-such-day.json', '--report', join(scratch, 'r.json')],
    says: /^shotclock: scenario test\/scenarios\/no-such-day\.json: not found$/,
  },
  {
    case: 'local publish with no local stack running',
    args: ['local', 'publish', 'nba-phase3-analytics-complete', '{}', '--data', join(scratch, 'no-stack')],
    says: /^shotclock: no local stack is running \(no .*no-stack\/stack\.json\): start one with shotclock local up$/,
  },
  {
    case: 'grade without --warehouse',
    args: ['grade', '--from', '2026-01-01', '--to', '2026-01-02'],
    says: /^shotclock: grade needs a warehouse: --warehouse bigquery or --warehouse duckdb:<file> \(or set SHOTCLOCK_WAREHOUSE\)$/,
  },
  {
    case: 'grade with a DuckDB file that does not exist',
    args: [
      'grade',
      '--from',
      '2026-01-01',
      '--to',
      '2026-01-02',
      '--warehouse',
      `duckdb:${join(scratch, 'no.duckdb')}`,
    ],
    says: /^shotclock: --warehouse duckdb:.*no\.duckdb: no such DuckDB file .*no\.duckdb$/,
  },
  {
    case: 'grade --from a date that is not on the calendar',
    args: ['grade', '--from', '2026-13-45', '--to', '2026-01-02', '--warehouse', 'bigquery'],
    says: /^shotclock: --from 2026-13-45: not a calendar date \(expected YYYY-MM-DD\)$/,
  },
  {
    case: 'grade --warehouse that is neither BigQuery nor DuckDB',
    args: ['grade', '--from', '2026-01-01', '--to', '2026-01-02', '--warehouse', 'postgres://x'],
    says: /^shotclock: --warehouse postgres:\/\/x: expected bigquery or duckdb:<file>$/,
  },
  {
    case: 'probe --scope that is not a scope',
    args: ['probe', '--scope', 'everything'],
    says: /^shotclock: option '--scope <scope>' argument 'everything' is invalid\. Allowed choices are modules, full\./,
  },
  {
    case: 'an unknown command',
    args: ['frobnicate'],
    says: /^shotclock: unknown command 'frobnicate'/,
  },
];

describe('a user mistake at the terminal: one line on stderr, exit code 2, no stack trace', () => {
  it.each(cases)('$case', async ({ args, env, says }) => {
    const result = await shotclock(args, env ? { env } : {});
    expect(result.stderr.trimEnd().split('\n'), result.stderr).toHaveLength(1);
    expect(result.stderr.trimEnd()).toMatch(says);
    expect(result.code).toBe(2);
  });

  it('shows the stack trace with --debug', async () => {
    const result = await shotclock(['grade', '--from', '2026-01-01', '--to', '2026-01-02', '--debug']);
    expect(result.stderr).toMatch(/^UserError: grade needs a warehouse/);
    expect(result.stderr).toMatch(/\n\s+at /);
    expect(result.code).toBe(2);
  });

  it('the installed command: deploy --apply before npm run build, from a folder without dist/', async () => {
    const result = await shotclockProcess(['deploy', '--project', 'p', '--apply'], { cwd: scratch });
    expect(result.stderr.trimEnd()).toMatch(
      /^shotclock: dist\/\w+ is missing: run npm run build before deploy --apply$/,
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.code).toBe(2);
  }, 120_000);

  it('the installed command: an unknown key in the config file', async () => {
    const result = await shotclockProcess(['config', '--config', typoConfig]);
    expect(result.stderr.trimEnd()).toMatch(
      /^shotclock: invalid pipeline config \(.*typo\.json\): alerts\.cooldown_minuts: unknown key \(did you mean cooldown_minutes\?\)$/,
    );
    expect(result.stdout).toBe('');
    expect(result.code).toBe(2);
  }, 120_000);

  it('the installed command: output piped into a reader that stops early (deploy --plan | head -1) ends quietly', async () => {
    // The plan (~120 KB) is more than a pipe holds: the rest is written after head has gone.
    const { stdout, stderr } = await run(
      'bash',
      ['-c', 'set -o pipefail; "$0" "$1" deploy --project p --plan | head -1', process.execPath, BIN],
      { cwd: REPO_ROOT, env: cleanEnv(), timeout: 90_000 },
    );
    expect(stdout).toBe('#!/usr/bin/env bash\n');
    expect(stderr).toBe('');
  }, 120_000);
});
