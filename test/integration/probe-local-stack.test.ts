import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { REPO_ROOT } from '../../scripts/build.js';
import { freshProjectId } from '../support/backends.js';

const run = promisify(execFile);
const workDir = mkdtempSync(join(tmpdir(), 'shotclock-probe-stack-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe('shotclock probe with no local stack running', () => {
  it('starts the stack on the running emulators and finds every function answering and every topic wired', async () => {
    const report = join(workDir, 'stack.json');
    const result = await run(
      process.execPath,
      [
        'scripts/shotclock.mjs',
        'probe',
        '--project',
        freshProjectId('probestack'),
        '--report',
        report,
        // A data folder no `local up` runs from: no running stack to probe.
        '--data',
        join(workDir, 'no-stack'),
      ],
      {
        cwd: REPO_ROOT,
        env: {
          ...process.env,
          PUBSUB_EMULATOR_HOST: inject('pubsubEmulatorHost'),
          FIRESTORE_EMULATOR_HOST: inject('firestoreEmulatorHost'),
          METADATA_SERVER_DETECTION: 'none',
        },
      },
    ).catch((error: { code: number; stdout: string; stderr: string }) => ({ ...error }));
    if (!existsSync(report))
      throw new Error(`no report: ${result.stdout}${'stderr' in result ? result.stderr : ''}`);
    expect(result.stdout).toContain(
      'no local stack is running (no ' +
        join(workDir, 'no-stack', 'stack.json') +
        '): probing a stack started for this probe, stopped after',
    );
    const written = JSON.parse(readFileSync(report, 'utf8'));
    const red = written.checks.filter((check: { status: string }) => check.status === 'red');
    expect(red, result.stdout).toEqual([]);
    expect(written.checks.some((check: { check: string }) => check.check.startsWith('dead-letter:'))).toBe(
      true,
    );
    expect(
      written.checks.filter((check: { check: string }) => /^function:[^/]+$/.test(check.check)).length,
    ).toBeGreaterThan(3);
  }, 180_000);
});
