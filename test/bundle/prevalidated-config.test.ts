import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { prevalidatedDefaultConfig, REPO_ROOT } from '../../scripts/build.js';
import { loadPipelineConfig } from '../../shared/config/load.js';

/**
 * A bundle carries the default config the build parsed, so a function without
 * an override does not run the schema over it on its first event; an override
 * still goes through the schema, with the same one-line errors.
 */
const dir = mkdtempSync(join(tmpdir(), 'shotclock-prevalidated-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function bundledLoader(): Promise<{
  source: string;
  module: typeof import('../../shared/config/load.js');
}> {
  const outfile = join(dir, 'load.mjs');
  await build({
    entryPoints: [join(REPO_ROOT, 'shared/config/load.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    plugins: [prevalidatedDefaultConfig],
    logLevel: 'silent',
  });
  return { source: readFileSync(outfile, 'utf8'), module: await import(pathToFileURL(outfile).href) };
}

describe('the default config in a bundle', () => {
  it('is the one the schema gives, embedded at build time and frozen', async () => {
    const { source, module } = await bundledLoader();
    expect(source).toMatch(/PREVALIDATED_DEFAULT_JSON = ['"]\{"name"/);
    const config = module.loadPipelineConfig();
    expect(config).toEqual(loadPipelineConfig());
    expect(Object.isFrozen(config.project)).toBe(true);
  });

  it('an override is still parsed in full, its mistakes named on one line', async () => {
    const { module } = await bundledLoader();
    expect(module.loadPipelineConfig({ project: { region: 'europe-west1' } }).project.region).toBe(
      'europe-west1',
    );
    let error: unknown;
    try {
      module.loadPipelineConfig({ project: { regoin: 'europe-west1' } });
    } catch (caught) {
      error = caught;
    }
    expect((error as InstanceType<typeof module.ConfigError>).oneLine()).toBe(
      'invalid pipeline config: project.regoin: unknown key (did you mean region?)',
    );
  });
});
