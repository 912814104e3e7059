import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Firestore } from '@google-cloud/firestore';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { REPO_ROOT } from '../../scripts/build.js';
import { runShotclock } from '../../scripts/cli/program.js';
import { processAlive, type StackRecord } from '../../scripts/local/stack-record.js';

const dataDir = mkdtempSync(join(tmpdir(), 'shotclock-running-stack-'));

/** The CLI in this process, with what it printed to stdout and stderr. */
async function shotclock(...args: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...parts) => void stdout.push(parts.join(' ')));
  const error = vi
    .spyOn(console, 'error')
    .mockImplementation((...parts) => void stderr.push(parts.join(' ')));
  try {
    const code = await runShotclock(['node', 'shotclock', ...args]);
    return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
  } finally {
    process.exitCode = undefined;
    log.mockRestore();
    error.mockRestore();
  }
}

const emulatorAnswers = (host: string) =>
  fetch(`http://${host}/`, { signal: AbortSignal.timeout(2000) }).then(
    (response) => response.ok,
    () => false,
  );

describe('probe and publish against the stack `shotclock local up` runs', () => {
  let up: ChildProcess;
  let stack: StackRecord;
  let output = '';

  beforeAll(async () => {
    up = spawn(process.execPath, ['scripts/shotclock.mjs', 'local', 'up', '--data', dataDir], {
      cwd: REPO_ROOT,
      env: { ...process.env, PUBSUB_EMULATOR_HOST: '', FIRESTORE_EMULATOR_HOST: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    up.stdout!.on('data', (chunk) => {
      output += chunk;
    });
    up.stderr!.on('data', (chunk) => {
      output += chunk;
    });
    for (let waited = 0; !output.includes('warehouse:') && waited < 120_000; waited += 250)
      await new Promise((resolve) => setTimeout(resolve, 250));
    if (!output.includes('warehouse:')) throw new Error(`local up did not come up:\n${output}`);
    stack = JSON.parse(readFileSync(join(dataDir, 'stack.json'), 'utf8')) as StackRecord;
  }, 150_000);

  afterAll(async () => {
    // Only what this test started: the `local up` process and, if it was killed, its emulators.
    if (up?.pid && processAlive(up.pid)) up.kill('SIGKILL');
    for (const pgid of stack?.emulatorPids ?? [])
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // stopped already
      }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('probe says it probes that stack, and finds every function and topic green', async () => {
    const result = await shotclock('probe', '--data', dataDir, '--scope', 'modules');
    expect(result.stdout).toContain(
      `probing the local stack of pid ${stack.pid} (project ${stack.projectId}`,
    );
    expect(result.stdout).toMatch(/dependency probe GREEN: \d+ green, 0 red/);
    expect(result.code).toBe(0);
    // It probed the stack in place: the stack is still up and no second one was started.
    expect(processAlive(stack.pid)).toBe(true);
    expect(existsSync(join(REPO_ROOT, '.shotclock', 'probe', 'stack.json'))).toBe(false);
  }, 90_000);

  it('local publish: a Phase 3 completion reaches the transition function, which records it in Firestore', async () => {
    const gameDate = DateTime.now().setZone('America/New_York').toISODate()!;
    const message = join(dataDir, 'completion.json');
    writeFileSync(
      message,
      JSON.stringify({
        processor_name: 'UpcomingPlayerGameContextProcessor',
        phase: 'phase_3_analytics',
        execution_id: 'local-publish-test',
        correlation_id: 'local-publish-test',
        game_date: gameDate,
        status: 'success',
        record_count: 156,
        timestamp: new Date().toISOString(),
      }),
    );
    const result = await shotclock(
      'local',
      'publish',
      'nba-phase3-analytics-complete',
      message,
      '--attribute',
      'source=test',
      '--data',
      dataDir,
    );
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(
      new RegExp(
        `^published message \\d+ on nba-phase3-analytics-complete \\(local stack pid ${stack.pid}\\)$`,
      ),
    );
    expect(result.code).toBe(0);

    // The client prefers FIRESTORE_EMULATOR_HOST (the suite's shared emulator) over `host`.
    const sharedEmulator = process.env.FIRESTORE_EMULATOR_HOST;
    process.env.FIRESTORE_EMULATOR_HOST = stack.env.FIRESTORE_EMULATOR_HOST;
    const firestore = new Firestore({ projectId: stack.projectId });
    try {
      let recorded: Record<string, unknown> | undefined;
      for (let waited = 0; !recorded && waited < 45_000; waited += 250) {
        recorded = (await firestore.doc(`phase3_completion/${gameDate}`).get()).data();
        if (!recorded) await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(JSON.stringify(recorded)).toContain('upcoming_player_game_context');
    } finally {
      await firestore.terminate();
      process.env.FIRESTORE_EMULATOR_HOST = sharedEmulator;
    }
  }, 60_000);

  it.each([
    {
      case: 'a topic the stack does not have',
      args: ['nba-phase9-complete', '{}'],
      says: /^shotclock: unknown topic nba-phase9-complete: the local stack has .*nba-phase3-analytics-complete/,
    },
    {
      case: 'JSON that does not parse',
      args: ['nba-phase3-analytics-complete', '{"game_date": '],
      says: /^shotclock: the message is not valid JSON \(/,
    },
    {
      case: 'neither JSON nor a file',
      args: ['nba-phase3-analytics-complete', 'completion.jsn'],
      says: /^shotclock: completion\.jsn: neither JSON nor a file$/,
    },
  ])('local publish, $case: one line, exit 2', async ({ args, says }) => {
    const result = await shotclock('local', 'publish', ...args, '--data', dataDir);
    expect(result.stderr.split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(says);
    expect(result.code).toBe(2);
  });

  it('when the stack dies, probe is red instead of starting its own, publish refuses, down clears what is left', async () => {
    up.kill('SIGKILL');
    for (let waited = 0; processAlive(stack.pid) && waited < 10_000; waited += 100)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(processAlive(stack.pid)).toBe(false);

    const probe = await shotclock('probe', '--data', dataDir);
    expect(probe.stdout).toContain(`probing the local stack of pid ${stack.pid}`);
    expect(probe.stdout).toContain('its process is gone');
    expect(probe.stdout).toMatch(/dependency probe RED: 0 green, 1 red/);
    expect(probe.stdout).toContain(`RED local-stack: pid ${stack.pid} is not running`);
    expect(probe.code).toBe(1);

    const publish = await shotclock(
      'local',
      'publish',
      'nba-phase3-analytics-complete',
      '{}',
      '--data',
      dataDir,
    );
    expect(publish.stderr).toMatch(
      new RegExp(`^shotclock: the local stack of pid ${stack.pid} .* is not running any more`),
    );
    expect(publish.code).toBe(2);

    const emulatorHosts = [stack.env.PUBSUB_EMULATOR_HOST!, stack.env.FIRESTORE_EMULATOR_HOST!];
    expect(await Promise.all(emulatorHosts.map(emulatorAnswers))).toEqual([true, true]);
    const down = await shotclock('local', 'down', '--data', dataDir);
    expect(down.stdout).toContain(
      `stack process ${stack.pid} was already gone; stopped the emulators it left`,
    );
    expect(await Promise.all(emulatorHosts.map(emulatorAnswers))).toEqual([false, false]);

    const after = await shotclock(
      'local',
      'publish',
      'nba-phase3-analytics-complete',
      '{}',
      '--data',
      dataDir,
    );
    expect(after.stderr).toMatch(
      /^shotclock: no local stack is running \(no .*stack\.json\): start one with/,
    );
    expect(after.code).toBe(2);
  }, 60_000);
});
