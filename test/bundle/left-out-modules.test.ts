import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { buildFunction, REPO_ROOT } from '../../scripts/build.js';

/**
 * Bundles leave out modules the Google clients load but never use on Node
 * (scripts/build.ts): the static protobuf.js modules they only re-export,
 * Firestore's admin and v1beta1 clients, grpc-js's server side, and fallbacks
 * for what every Node from 18 on has. The clients still work; code that reads
 * a left-out module fails at once, naming it.
 */
const dir = mkdtempSync(join(tmpdir(), 'shotclock-left-out-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A fixture under test/fixtures/bundles/, built as a production bundle. */
const buildFixture = (name: string, file: string) =>
  buildFunction({
    name,
    entry: join(REPO_ROOT, 'test/fixtures/bundles', name, file),
    outDir: join(dir, name),
  });

describe('modules left out of a bundle', () => {
  it('the Pub/Sub client builds its names without them; reading one names the module', async () => {
    const built = await buildFixture('pubsubProtos', 'index.ts');
    const bundle = await import(pathToFileURL(join(built.outDir, 'index.js')).href);
    expect(new bundle.PubSub({ projectId: 'demo-protos' }).topic('ticks').name).toBe(
      'projects/demo-protos/topics/ticks',
    );
    expect(() => bundle.protos.google).toThrow(
      '@google-cloud/pubsub/build/protos/protos.js is not in this bundle',
    );
  }, 120_000);

  it("node-fetch 2 fetches over loopback with Node's URL, without whatwg-url and its Unicode table", async () => {
    const built = await buildFixture('nodeFetch', 'index.mjs');
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

  it('Firestore reads and writes through the emulator without its admin and v1beta1 clients, which fail naming themselves', async () => {
    const built = await buildFixture('googleClients', 'index.ts');
    const { Firestore, firestoreV1 } = await import(pathToFileURL(join(built.outDir, 'index.js')).href);
    process.env.FIRESTORE_EMULATOR_HOST = inject('firestoreEmulatorHost');
    const firestore = new Firestore({
      projectId: 'demo-left-out',
      host: inject('firestoreEmulatorHost'),
      ssl: false,
      preferRest: false,
    });
    try {
      const gate = firestore.collection('freshness_gate').doc('2026-01-18');
      await firestore.runTransaction(async (transaction: { set: (ref: unknown, data: unknown) => void }) =>
        transaction.set(gate, { state: 'OPEN' }),
      );
      expect((await gate.get()).data()).toEqual({ state: 'OPEN' });
    } finally {
      await firestore.terminate();
    }
    expect(() => new firestoreV1.FirestoreAdminClient()).toThrow(
      '@google-cloud/firestore/build/src/v1/firestore_admin_client.js is not in this bundle',
    );
    expect(() => Firestore.v1beta1.FirestoreClient).toThrow(
      '@google-cloud/firestore/build/src/v1beta1/index.js is not in this bundle',
    );
  }, 120_000);
});
