import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type BuiltFunction, buildFunction, FUNCTIONS_DIR, listFunctions } from '../../scripts/build.js';
import {
  checkBundleDependencies,
  descriptorOf,
  type StagedBundle,
  serveTarget,
} from '../../scripts/bundle-check.js';
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

      for (const { target } of targetsOf(descriptor)) {
        const served = await serveTarget(bundle, target, { ...emulatorEnv(), ...descriptor.testEnv });
        try {
          const request = probeRequest('modules');
          const response = await fetch(served.url, { method: 'POST', ...request });
          const body = await response.text();
          expect(response.status, `${target}: ${body}\n${served.output()}`).toBeLessThan(300);
          const answer = ProbeAnswer.safeParse(safeJson(body));
          if (answer.success)
            expect(
              answer.data.checks.filter((check) => check.status === 'red'),
              target,
            ).toEqual([]);
        } finally {
          await served.stop();
        }
      }
    }, 300_000);
});

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
