import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PubSub } from '@google-cloud/pubsub';
import { afterAll, describe, expect, it } from 'vitest';
import { type BuiltFunction, buildFunction, FUNCTIONS_DIR, listFunctions } from '../../scripts/build.js';
import {
  checkBundleDependencies,
  descriptorOf,
  loadModulesFrom,
  type StagedBundle,
  serveTarget,
} from '../../scripts/bundle-check.js';
import { loadPipelineConfig } from '../../shared/config/load.js';
import { targetsOf } from '../../shared/probe/function-descriptor.js';
import { ProbeAnswer } from '../../shared/probe/probe-answer.js';
import { probeRequest } from '../../shared/probe/probe-request.js';
import { emulatorEnv, stagingArea } from './staging.js';

/**
 * Every real function, the way it is deployed: bundled, copied out of the
 * repository, installed with only its declared dependencies, every lazy
 * module loaded, each target served by its own functions-framework and called
 * once with a probe request.
 */
const area = stagingArea('bundles');
afterAll(() => area.remove());

/**
 * BigQuery and Cloud Storage have no emulator here: a loopback server answers
 * every call with a 400, so a full probe's query, table and bucket checks go
 * red at once (a refused connection would be retried for seconds each), and
 * nothing reaches Google.
 */
const noGoogleApis = createServer((_request, response) => {
  response.writeHead(400, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ error: { code: 400, message: 'no Google API in this test' } }));
});
const noGoogleApisUrl = new Promise<string>((resolve) =>
  noGoogleApis.listen(0, '127.0.0.1', () =>
    resolve(`http://127.0.0.1:${(noGoogleApis.address() as AddressInfo).port}`),
  ),
);
afterAll(() => new Promise<void>((resolve) => noGoogleApis.close(() => resolve())));

const functions = listFunctions();

// Build and install everything up front, so the npm installs overlap; each test awaits its own.
const staged = new Map<string, Promise<{ built: BuiltFunction; bundle: StagedBundle }>>(
  functions.map((name) => [
    name,
    buildFunction({
      name,
      entry: join(FUNCTIONS_DIR, name, 'index.ts'),
      outDir: join(area.root, 'dist', name),
    }).then(async (built) => ({ built, bundle: await area.staging.stage(name, built.outDir) })),
  ]),
);
for (const pending of staged.values()) pending.catch(() => undefined);

describe('function bundles, each on its own', () => {
  it('finds the real functions in functions/', () => {
    expect(functions).toContain('health');
    expect(functions).toContain('dependencyProbe');
  });

  for (const name of functions)
    it(`${name}: declares what it imports, loads every lazy module, answers on every target`, async () => {
      const { built, bundle } = await staged.get(name)!;
      const declared = Object.keys(built.dependencies);
      expect(declared).toContain('@google-cloud/functions-framework');
      expect(declared.filter((dependency) => dependency.startsWith('@duckdb/'))).toEqual([]);
      for (const version of Object.values(built.dependencies)) expect(version).toMatch(/^\d+\.\d+\.\d+/);
      const manifest = JSON.parse(readFileSync(join(bundle.dir, 'package.json'), 'utf8'));
      expect(manifest).toMatchObject({ main: 'index.js', type: 'module', engines: { node: '>=20' } });
      expect(manifest.dependencies).toEqual(built.dependencies);
      for (const file of ['index.js', 'index.js.map', 'metafile.json'])
        expect(existsSync(join(bundle.dir, file))).toBe(true);

      const descriptor = await descriptorOf(name);
      // The Google clients are bundled, loaded on a lazy path: nothing of theirs to install.
      expect(declared.filter((dependency) => dependency.startsWith('@google-cloud/'))).toEqual([
        '@google-cloud/functions-framework',
      ]);
      await checkBundleDependencies(bundle, [
        ...built.lazyPackages,
        ...built.lazyChunks.map((chunk) => `./${chunk}`),
        ...(descriptor.lazyModules ?? []),
      ]);
      // The DuckDB path is local only: in production it fails loudly, never reads a warehouse file.
      const localOnly = await loadModulesFrom(
        bundle.dir,
        built.localOnlyChunks.map((chunk) => `./${chunk}`),
      );
      expect(localOnly.map((failure) => failure.error)).toEqual(
        built.localOnlyChunks.map(() => '@duckdb/node-api is local only and not in production bundles'),
      );

      for (const { target } of targetsOf(descriptor)) {
        const apis = await noGoogleApisUrl;
        const emulatorEnvironment = {
          ...emulatorEnv(),
          BIGQUERY_EMULATOR_HOST: apis,
          STORAGE_EMULATOR_HOST: apis,
        };
        const served = await serveTarget(bundle, target, { ...emulatorEnvironment, ...descriptor.testEnv });
        try {
          const request = probeRequest('modules');
          const response = await fetch(served.url, { method: 'POST', ...request });
          const body = await response.text();
          expect(response.status, `${target}: ${body}\n${served.output()}`).toBeLessThan(300);
          const answer = ProbeAnswer.safeParse(safeJson(body));
          if (answer.success)
            expect(
              answer.data.checks.filter((check) => check.status === 'red'),
              `${target}: ${JSON.stringify(answer.data.checks.filter((check) => check.status === 'red'))}`,
            ).toEqual([]);
          // The bundled Firestore and Pub/Sub clients really speak gRPC: a full probe reaches the emulators.
          const touches = descriptor.touches?.(loadPipelineConfig(), '2026-01-18');
          if (target === descriptor.name && (touches?.state || touches?.topics?.length)) {
            await createTopics(emulatorEnvironment, touches?.topics ?? []);
            const full = probeRequest('full');
            const fullAnswer = ProbeAnswer.parse(
              await (await fetch(served.url, { method: 'POST', ...full })).json(),
            );
            const emulated = fullAnswer.checks.filter(
              (check) => check.check.startsWith('state:') || check.check.startsWith('topic:'),
            );
            expect(emulated.length, target).toBeGreaterThan(0);
            expect(
              emulated.filter((check) => check.status === 'red'),
              `${target}: ${JSON.stringify(emulated)}`,
            ).toEqual([]);
          }
        } finally {
          await served.stop();
        }
      }
    }, 300_000);
});

/** The topics a function publishes to, created in the bundle's emulator project as deploy would. */
async function createTopics(env: Record<string, string>, topics: readonly string[]): Promise<void> {
  const pubsub = new PubSub({ projectId: env.GOOGLE_CLOUD_PROJECT, apiEndpoint: env.PUBSUB_EMULATOR_HOST });
  try {
    for (const topic of topics) await pubsub.createTopic(topic).catch(() => undefined);
  } finally {
    await pubsub.close();
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
