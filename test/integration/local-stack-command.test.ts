import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const processAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('shotclock local up / local down', () => {
  let up: ChildProcess | undefined;
  afterAll(() => {
    if (up?.pid && processAlive(up.pid)) up.kill('SIGKILL');
  });

  it('serves every function on loopback with its own emulators, and `down` stops all of it', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'shotclock-local-'));
    up = spawn(process.execPath, ['scripts/shotclock.mjs', 'local', 'up', '--data', dataDir], {
      env: { ...process.env, PUBSUB_EMULATOR_HOST: '', FIRESTORE_EMULATOR_HOST: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    up.stdout!.on('data', (chunk) => {
      output += chunk;
    });
    up.stderr!.on('data', (chunk) => {
      output += chunk;
    });
    for (let waited = 0; !output.includes('warehouse:') && waited < 90_000; waited += 250)
      await new Promise((resolve) => setTimeout(resolve, 250));
    expect(output).toContain('local stack up');

    const stack = JSON.parse(await readFile(join(dataDir, 'stack.json'), 'utf8')) as {
      pid: number;
      urls: Record<string, string>;
      env: Record<string, string>;
    };
    expect(Object.keys(stack.urls)).toEqual(
      expect.arrayContaining(['phase-transition', 'freshness-gate', 'status-page']),
    );
    for (const url of Object.values(stack.urls)) expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(stack.urls.health!);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    const gate = await fetch(`${stack.urls['freshness-gate-http']}?date=not-a-date`);
    expect(gate.status).toBe(400);

    const emulatorPorts = Object.values(stack.env)
      .filter((value) => /^127\.0\.0\.1:\d+$/.test(value))
      .map((host) => host.split(':')[1]);
    expect(emulatorPorts).toHaveLength(2);

    const down = await run(process.execPath, ['scripts/shotclock.mjs', 'local', 'down', '--data', dataDir]);
    expect(down.stdout).toContain(`stopped the local stack (pid ${stack.pid})`);
    expect(processAlive(stack.pid)).toBe(false);
    // The emulators it started are gone with it: nothing answers on their ports.
    for (const port of emulatorPorts)
      await expect(
        fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) }),
      ).rejects.toThrow();
  }, 150_000);
});
