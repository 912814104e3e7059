import type { Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { externalImports, packageOf } from '../../scripts/build.js';

describe('which packages a bundle declares', () => {
  it.each([
    ['@google-cloud/firestore', '@google-cloud/firestore'],
    ['@google-cloud/functions-framework/testing', '@google-cloud/functions-framework'],
    ['luxon/src/datetime.js', 'luxon'],
    ['node:fs', undefined],
    ['fs', undefined],
    ['./handler.js', undefined],
  ])('%s belongs to %s', (specifier, name) => {
    expect(packageOf(specifier)).toBe(name);
  });

  it('splits what the bundle loads at start from what it loads on a lazy path', () => {
    const metafile = {
      inputs: {},
      outputs: {
        'index.js': {
          bytes: 1,
          inputs: {},
          exports: [],
          imports: [
            { path: '@google-cloud/functions-framework', kind: 'import-statement', external: true },
            { path: '@google-cloud/pubsub', kind: 'import-statement', external: true },
            { path: '@google-cloud/scheduler', kind: 'dynamic-import', external: true },
            { path: '@google-cloud/pubsub', kind: 'dynamic-import', external: true },
            { path: 'node:crypto', kind: 'import-statement', external: true },
          ],
        },
      },
    } as unknown as Metafile;
    expect(externalImports(metafile)).toEqual({
      eager: ['@google-cloud/functions-framework', '@google-cloud/pubsub'],
      lazy: ['@google-cloud/scheduler'],
    });
  });
});
