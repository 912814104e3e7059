import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../scripts/build.js';
import { loadPipelineConfig } from '../../../shared/config/load.js';
import { type FakeGcp, startFakeGcp } from '../../support/fake-gcp/server.js';

const run = promisify(execFile);
const PROJECT = 'shotclock-status';
const region = loadPipelineConfig().project.region;
let fake: FakeGcp;
let env: NodeJS.ProcessEnv;

/** `shotclock status` in its own process, its gcloud pointed at the local fake of Google's APIs. */
async function status(args: string[]) {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      [join(REPO_ROOT, 'scripts', 'shotclock.mjs'), 'status', ...args],
      {
        cwd: REPO_ROOT,
        env,
        timeout: 90_000,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

beforeAll(async () => {
  fake = await startFakeGcp({ project: PROJECT });
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !key.startsWith('SHOTCLOCK_') && key !== 'GOOGLE_CLOUD_PROJECT',
    ),
  );
  env = { ...clean, ...fake.gcloudEnv(await mkdtemp(join(tmpdir(), 'shotclock-status-'))) };
});
afterAll(async () => {
  await fake?.stop();
});

describe('shotclock status', () => {
  it('says in one line, exit 2, that it needs a project, and that nothing is deployed there yet', async () => {
    const noProject = await status([]);
    expect(noProject.code).toBe(2);
    expect(noProject.stderr.trim()).toBe(
      'shotclock: status: say which project: --project <id> (or GOOGLE_CLOUD_PROJECT)',
    );
    const empty = await status(['--project', PROJECT, '--open']);
    expect(empty.code).toBe(2);
    expect(empty.stderr.trim().split('\n')).toEqual([
      `shotclock: status: the status page is not deployed in ${PROJECT} (${region}): run shotclock deploy --project ${PROJECT} --apply`,
    ]);
  }, 120_000);

  it('prints the URL read back from the deployed status page (the one alerts link to)', async () => {
    const uri = `${fake.url}/runapp/status-page-123456-${region}`;
    fake.put(`cloudfunctions:projects/${PROJECT}/locations/${region}/functions/status-page`, {
      name: `projects/${PROJECT}/locations/${region}/functions/status-page`,
      serviceConfig: { uri },
    });
    const shown = await status(['--project', PROJECT]);
    expect(shown).toMatchObject({ code: 0, stdout: `status page: ${uri}\n` });
  }, 120_000);
});
