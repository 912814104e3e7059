import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { buildFunction, REPO_ROOT } from '../../scripts/build.js';

/**
 * Bundles leave out the static protobuf.js modules the Google clients only
 * re-export (scripts/build.ts, unusedProtoModules): the client still works,
 * and code that reads one fails at once, naming it.
 */
const dir = mkdtempSync(join(tmpdir(), 'shotclock-unused-protos-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('static proto modules left out of a bundle', () => {
  it('the Pub/Sub client builds its names without them; reading one names the module', async () => {
    const built = await buildFunction({
      name: 'pubsubProtos',
      entry: join(REPO_ROOT, 'test/fixtures/bundles/pubsubProtos/index.ts'),
      outDir: join(dir, 'pubsubProtos'),
    });
    const bundle = await import(pathToFileURL(join(built.outDir, 'index.js')).href);
    expect(new bundle.PubSub({ projectId: 'demo-protos' }).topic('ticks').name).toBe(
      'projects/demo-protos/topics/ticks',
    );
    expect(() => bundle.protos.google).toThrow(
      '@google-cloud/pubsub/build/protos/protos.js is not in this bundle',
    );
  }, 120_000);
});
