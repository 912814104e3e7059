import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { buildFunction, REPO_ROOT } from '../../scripts/build.js';

/**
 * Bundles leave out modules the Google clients load but never use on Node
 * (scripts/build.ts): the static protobuf.js modules they only re-export, and
 * node-fetch 2's fallback for Node's own URL. The clients still work; code
 * that reads a left-out module fails at once, naming it.
 */
const dir = mkdtempSync(join(tmpdir(), 'shotclock-left-out-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('modules left out of a bundle', () => {
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

  it("node-fetch 2 fetches over loopback with Node's URL, without whatwg-url and its Unicode table", async () => {
    const built = await buildFunction({
      name: 'nodeFetch',
      entry: join(REPO_ROOT, 'test/fixtures/bundles/nodeFetch/index.mjs'),
      outDir: join(dir, 'nodeFetch'),
    });
    const inputs = Object.keys(JSON.parse(readFileSync(join(built.outDir, 'metafile.json'), 'utf8')).inputs);
    expect(inputs.filter((input) => /[\\/](tr46|whatwg-url)[\\/]/.test(input))).toEqual([]);
    const server = createServer((request, response) => response.end(`seen ${request.url}`));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { fetch } = await import(pathToFileURL(join(built.outDir, 'index.js')).href);
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/ping?x=1`);
      expect(await response.text()).toBe('seen /v1/ping?x=1');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  }, 120_000);
});
