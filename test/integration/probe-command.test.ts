import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../scripts/build.js';
import { freePort } from '../../scripts/local/emulators.js';
import { loadPipelineConfig } from '../../shared/config/load.js';
import { topologyFromConfig } from '../../shared/probe/expected-topology.js';
import { emulatorPubSub, freshProjectId } from '../support/backends.js';

// The Google clients would otherwise look for a GCE metadata server off-host, even on the emulators.
process.env.METADATA_SERVER_DETECTION = 'none';
const run = promisify(execFile);
const workDir = mkdtempSync(join(tmpdir(), 'shotclock-probe-command-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

/** `shotclock probe` as an operator runs it, against the emulators. */
async function shotclockProbe(projectId: string, args: string[]) {
  try {
    const { stdout } = await run(
      process.execPath,
      ['scripts/shotclock.mjs', 'probe', '--project', projectId, ...args],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, GOOGLE_CLOUD_PROJECT: projectId, METADATA_SERVER_DETECTION: 'none' },
      },
    );
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout + failed.stderr };
  }
}

describe('shotclock probe', () => {
  it('exits 1 and writes a JSON report naming each red check', async () => {
    const projectId = freshProjectId('probecli');
    const gone = `http://127.0.0.1:${await freePort()}/`;
    const report = join(workDir, 'red.json');
    const { code, stdout } = await shotclockProbe(projectId, [
      '--function',
      `gone=${gone}`,
      '--report',
      report,
    ]);

    expect(code, stdout).toBe(1);
    expect(stdout).toMatch(/^probing 1 function\(s\) given with --function\ndependency probe RED: /);
    expect(stdout).toContain('RED function:gone:');
    expect(stdout).toContain('RED topic:shotclock-tick: topic does not exist');
    const written = JSON.parse(readFileSync(report, 'utf8'));
    expect(written.status).toBe('red');
    expect(written.checks).toContainEqual(
      expect.objectContaining({
        check: 'job:dependency-probe',
        status: 'red',
        detail: 'target topic shotclock-tick does not exist',
      }),
    );
  }, 90_000);

  it('exits 0 when the topology and the function are healthy', async () => {
    const projectId = freshProjectId('probecli');
    const pubsub = emulatorPubSub(projectId);
    for (const { name } of topologyFromConfig(loadPipelineConfig()).topics) {
      const [topic] = await pubsub.createTopic(name);
      const [deadLetter] = await pubsub.createTopic(`${name}-sub-dlq`);
      await topic.createSubscription(`${name}-sub`, {
        deadLetterPolicy: { deadLetterTopic: deadLetter.name, maxDeliveryAttempts: 5 },
      });
    }
    // a liveness-only function, like `health`: it answers 200 without a probe answer
    const health = createServer((_request, response) => response.writeHead(200).end('{"status":"ok"}'));
    const port = await freePort();
    await new Promise<void>((resolve) => health.listen(port, '127.0.0.1', resolve));
    try {
      const report = join(workDir, 'green.json');
      const { code, stdout } = await shotclockProbe(projectId, [
        '--function',
        `health=http://127.0.0.1:${port}/`,
        '--report',
        report,
      ]);
      const written = JSON.parse(readFileSync(report, 'utf8'));
      expect(written.checks.filter((check: { status: string }) => check.status === 'red')).toEqual([]);
      expect(code, stdout).toBe(0);
      expect(stdout).toMatch(
        /^probing 1 function\(s\) given with --function\ndependency probe GREEN: \d+ green, 0 red, \d+ skipped in \d+ ms/,
      );
    } finally {
      health.close();
    }
  }, 90_000);
});
