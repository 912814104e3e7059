import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, buildFunction } from '../../scripts/build.js';
import {
  checkBundleDependencies,
  MissingDependencyError,
  type StagedBundle,
  serveTarget,
} from '../../scripts/bundle-check.js';
import { ProbeAnswer } from '../../shared/probe/probe-answer.js';
import { PROBE_HEADER, probeRequest } from '../../shared/probe/probe-request.js';
import { descriptor } from '../fixtures/functions/lazyFirestoreWorker/descriptor.js';
import { emulatorEnv, stagingArea } from './staging.js';

/**
 * The 2026-01-18 failure, reproduced: a worker whose locking path loads
 * Firestore lazily while its package does not declare it. The build-time
 * check and the runtime probe must both say which function and which module.
 */
const area = stagingArea('lazy-dependency');
let bundle: StagedBundle;

beforeAll(async () => {
  const built = await buildFunction({
    name: descriptor.name,
    entry: join(REPO_ROOT, 'test/fixtures/functions/lazyFirestoreWorker/index.ts'),
    outDir: join(area.root, 'dist', descriptor.name),
  });
  expect(Object.keys(built.dependencies)).not.toContain('@google-cloud/firestore');
  bundle = await area.staging.stage(descriptor.name, built.outDir);
}, 240_000);
afterAll(() => area.remove());

describe('a lazy dependency the package does not declare', () => {
  it('fails the build-time check, naming the function and the module', async () => {
    const check = checkBundleDependencies(bundle, descriptor.lazyModules ?? []);
    await expect(check).rejects.toBeInstanceOf(MissingDependencyError);
    await expect(check).rejects.toThrow(
      /^lazyFirestoreWorker: cannot load @google-cloud\/firestore on a lazy path/,
    );
  });

  it('starts fine, answers its probe red on that module, and crashes on a real message', async () => {
    const served = await serveTarget(bundle, descriptor.name, emulatorEnv());
    try {
      const probe = await fetch(served.url, { method: 'POST', ...probeRequest('modules') });
      expect(probe.status).toBe(200);
      const answer = ProbeAnswer.parse(await probe.json());
      expect(answer).toMatchObject({ function: 'lazyFirestoreWorker', status: 'red' });
      expect(answer.checks.find((check) => check.status === 'red')).toMatchObject({
        check: 'module:@google-cloud/firestore',
        detail: expect.stringContaining('@google-cloud/firestore'),
      });

      const { [PROBE_HEADER]: _probe, ...headers } = probeRequest('modules').headers;
      const message = {
        message: { data: Buffer.from('{"game_date":"2026-01-18"}').toString('base64'), messageId: '1' },
      };
      const crash = await fetch(served.url, {
        method: 'POST',
        headers,
        body: JSON.stringify(message),
      });
      expect(crash.status).toBe(500);
    } finally {
      await served.stop();
    }
  });
});
