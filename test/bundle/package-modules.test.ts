import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { buildFunction, REPO_ROOT } from '../../scripts/build.js';
import { identicalPackagesOnce } from '../../scripts/identical-packages-once.js';

/**
 * How a bundle carries the packages it uses: each release once, however many
 * copies npm installed, and each CommonJS module wrapped in a function V8
 * only pre-parses until the module is required.
 */
const dir = mkdtempSync(join(tmpdir(), 'shotclock-package-modules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeFiles(root: string, files: Record<string, string>): void {
  for (const [path, contents] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), contents);
  }
}

const counterPackage = (version: string) => ({
  'package.json': JSON.stringify({ name: 'retry-counter', version, main: 'index.js' }),
  'index.js': `exports.version = ${JSON.stringify(version)}; exports.calls = { count: 0 };`,
});
const prefixed = (prefix: string, files: Record<string, string>) =>
  Object.fromEntries(Object.entries(files).map(([path, contents]) => [`${prefix}/${path}`, contents]));

describe('bundled packages', () => {
  it('carries one copy of a release npm installed twice, and keeps different releases apart', async () => {
    const root = join(dir, 'dedupe');
    const user = (name: string) => ({
      [`node_modules/${name}/package.json`]: JSON.stringify({ name, version: '1.0.0', main: 'index.js' }),
      [`node_modules/${name}/index.js`]: `module.exports = require('retry-counter');`,
    });
    writeFiles(root, {
      ...user('publisher'),
      ...user('subscriber'),
      ...user('scheduler'),
      // hoisting left 2.0.0 on top, so both users of 1.4.2 got their own copy
      ...prefixed('node_modules/retry-counter', counterPackage('2.0.0')),
      ...prefixed('node_modules/publisher/node_modules/retry-counter', counterPackage('1.4.2')),
      ...prefixed('node_modules/subscriber/node_modules/retry-counter', counterPackage('1.4.2')),
      'entry.mjs': [
        "import publisher from 'publisher';",
        "import subscriber from 'subscriber';",
        "import scheduler from 'scheduler';",
        'export { publisher, subscriber, scheduler };',
      ].join('\n'),
    });
    // scheduler uses the top-level 2.0.0
    writeFiles(root, { 'node_modules/scheduler/index.js': `module.exports = require('retry-counter');` });
    const result = await build({
      entryPoints: [join(root, 'entry.mjs')],
      outfile: join(root, 'out', 'entry.mjs'),
      bundle: true,
      format: 'esm',
      platform: 'node',
      metafile: true,
      absWorkingDir: root,
      logLevel: 'silent',
      plugins: [identicalPackagesOnce(root)],
    });
    const copies = Object.keys((result.metafile as Metafile).inputs).filter((input) =>
      input.endsWith('retry-counter/index.js'),
    );
    expect(copies.sort()).toEqual([
      'node_modules/publisher/node_modules/retry-counter/index.js',
      'node_modules/retry-counter/index.js',
    ]);
    const bundle = await import(pathToFileURL(join(root, 'out', 'entry.mjs')).href);
    expect(bundle.publisher.version).toBe('1.4.2');
    expect(bundle.subscriber).toBe(bundle.publisher);
    expect(bundle.scheduler.version).toBe('2.0.0');
  });

  it('writes every CommonJS module wrapper as a function expression, byte for byte as long as the arrow', async () => {
    const built = await buildFunction({
      name: 'nodeFetch',
      entry: join(REPO_ROOT, 'test/fixtures/bundles/nodeFetch/index.mjs'),
      outDir: join(dir, 'nodeFetch'),
    });
    const metafile = JSON.parse(readFileSync(join(built.outDir, 'metafile.json'), 'utf8')) as Metafile;
    const packageModules = Object.entries(metafile.inputs).filter(
      ([input, { format }]) => format === 'cjs' && input.startsWith('node_modules/'),
    );
    expect(packageModules.length).toBeGreaterThan(0);
    let wrappers = 0;
    for (const [file, { bytes }] of Object.entries(metafile.outputs)) {
      if (!file.endsWith('.js')) continue;
      const chunk = readFileSync(join(REPO_ROOT, file), 'utf8');
      // the same length as esbuild wrote it, so its source map still points at the right columns
      expect(Buffer.byteLength(chunk)).toBe(bytes);
      expect(chunk).not.toContain('shotclock:commonjs-wrapper');
      wrappers += chunk.match(/function\([\w$,]*\)\{ +/g)?.length ?? 0;
    }
    expect(wrappers).toBe(packageModules.length);
  }, 120_000);
});
